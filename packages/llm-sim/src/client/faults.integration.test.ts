// Fault injection: the real `openai`-based client against a misbehaving OpenAI-compatible server on 127.0.0.1.
// Every case is bounded in time (the per-test timeout), so a hang fails instead of stalling the suite.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { createRng } from "@foresight/dialogue";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ChatModelError } from "../errors.js";
import { persuasionPack } from "../packs/index.js";
import { LlmSamplingPrior } from "../roles/prior.js";
import { FakeClock, startScriptedOpenAiServer, type ScriptedOpenAiServer, type ScriptedServerAnswer, type ScriptedServerReply } from "../testing/index.js";
import { UsageLedger } from "../wrappers/accounting.js";
import { withDiskCache } from "../wrappers/cache.js";
import { withRetry } from "../wrappers/retry.js";
import { buildChatModel } from "../wrappers/stack.js";
import { withTracing, type ChatTraceEvent } from "../wrappers/trace.js";
import { OpenAIChatModel } from "./openai.js";

const KEY = "sk-test-5f9c2a7e41d08b6c";
const CASE_MS = 5_000;

interface Body {
  model: string;
  messages: { content: string }[];
  n?: number;
}

const hits = new Map<string, number>();
let server: ScriptedOpenAiServer;
let baseURL: string;
let port: number;

const fine = (n: number): ScriptedServerAnswer => ({ texts: Array.from({ length: n }, (_, index) => `answer ${index}`), usage: { prompt_tokens: 5, completion_tokens: n } });
const completionBody = (texts: string[], usage: unknown = { prompt_tokens: 5, completion_tokens: texts.length }) => ({
  model: "m",
  choices: texts.map((text, index) => ({ index, finish_reason: "stop", message: { role: "assistant", content: text } })),
  usage,
});

function reply(body: Body): ScriptedServerReply {
  const name = /case:(\S+)/.exec(body.messages.map((message) => message.content).join(" "))?.[1] ?? "ok";
  const hit = (hits.get(name) ?? 0) + 1;
  hits.set(name, hit);
  const n = body.n ?? 1;
  switch (name) {
    case "reset-before-headers":
      return hit === 1 ? { raw: (req) => void req.socket.resetAndDestroy() } : fine(n);
    case "hang-up":
      return hit === 1 ? { raw: (req) => void req.socket.end() } : fine(n);
    case "reset-mid-body":
      if (hit > 1) return fine(n);
      return {
        raw: (req, res) => {
          const text = JSON.stringify(completionBody(["a long answer ".repeat(50)]));
          res.writeHead(200, { "content-type": "application/json", "content-length": String(text.length) });
          res.write(text.slice(0, 100));
          setTimeout(() => req.socket.resetAndDestroy(), 20);
        },
      };
    case "no-choices":
      return { status: 200, body: completionBody([]) };
    case "short-choices":
      return { texts: ["B) credibility appeal"] };
    case "null-content":
      return { status: 200, body: { ...completionBody(["x"]), choices: [{ index: 0, finish_reason: "stop", message: { content: null } }] } };
    case "negative-usage":
      return { status: 200, body: completionBody(["x"], { prompt_tokens: -1, completion_tokens: 1 }) };
    case "huge-declared":
      return {
        raw: (_req, res) => {
          res.writeHead(200, { "content-type": "application/json", "content-length": String(300 * 1024 * 1024) });
          res.write("{");
        },
      };
    case "huge-streamed":
      // An endless chunked body: only a cap stops the reader.
      return {
        raw: (_req, res) => {
          res.writeHead(200, { "content-type": "application/json" });
          const chunk = `"${"x".repeat(64 * 1024)}",`;
          const pump = () => {
            while (!res.destroyed && res.write(chunk));
            if (!res.destroyed) res.once("drain", pump);
          };
          res.write('{"choices": [');
          pump();
        },
      };
    case "trickle":
      return {
        raw: (_req, res) => {
          res.writeHead(200, { "content-type": "application/json" });
          const timer = setInterval(() => res.write(" "), 50);
          res.on("close", () => clearInterval(timer));
        },
      };
    case "echo-key":
      // A server that echoes the request headers into its error text.
      return { raw: (req, res) => void res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `bad credentials: authorization=${req.headers.authorization ?? ""} key=${KEY}` } })) };
    case "retry-later":
      return { status: 429, body: { error: { message: "slow down" } }, headers: { "retry-after": "3600" } };
    case "empty":
      return { texts: [""], usage: { prompt_tokens: 5, completion_tokens: 1 } };
    case "greedy":
      return { ...fine(n), delayMs: 100 };
    default:
      return fine(n);
  }
}

beforeAll(async () => {
  server = await startScriptedOpenAiServer(reply);
  baseURL = server.baseURL;
  port = Number(new URL(baseURL).port);
});

afterAll(() => server.close());

beforeEach(() => hits.clear());

const ask = (name: string) => [{ role: "user" as const, content: `case:${name} hello` }];
const model = (options: Partial<ConstructorParameters<typeof OpenAIChatModel>[0]> = {}) => new OpenAIChatModel({ baseURL, model: "m", apiKey: KEY, ...options });
const failure = (promise: Promise<unknown>) => promise.then(() => expect.fail("the call should have failed"), (error: unknown) => error as ChatModelError);

describe("transport failures are retryable network errors naming the endpoint and the cause", () => {
  for (const [name, cause] of [
    ["reset-before-headers", /ECONNRESET|other side closed|socket/i],
    ["hang-up", /other side closed|socket|closed/i],
    ["reset-mid-body", /connection broke while reading .*terminated|ECONNRESET|other side closed/i],
  ] as const) {
    it(name, { timeout: CASE_MS }, async () => {
      const error = await failure(model().complete({ messages: ask(name) }));
      expect(error).toBeInstanceOf(ChatModelError);
      expect(error.kind).toBe("network");
      expect(error.message).toContain(`127.0.0.1:${port}`);
      expect(error.message).toMatch(cause);
      const retried = await withRetry(model(), { clock: new FakeClock() }).complete({ messages: ask(name) });
      expect(retried.choices[0]?.text).toBe("answer 0");
    });
  }

  it("a TLS handshake failure", { timeout: CASE_MS }, async () => {
    const error = await failure(model({ baseURL: `https://127.0.0.1:${port}/v1` }).complete({ messages: ask("ok") }));
    expect(error.kind).toBe("network");
    expect(error.message).toMatch(new RegExp(`https://127\\.0\\.0\\.1:${port}/v1 \\(model m\\): .*(SSL|TLS|EPROTO|wrong version)`, "i"));
  });
});

describe("the client checks what it received", () => {
  it("no choices, fewer choices than n, content null and negative usage are malformed responses", { timeout: CASE_MS }, async () => {
    expect(await failure(model().complete({ messages: ask("no-choices") }))).toMatchObject({ kind: "malformed-response", message: expect.stringMatching(/no choices/) });
    expect((await failure(model().complete({ messages: ask("short-choices"), n: 15 }))).message).toMatch(/1 choices for n=15/);
    expect((await failure(model().complete({ messages: ask("null-content") }))).message).toMatch(/choice 0 has content null/);
    expect((await failure(model().complete({ messages: ask("negative-usage") }))).message).toMatch(/usage\.prompt_tokens is -1/);
  });

  it("the sampling prior does not present 1 sample of 15 as a sampled prior", { timeout: CASE_MS }, async () => {
    const prior = new LlmSamplingPrior({ model: model(), rng: createRng(1), pack: persuasionPack });
    await expect(prior.prior([{ speaker: "user", text: "case:short-choices hi" }])).rejects.toMatchObject({ kind: "malformed-response" });
  });
});

describe("bodies are capped and deadlines cover the whole response", () => {
  it("a declared 300 MB body fails at once with the cap in the message", { timeout: CASE_MS }, async () => {
    const error = await failure(model().complete({ messages: ask("huge-declared") }));
    expect(error.kind).toBe("malformed-response");
    expect(error.message).toMatch(/larger than the 8388608-byte cap \(content-length 314572800\); raise maxResponseBytes/);
  });

  it("an endless streamed body stops at a configured cap", { timeout: CASE_MS }, async () => {
    const error = await failure(model({ maxResponseBytes: 1024 * 1024 }).complete({ messages: ask("huge-streamed") }));
    expect(error.message).toMatch(/larger than the 1048576-byte cap \(more than 1048576 bytes arrived\)/);
  });

  // The body trickles forever, so only the whole-response deadline ends the call within the case's timeout (no
  // wall-clock bound here: a loaded machine may run late).
  it("a trickling body times out on the whole-response deadline, as a retryable timeout", { timeout: CASE_MS }, async () => {
    const error = await failure(model({ timeoutMs: 300 }).complete({ messages: ask("trickle") }));
    expect(error.kind).toBe("timeout");
    expect(error.message).toMatch(/no complete response from .* within 300 ms/);
  });

  it("the caller's abort still ends a trickling body as an abort", { timeout: CASE_MS }, async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    expect(await failure(model().complete({ messages: ask("trickle"), signal: controller.signal }))).toMatchObject({ kind: "aborted" });
  });
});

describe("the API key stays out of inspect, logs and errors", () => {
  it("inspect and JSON show no key", () => {
    const chat = model();
    expect(inspect(chat, { depth: Infinity, showHidden: true })).not.toContain(KEY);
    expect(JSON.stringify(chat)).not.toContain(KEY);
    expect(inspect(buildChatModel(chat, { ledger: new UsageLedger() }), { depth: Infinity, showHidden: true })).not.toContain(KEY);
  });

  it("an upstream error that echoes the key is redacted in the error, its causes and the trace", { timeout: CASE_MS }, async () => {
    const events: ChatTraceEvent[] = [];
    const error = await failure(withTracing(model(), (event) => events.push(event)).complete({ messages: ask("echo-key") }));
    expect(error).toMatchObject({ kind: "http", status: 401 });
    expect(error.message).toMatch(/HTTP 401 from .* bad credentials: authorization=Bearer \[redacted\] key=\[redacted\]/);
    expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain(KEY);
    expect(JSON.stringify(events)).not.toContain(KEY);
  });

  it("a credential header is redacted like the key", { timeout: CASE_MS }, async () => {
    const error = await failure(model({ apiKey: undefined, defaultHeaders: { "api-key": KEY } }).complete({ messages: ask("echo-key") }));
    expect(error.message).toMatch(/key=\[redacted\]/);
    expect(error.message).not.toContain(KEY);
  });

  it("a network error carries no key either", { timeout: CASE_MS }, async () => {
    const error = await failure(model().complete({ messages: ask("reset-before-headers") }));
    expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain(KEY);
  });
});

describe("retry, cache and de-duplication over HTTP", () => {
  it("a refused Retry-After beyond the cap says so", { timeout: CASE_MS }, async () => {
    const error = await failure(withRetry(model(), { clock: new FakeClock(), maxRetryAfterMs: 60_000 }).complete({ messages: ask("retry-later") }));
    expect(error.message).toMatch(/HTTP 429 .*slow down \(not retried: the server asked to wait 3600 s, beyond the 60 s cap/);
    expect(hits.get("retry-later")).toBe(1);
  });

  it("the cache does not store an empty completion", { timeout: CASE_MS }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "llm-faults-cache-"));
    try {
      const cached = withDiskCache(model(), { dir });
      expect((await cached.complete({ messages: ask("empty"), temperature: 0 })).choices[0]?.text).toBe("");
      const again = await withDiskCache(model(), { dir }).complete({ messages: ask("empty"), temperature: 0 });
      expect(again.cached).toBeUndefined();
      expect(hits.get("empty")).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("10 identical temperature-0 requests in flight make one upstream call", { timeout: CASE_MS }, async () => {
    const ledger = new UsageLedger();
    const stacked = buildChatModel(model(), { ledger, clock: new FakeClock() });
    const answers = await Promise.all(Array.from({ length: 10 }, () => stacked.complete({ messages: ask("greedy"), temperature: 0, role: "judge" })));
    expect(hits.get("greedy")).toBe(1);
    expect(new Set(answers.map((answer) => answer.choices[0]?.text))).toEqual(new Set(["answer 0"]));
    expect(ledger.snapshot().total).toMatchObject({ calls: 10, cachedCalls: 9, promptTokens: 5 });
    await Promise.all(Array.from({ length: 3 }, () => stacked.complete({ messages: ask("greedy"), temperature: 0.7 })));
    expect(hits.get("greedy")).toBe(4);
  });
});
