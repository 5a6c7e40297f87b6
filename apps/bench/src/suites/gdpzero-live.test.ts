// The gdpzero suite in live mode: GDP-Zero's LLM roles through the real `openai` client against a scripted
// OpenAI-compatible server on 127.0.0.1, then replayed from the response cache alone.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpenAIChatModel } from "@foresight/llm-sim";
import { startScriptedOpenAiServer, type ScriptedOpenAiServer, type ScriptedServerRequest } from "@foresight/llm-sim/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBench } from "../runner/bench.js";
import { readEpisodeLog } from "../runner/episodes.js";
import { liveLlm } from "../runner/live.js";
import { RUN_FILES } from "../runner/run-suite.js";
import { gdpZeroToy as toy } from "../test-fixtures/gdpzero-toy.js";

const root = mkdtempSync(join(tmpdir(), "bench-gdpzero-live-"));
let server: ScriptedOpenAiServer;
let call = 0;

/** Answers each role's prompt in the format it asks for, differently on every call (a sampling model). */
function answer(request: ScriptedServerRequest) {
  const prompt = request.messages.map((m) => m.content).join("\n");
  const n = request.n ?? 1;
  const draw = () => call++ % 5;
  if (prompt.includes("Which strategy should the Persuader use next?")) return { texts: ["A"], firstTokenAlternatives: { A: 0.3 + draw() / 20, B: 0.2, C: 0.1, D: 0.1, E: 0.1, F: 0.05, G: 0.05 } };
  if (prompt.includes("Write the Persuader's next turn")) return { texts: Array.from({ length: n }, () => `Every dollar helps a child, honestly (${draw()}).`) };
  const reactions = ["[donate] Okay, I will give $1.", "[positive] That sounds good.", "[neutral] Hm.", "[negative] Not today.", "[positive] Tell me more."];
  return { texts: Array.from({ length: n }, () => reactions[draw()]!) };
}

beforeAll(async () => {
  server = await startScriptedOpenAiServer(answer);
});
afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

describe("gdpzero suite, live", () => {
  it("plays GDP-Zero's roles with the endpoint, and a --replay from the cache alone gives the same bytes", async () => {
    const cacheDir = join(root, "cache");
    const model = new OpenAIChatModel({ baseURL: server.baseURL, model: "scripted", apiKey: "test" });
    const base = { suites: [toy], scale: "quick", seed: 1, commit: "test" } as const;
    const [live] = await runBench({ ...base, outDir: join(root, "live"), llm: liveLlm({ model, cacheDir }) });
    expect(live).toMatchObject({ complete: true, finished: 6 });
    const calls = server.requests.length;
    expect(calls).toBeGreaterThan(20);
    expect(server.requests.some((r) => r.logprobs === true)).toBe(true); // the prior from one logprobs request
    expect(server.requests.some((r) => r.n === 10)).toBe(true); // GDP-Zero's value: 10 sampled reactions
    const records = readEpisodeLog(join(root, "live", "gdpzero", RUN_FILES.episodes));
    // The row with 4 simulations in flight (lockstep in live mode) is among those replayed below.
    const concurrent = records.filter((r) => r.spec.planner === "gdpzero@n=20,concurrency=4");
    expect(concurrent).toHaveLength(2);
    expect(concurrent.every((r) => r.reusedFrom === undefined && r.costs.roleCallsPerTurn! > 0)).toBe(true);
    expect(records.every((r) => r.costs.roleCallsPerTurn! > 0)).toBe(true);
    const summary = readFileSync(join(root, "live", "gdpzero", RUN_FILES.summary), "utf8");
    expect(JSON.parse(summary)).toMatchObject({ llm: "scripted" });

    for (const jobs of [1, 2]) {
      const outDir = join(root, `replay-${jobs}`);
      await runBench({ ...base, outDir, llm: liveLlm({ id: "scripted", replay: true, cacheDir }), jobs, suitesModule: { url: new URL("../test-fixtures/gdpzero-toy.ts", import.meta.url).href, exportName: "suites" } });
      expect(server.requests.length).toBe(calls); // the endpoint was not called again
      expect(readFileSync(join(outDir, "gdpzero", RUN_FILES.summary), "utf8")).toBe(summary);
      const replayed = readEpisodeLog(join(outDir, "gdpzero", RUN_FILES.episodes));
      expect(replayed.map((r) => r.transcript)).toEqual(records.map((r) => r.transcript));
    }
  }, 300_000);
});
