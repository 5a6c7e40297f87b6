// Runs the real `openai` client against a tiny OpenAI-compatible server on 127.0.0.1.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRng } from "@foresight/dialogue";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ChatModelError } from "../errors.js";
import { persuasionPack } from "../packs/index.js";
import { LlmLogprobPrior, LlmSamplingPrior } from "../roles/prior.js";
import { FakeClock } from "../testing/index.js";
import { UsageLedger } from "../wrappers/accounting.js";
import { withDiskCache } from "../wrappers/cache.js";
import { withRetry } from "../wrappers/retry.js";
import { buildChatModel } from "../wrappers/stack.js";
import { withTimeout } from "../wrappers/timeout.js";
import { startScriptedOpenAiServer, type ScriptedOpenAiServer, type ScriptedServerAnswer, type ScriptedServerReply, type ScriptedServerRequest } from "../testing/openai-server.js";
import { OpenAIChatModel } from "./openai.js";

/** The request body as the endpoint receives it (the same shape the scripted test server records). */
type ChatBody = ScriptedServerRequest;

const received: ChatBody[] = [];
const hits = new Map<string, number>();
let server: ScriptedOpenAiServer;
let baseURL: string;

function scenario(body: ChatBody): string {
  return /scenario:(\S+)/.exec(body.messages.map((message) => message.content).join(" "))?.[1] ?? "ok";
}

/** Every choice's first-token logprobs offer the letters A…G, B the most likely (0.6). */
const LETTERS = { B: 0.6, ...Object.fromEntries(["A", "C", "D", "E", "F", "G"].map((letter) => [letter, 0.4 / 6])) };

function answer(texts: string[]): ScriptedServerAnswer {
  return {
    texts,
    finishReasons: texts.map((_, index) => (index === texts.length - 1 && texts.length > 1 ? "length" : "stop")),
    firstTokenAlternatives: Object.fromEntries(Object.entries(LETTERS).sort(([a], [b]) => a.localeCompare(b))),
    firstTokenProbability: 0.6,
    usage: { prompt_tokens: 11, completion_tokens: 3 * texts.length },
  };
}

function reply(body: ChatBody): ScriptedServerReply {
  received.push(body);
  const name = scenario(body);
  const hit = (hits.get(name) ?? 0) + 1;
  hits.set(name, hit);
  const n = body.n ?? 1;
  switch (name) {
    case "rate-limit":
      if (hit === 1) return { status: 429, body: { error: { message: "slow down", type: "rate_limit" } }, headers: { "retry-after": "2" } };
      return answer(["after the wait"]);
    case "slow":
      return hit === 1 ? { ...answer(["too late"]), delayMs: 30_000 } : answer(["in time"]);
    case "truncated-json":
      return { status: 200, body: '{"choices": [{"index": 0, "message": {"content": "hi"' };
    case "wrong-shape":
      return { status: 200, body: { choices: [{ index: 0, text: "completions-style" }] } };
    case "bad-request":
      return { status: 400, body: { error: { message: "unsupported parameter", type: "invalid_request_error" } } };
    case "server-error":
      return { status: 503, body: { error: { message: "overloaded" } } };
    case "prior":
      return answer(Array.from({ length: n }, (_, index) => (index % 3 === 0 ? "C) emotion appeal" : "B) credibility appeal")));
    default:
      return answer(Array.from({ length: n }, (_, index) => `choice ${index}`));
  }
}

beforeAll(async () => {
  server = await startScriptedOpenAiServer(reply);
  baseURL = server.baseURL;
});

afterAll(() => server.close());

/** The requests of one scenario (an aborted request from an earlier test may still arrive late). */
const receivedFor = (name: string) => received.filter((body) => scenario(body) === name);

beforeEach(() => {
  received.length = 0;
  hits.clear();
});

const ask = (scenarioName: string) => [{ role: "user" as const, content: `scenario:${scenarioName} say something` }];

describe("OpenAIChatModel over HTTP", () => {
  it("returns n>1 choices with logprobs, finish reasons and usage, and sends the parameters", async () => {
    const model = new OpenAIChatModel({ baseURL, model: "test-model", apiKey: "k" });
    const response = await model.complete({ messages: ask("ok"), n: 3, temperature: 0.9, maxTokens: 20, logprobs: true, topLogprobs: 5, role: "system" });
    expect(response.model).toBe("test-model");
    expect(response.choices.map((choice) => choice.text)).toEqual(["choice 0", "choice 1", "choice 2"]);
    expect(response.choices.map((choice) => choice.finishReason)).toEqual(["stop", "stop", "length"]);
    expect(response.choices[0]?.logprobs?.[0]?.topLogprobs).toHaveLength(5);
    expect(response.usage).toEqual({ promptTokens: 11, completionTokens: 9 });
    expect(receivedFor("ok")[0]).toMatchObject({ model: "test-model", n: 3, temperature: 0.9, max_tokens: 20, logprobs: true, top_logprobs: 5 });
    expect(receivedFor("ok")[0]).not.toHaveProperty("role");
  });

  it("sends top_k and repetition_penalty only to an endpoint marked as accepting them", async () => {
    const sampling = { messages: ask("ok"), temperature: 1.1, topK: 100, repetitionPenalty: 1.1 };
    await new OpenAIChatModel({ baseURL, model: "plain" }).complete(sampling);
    expect(receivedFor("ok")[0]).not.toHaveProperty("top_k");
    expect(receivedFor("ok")[0]).not.toHaveProperty("repetition_penalty");
    await new OpenAIChatModel({ baseURL, model: "vllm", extendedSampling: true }).complete(sampling);
    expect(receivedFor("ok")[1]).toMatchObject({ model: "vllm", temperature: 1.1, top_k: 100, repetition_penalty: 1.1 });
  });

  it("retries a 429 after its Retry-After, then succeeds", async () => {
    const clock = new FakeClock();
    const model = withRetry(new OpenAIChatModel({ baseURL, model: "m" }), { clock });
    const response = await model.complete({ messages: ask("rate-limit") });
    expect(response.choices[0]?.text).toBe("after the wait");
    expect(hits.get("rate-limit")).toBe(2);
    expect(clock.sleeps).toEqual([2000]);
  });

  it("times out a slow request and retries it", async () => {
    const bare = new OpenAIChatModel({ baseURL, model: "m" });
    const error = await withTimeout(bare, 100).complete({ messages: ask("slow") }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChatModelError);
    expect((error as ChatModelError).kind).toBe("timeout");
    // Seconds for the answer that comes at once: a loaded machine must not turn it into a timeout too.
    const retried = withRetry(withTimeout(bare, 5_000), { clock: new FakeClock() });
    expect((await retried.complete({ messages: ask("slow") })).choices[0]?.text).toBe("in time");
  });

  it("reports malformed JSON and wrong-shaped bodies as malformed responses, without retrying", async () => {
    const clock = new FakeClock();
    const model = withRetry(new OpenAIChatModel({ baseURL, model: "m" }), { clock });
    await expect(model.complete({ messages: ask("truncated-json") })).rejects.toMatchObject({ kind: "malformed-response" });
    await expect(model.complete({ messages: ask("wrong-shape") })).rejects.toThrow(/malformed chat completion from m: field choices\.0\.message/);
    expect(hits.get("truncated-json")).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("does not retry a 400 but does retry a 503", async () => {
    const clock = new FakeClock();
    const model = withRetry(new OpenAIChatModel({ baseURL, model: "m" }), { clock, maxRetries: 2 });
    await expect(model.complete({ messages: ask("bad-request") })).rejects.toMatchObject({ kind: "http", status: 400 });
    expect(hits.get("bad-request")).toBe(1);
    await expect(model.complete({ messages: ask("server-error") })).rejects.toMatchObject({ kind: "http", status: 503 });
    expect(hits.get("server-error")).toBe(3);
  });

  it("aborts through the caller's signal", async () => {
    const controller = new AbortController();
    const pending = new OpenAIChatModel({ baseURL, model: "m" }).complete({ messages: ask("slow"), signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ kind: "aborted" });
  });

  it("drives the priors end to end and replays them offline from the disk cache", async () => {
    const dir = await mkdtemp(join(tmpdir(), "llm-http-cache-"));
    try {
      const history = [{ speaker: "user" as const, text: "scenario:prior hello" }];
      const ledger = new UsageLedger();
      const model = buildChatModel(new OpenAIChatModel({ baseURL, model: "m" }), { ledger, cache: { dir }, clock: new FakeClock() });
      const sampled = await new LlmSamplingPrior({ model, rng: createRng(1), pack: persuasionPack }).prior(history);
      expect(receivedFor("prior")[0]?.n).toBe(15);
      // 10 × credibility appeal, 5 × emotion appeal, add-1 over 7 acts.
      expect(sampled.probabilities[1]).toBeCloseTo(11 / 22);
      expect(sampled.probabilities[2]).toBeCloseTo(6 / 22);
      const viaLogprobs = await new LlmLogprobPrior({ model, rng: createRng(1), pack: persuasionPack }).prior(history);
      expect(viaLogprobs).toMatchObject({ method: "logprobs", completions: 1, savedCompletions: 14 });
      expect(viaLogprobs.probabilities[1]).toBeCloseTo((15 * 0.6 + 1) / 22);
      const offline = withDiskCache(new OpenAIChatModel({ baseURL: "http://127.0.0.1:9/v1", model: "m" }), { dir, mode: "replay-only" });
      const replayed = await new LlmSamplingPrior({ model: offline, rng: createRng(1), pack: persuasionPack }).prior(history);
      expect(replayed.probabilities).toEqual(sampled.probabilities);
      expect(ledger.snapshot().byRole.prior).toMatchObject({ calls: 2, completions: 16, promptTokens: 22 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
