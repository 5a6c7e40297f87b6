import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChatRequest } from "@foresight/llm-sim";
import { ScriptedChatModel } from "@foresight/llm-sim/testing";
import { afterAll, describe, expect, it } from "vitest";
import { runBench } from "../runner/bench.js";
import { liveLlm } from "../runner/live.js";
import { readEpisodeLog } from "../runner/episodes.js";
import { RUN_FILES } from "../runner/run-suite.js";
import { createScopeSuite, scopeSuite } from "./scope.js";
import type { EpisodeSpec, Suite } from "./types.js";

const root = mkdtempSync(join(tmpdir(), "bench-scope-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the scope suite", () => {
  it("enumerates held-out starters × seeds for every planner row and world, deterministically", () => {
    const quick = scopeSuite.episodes("quick", 1);
    expect(scopeSuite.episodes("quick", 1)).toEqual(quick);
    expect(new Set(quick.map((s) => s.unit)).size).toBe(20);
    expect(new Set(quick.map((s) => s.seed)).size).toBe(2);
    expect(new Set(quick.map((s) => s.world))).toEqual(new Set(["matched", "mismatched"]));
    const rows = new Set(quick.map((s) => s.planner));
    expect(rows.has("scope@t=1000") && rows.has("chat-greedy-0") && rows.has("chat-vanilla-mcts@t=70000")).toBe(true);
    // Every timed row is on the charged clock, so its outcome does not depend on the machine's load.
    for (const spec of quick.filter((s) => s.setting.timeMs !== undefined)) expect(spec.setting.clock).toBe("charged");
    const full = scopeSuite.episodes("full", 1);
    expect(new Set(full.map((s) => s.unit)).size).toBe(100);
    expect(new Set(full.map((s) => s.planner)).size).toBeGreaterThan(rows.size);
  });

  it("plays only the target rows at headline scale, 100 starters × 5 seeds (the 3 s rows 2), each world-free row once for both worlds", () => {
    const headline = scopeSuite.episodes("headline", 1);
    const rows = [...new Set(headline.map((s) => s.planner))];
    const at3s = ["scope@t=3000", "chat-greedy-1@t=3000", "chat-vanilla-mcts@t=3000"];
    expect(rows).toEqual(["chat-random", "chat-greedy-0", "scope@t=1000", "chat-greedy-1@t=1000", "chat-vanilla-mcts@t=1000", ...at3s, "chat-vanilla-mcts@t=70000"]);
    expect(new Set(headline.map((s) => s.unit)).size).toBe(100);
    for (const row of rows) {
      const specs = headline.filter((s) => s.planner === row);
      expect(new Set(specs.map((s) => s.unit)).size).toBe(100);
      expect(new Set(specs.map((s) => s.seed))).toEqual(new Set(at3s.includes(row) ? [100, 101] : [100, 101, 102, 103, 104]));
    }
    expect(headline).toHaveLength((rows.length - 3) * 100 * 5 * 2 + 3 * 100 * 2 * 2);
    // The same episodes as the full scale's rows of the same label (same settings, units and seeds).
    const full = new Map(scopeSuite.episodes("full", 1).map((s) => [JSON.stringify([s.planner, s.world, s.unit, s.seed]), s]));
    for (const spec of headline) expect(full.get(JSON.stringify([spec.planner, spec.world, spec.unit, spec.seed]))).toEqual(spec);
    // Random, greedy-0 and SCOPE do not simulate with a chat world: one played episode serves both worlds.
    const keys = (world: string) => new Set(headline.filter((s) => s.world === world).map((s) => scopeSuite.shareKey!(s)).filter((k) => k !== undefined));
    expect(keys("matched")).toEqual(keys("mismatched"));
    expect(keys("matched").size).toBe(3 * 100 * 5 + 100 * 2);
    expect(() => scopeSuite.episodes("huge" as never, 1)).toThrow(/suite scope has no scale "huge" \(quick, full, headline\)/);
  });

  it("plays a 5-turn episode against the judge and scores the human tokens; 1-step greedy cannot afford a reply at 1 s", async () => {
    const quick = scopeSuite.episodes("quick", 1);
    const spec = quick.find((s) => s.planner === "chat-greedy-0")!;
    const first = await scopeSuite.run(spec, {});
    expect(first.metrics.humanTokens).toBeGreaterThan(0);
    expect(first.metrics.negHarm).toBeLessThanOrEqual(0);
    expect(first.metrics.spearmanZeroStepTwoTurn).toBeGreaterThanOrEqual(-1);
    expect(first.transcript).toHaveLength(5);
    const greedy1 = quick.find((s) => s.planner === "chat-greedy-1@t=1000" && s.unit === spec.unit && s.seed === spec.seed)!;
    const outcome = await scopeSuite.run(greedy1, {});
    // At 1 s with the paper's 2.46 s per simulated reply, 1-step greedy cannot simulate anything and says so.
    expect((outcome.transcript as Array<{ degraded?: string }>).every((t) => /no simulated reply/.test(t.degraded ?? ""))).toBe(true);
  });

  it("plays live: the LLM proposes the m = 5 candidates and plays vanilla MCTS's roles", { timeout: 120_000 }, async () => {
    const llm = new ScriptedChatModel({
      id: "scripted-llm",
      respond: (request: ChatRequest) => {
        if ((request.messages[0]?.content ?? "").startsWith("Pretend you are a human")) return "Oh, I love that, tell me more!";
        return Array.from({ length: request.n ?? 1 }, (_, i) => `Live candidate number ${i}, how about you?`);
      },
    });
    const suite = createScopeSuite();
    const quick = suite.episodes("quick", 1);
    const greedy = await suite.run(quick.find((s) => s.planner === "chat-greedy-0")!, { llm });
    const said = (greedy.transcript as Array<{ reply: string }>).map((t) => t.reply);
    expect(said).toHaveLength(5);
    for (const reply of said) expect(reply).toMatch(/^Live candidate number [0-4], how about you\?$/);
    const asked = llm.requests.length;
    expect(asked).toBe(5);
    // Vanilla MCTS at 70 s: rollouts with the LLM as system and user role, on the charged clock (the paper's latency
    // per call, as offline), so the same rollouts however fast the endpoint answers.
    const vanilla = quick.find((s) => s.planner === "chat-vanilla-mcts@t=70000")!;
    const outcome = await suite.run(vanilla, { llm });
    expect(llm.requests.length).toBeGreaterThan(asked + 5);
    expect(llm.requests.some((r) => (r.messages[0]?.content ?? "").startsWith("Pretend you are a human"))).toBe(true);
    expect(outcome.transcript).toHaveLength(5);
    expect(outcome.costs.simulations).toBeGreaterThan(0);
    expect(outcome.costs.chargedLatencyMs).toBeGreaterThan(0);
  });

  it("gives a byte-identical summary.json on two runs: SCOPE's budget is simulations at the reference rate", { timeout: 300_000 }, async () => {
    const rows = new Set(["chat-greedy-0", "scope@t=250", "chat-greedy-1@t=3000", "chat-vanilla-mcts@t=70000"]);
    const subset = (suite: Suite): Suite => ({
      ...suite,
      episodes: (_scale, seed) => {
        const all = suite.episodes("full", seed);
        const unit = all[0]!.unit;
        return all.filter((s: EpisodeSpec) => rows.has(s.planner) && s.unit === unit && s.seed === seed * 100);
      },
    });
    const summaries: string[] = [];
    for (const run of ["a", "b"]) {
      const [result] = await runBench({ suites: [subset(createScopeSuite())], scale: "quick", seed: 1, outDir: join(root, run), commit: "test" });
      expect(result!.complete).toBe(true);
      const outDir = join(root, run, "scope");
      const scope = readEpisodeLog(join(outDir, RUN_FILES.episodes)).find((r) => r.spec.planner === "scope@t=250")!;
      expect(scope.costs.simulations).toBe(5 * 1250); // ⌊250 ms · 5000/s⌋ per turn, 5 turns
      summaries.push(readFileSync(join(outDir, RUN_FILES.summary), "utf8"));
      expect(readFileSync(join(outDir, "rollout-speed.md"), "utf8")).toMatch(/\| scope@t=250 \| 1 \| 6250 \|/);
    }
    expect(summaries[1]).toBe(summaries[0]);
  });

  it("replays a live run from the response cache alone, vanilla MCTS's LLM rollouts included", { timeout: 300_000 }, async () => {
    let call = 0;
    const llm = new ScriptedChatModel({
      id: "scripted-llm",
      // A sampling model: a different answer on every call, so a replay that asked anything else would miss the cache.
      respond: (request: ChatRequest) => {
        call++;
        if ((request.messages[0]?.content ?? "").startsWith("Pretend you are a human")) return `Well, ${"really ".repeat(call % 7)}that is something.`;
        return Array.from({ length: request.n ?? 1 }, (_, i) => `Candidate ${i} of call ${call}, what do you think?`);
      },
    });
    const rows = new Set(["chat-greedy-0", "scope@t=1000", "chat-vanilla-mcts@t=70000"]);
    const subset: Suite = {
      ...createScopeSuite(),
      episodes: (_scale, seed) => {
        const all = createScopeSuite().episodes("quick", seed);
        const unit = all[0]!.unit;
        return all.filter((s: EpisodeSpec) => rows.has(s.planner) && s.unit === unit && s.seed === seed * 100 && s.world === "matched");
      },
    };
    const cacheDir = join(root, "live-cache");
    const base = { suites: [subset], scale: "quick", seed: 1, commit: "test" } as const;
    const [live] = await runBench({ ...base, outDir: join(root, "live"), llm: liveLlm({ model: llm, cacheDir }) });
    expect(live).toMatchObject({ complete: true, finished: 3 });
    const asked = llm.requests.length;
    expect(llm.requests.some((r) => (r.messages[0]?.content ?? "").startsWith("Pretend you are a human"))).toBe(true);
    const records = readEpisodeLog(join(root, "live", "scope", RUN_FILES.episodes));
    expect(records.find((r) => r.spec.planner === "chat-vanilla-mcts@t=70000")!.costs.simulations).toBeGreaterThan(0);
    const [replay] = await runBench({ ...base, outDir: join(root, "replay"), llm: liveLlm({ id: "scripted-llm", replay: true, cacheDir }) });
    expect(replay).toMatchObject({ complete: true, finished: 3 });
    expect(llm.requests.length).toBe(asked);
    expect(readFileSync(join(root, "replay", "scope", RUN_FILES.summary), "utf8")).toBe(readFileSync(join(root, "live", "scope", RUN_FILES.summary), "utf8"));
    expect(readEpisodeLog(join(root, "replay", "scope", RUN_FILES.episodes)).map((r) => r.transcript)).toEqual(records.map((r) => r.transcript));
  });
});
