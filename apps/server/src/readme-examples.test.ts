// The READMEs' server examples, run as written: the curl and jq commands through bash, the `openai`-client scripts
// through node, against the server as `foresight serve` builds it (the planner registry, the upstream from
// FORESIGHT_LLM_*) in front of a scripted stand-in upstream on 127.0.0.1. Only the port differs: the examples' 8787
// becomes this test's ephemeral port. `curl` and `jq` are the stand-ins of test-fixtures/curl-jq.mjs (node's fetch),
// so the test needs neither installed.
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { plannerNames } from "@foresight/planners";
import { startScriptedOpenAiServer, type ScriptedOpenAiServer } from "@foresight/llm-sim/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer, type ForesightServer } from "./app.js";
import { registrySource } from "./planner-pool.js";
import { upstreamFromEnv } from "./upstream.js";

const run = promisify(execFile);
const root = join(import.meta.dirname, "../../..");
const standIns = join(import.meta.dirname, "test-fixtures/curl-jq.mjs");
// Inside apps/server's node_modules, so that the scripts' `import OpenAI from "openai"` resolves as the READMEs say;
// a folder of this run's own (another run in the same checkout has its own).
const modules = join(import.meta.dirname, "../node_modules");
let scratch: string;
const STAND_IN_REPLIES = ["Mountains can be unpredictable — what did you do when the weather turned?", "Oh no.", "Weather is weather.", "Did you get home safely?", "I prefer the beach."];

/** The fenced blocks of one language in a markdown file. */
function codeBlocks(file: string, lang: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);
}

function block(file: string, lang: string, containing: string): string {
  const found = codeBlocks(file, lang).filter((b) => b.includes(containing));
  if (found.length !== 1) throw new Error(`${file}: expected one ${lang} block containing ${JSON.stringify(containing)}, found ${found.length}`);
  return found[0]!;
}

let upstream: ScriptedOpenAiServer;
let server: ForesightServer;
let port: number;
const onPort = (code: string) => code.replaceAll("127.0.0.1:8787", `127.0.0.1:${port}`);

async function bash(code: string): Promise<string> {
  const env = { ...process.env, PATH: `${join(scratch, "bin")}:${process.env.PATH ?? ""}` };
  return (await run("bash", ["-euo", "pipefail", "-c", onPort(code)], { encoding: "utf8", timeout: 120_000, env })).stdout;
}

async function nodeScript(name: string, code: string): Promise<string[]> {
  const file = join(scratch, name);
  writeFileSync(file, onPort(code));
  return (await run(process.execPath, [file], { encoding: "utf8", timeout: 120_000 })).stdout.trim().split("\n");
}

beforeAll(async () => {
  scratch = mkdtempSync(join(modules, ".readme-examples-"));
  mkdirSync(join(scratch, "bin"));
  for (const tool of ["curl", "jq"]) {
    writeFileSync(join(scratch, "bin", tool), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(standIns)} ${tool} "$@"\n`);
    chmodSync(join(scratch, "bin", tool), 0o755);
  }
  upstream = await startScriptedOpenAiServer((request) => ({ texts: STAND_IN_REPLIES.slice(0, request.n ?? 1) }));
  // A deadline margin of seconds (default 250 ms): on a loaded machine a 504 or the stand-in upstream's 502 would be
  // about the machine, not about the examples.
  server = await buildServer(
    { logLevel: "silent", port: 0, deadlineMarginMs: 10_000 },
    { planners: registrySource(plannerNames), upstream: upstreamFromEnv({ FORESIGHT_LLM_BASE_URL: upstream.baseURL, FORESIGHT_LLM_API_KEY: "sk-stand-in" }) },
  );
  await server.app.listen({ host: "127.0.0.1", port: 0 });
  port = (server.app.server.address() as { port: number }).port;
  await server.ready;
}, 180_000);
afterAll(async () => {
  await server?.close();
  await upstream?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("the READMEs' server examples, run as written", () => {
  it("root README: the curl plan with a trace, the viewer page, and the openai client through the proxy", async () => {
    const planned = JSON.parse(await bash(block("README.md", "bash", "curl -s http://127.0.0.1:8787/v1/plan")));
    expect(planned.decision.planner).toBe("scope");
    expect(["Welcome back! What was the best part?", "Nice.", "I prefer the beach.", "How long were you there?"]).toContain(planned.decision.reply);
    const trace = (await server.app.inject({ url: `/v1/traces/${planned.decision.traceId}` })).json();
    expect(trace.tree.nodes.length).toBeGreaterThan(5);
    expect((await server.app.inject({ url: `/viewer?trace=${planned.decision.traceId}` })).statusCode).toBe(200);

    const [reply, stats] = await nodeScript("root-plan-chat.mjs", block("README.md", "js", 'from "openai"'));
    expect(STAND_IN_REPLIES).toContain(reply);
    expect(stats).toMatch(/^\d+ simulations over 5 candidates$/);
    expect(upstream.requests.at(-1)).toMatchObject({ model: "gpt-4o-mini", n: 5 });
  }, 120_000);

  it("apps/server README: plan, a session's turn and its deletion, and the openai client with streaming", async () => {
    const planned = JSON.parse(await bash(block("apps/server/README.md", "bash", "curl -s http://127.0.0.1:8787/v1/plan")));
    expect(["Welcome back! What was the best part?", "Nice.", "I prefer the beach.", "How long were you there?"]).toContain(planned.decision.reply);

    const [turn, deleted] = (await bash(block("apps/server/README.md", "bash", "/v1/sessions"))).trim().split("\n");
    expect(JSON.parse(turn!)).toMatchObject({ session: { planner: "scope", turns: 1, version: 1 }, decision: { planner: "scope" } });
    expect(deleted).toBe("204");

    const [reply, stats, streamed] = await nodeScript("plan-chat.mjs", block("apps/server/README.md", "js", 'from "openai"'));
    expect(STAND_IN_REPLIES).toContain(reply);
    expect(stats).toMatch(/^\d+ simulations, 5 candidates, trace scope-/);
    expect(streamed).toBe(reply);
  }, 120_000);
});
