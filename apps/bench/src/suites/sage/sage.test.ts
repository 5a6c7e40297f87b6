import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireCorpusDir, resolveDataDir } from "@foresight/dialogue";
import type { ChatRequest } from "@foresight/llm-sim";
import { ScriptedChatModel } from "@foresight/llm-sim/testing";
import { TrajectorySchema } from "@foresight/sac-annotator";
import { afterAll, describe, expect, it } from "vitest";
import { runBench } from "../../runner/bench.js";
import { readEpisodeLog } from "../../runner/episodes.js";
import { RUN_FILES } from "../../runner/run-suite.js";
import { liveLlm } from "../../runner/live.js";
import type { BenchReport } from "../../runner/summary.js";
import { SAGE_BASELINE, SAGE_SYSTEM, forgetSageTrajectories, sageSuite } from "./suite.js";

const root = mkdtempSync(join(tmpdir(), "bench-sage-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the sage suite at toy scale", () => {
  it("needs DailyDialog in the shared data", () => {
    // Fails loudly (CorpusError naming the folder) when the corpus is absent.
    expect(() => requireCorpusDir(resolveDataDir(), "dailydialog")).not.toThrow();
  });

  it("runs the pipeline end to end with SAGE's self-play settings, writes the exports, and repeats itself exactly", async () => {
    const outDir = join(root, "a");
    const runs = await runBench({ suites: [sageSuite], scale: "toy", seed: 3, outDir, commit: "test" });
    expect(runs[0]?.complete).toBe(true);
    const dir = join(outDir, "sage");
    const report = JSON.parse(readFileSync(join(dir, RUN_FILES.summary), "utf8")) as BenchReport;
    const row = (planner: string, world: string, metric: string) => report.rows.find((r) => r.planner === planner && r.world === world && r.metric === metric);
    // Annotation with the corpus labels keeps every dialogue and the SAC transform inverts exactly.
    expect(row("sac-pipeline", "corpus", "annotationsKept")?.mean).toBe(4);
    expect(row("sac-pipeline", "corpus", "annotationsDropped")?.mean).toBe(0);
    expect(row("sac-pipeline", "corpus", "sacRoundTripExact")?.mean).toBe(1);
    // Self-play: 12 agent turns × 16 candidates, the selector keeps one per turn, every turn yields a DPO pair.
    for (const world of ["matched", "mismatched"]) {
      expect(row(SAGE_SYSTEM, world, "turns")?.mean).toBe(12);
      expect(row(SAGE_SYSTEM, world, "candidatesGenerated")?.mean).toBe(192);
      expect(row(SAGE_SYSTEM, world, "repliesKept")?.mean).toBe(12);
      expect(row(SAGE_BASELINE, world, "distinctNegatives")?.mean).toBe(0);
      expect(row(`judge:${SAGE_SYSTEM} vs ${SAGE_BASELINE}`, world, "ordersAgree")?.mean).toBe(1);
    }
    const episodes = readEpisodeLog(join(dir, RUN_FILES.episodes));
    const trajectory = TrajectorySchema.parse(episodes.find((e) => e.spec.planner === SAGE_SYSTEM)?.transcript?.[0]);
    expect(trajectory.turns[0]?.rounds[0]?.candidates).toHaveLength(16);
    expect(trajectory.turns[0]?.reply?.raw).toMatch(/^⟦u_motivation=[a-z]+⟧ ⟦u_emotion=[a-z]+⟧/);
    expect(report.comparisons.filter((c) => c.metric === "engagement" && c.a === SAGE_SYSTEM).map((c) => [c.world, c.n])).toEqual([
      ["matched", 2],
      ["mismatched", 2],
    ]);
    const dpo = readFileSync(join(dir, "artifacts/dpo.matched.jsonl"), "utf8").trim().split("\n");
    expect(dpo).toHaveLength(24);
    expect(JSON.parse(readFileSync(join(dir, "artifacts/sft.sharegpt.json"), "utf8"))).toHaveLength(4);
    expect(readFileSync(join(dir, RUN_FILES.report), "utf8")).toContain("- [artifacts/dpo.matched.jsonl](artifacts/dpo.matched.jsonl)");

    forgetSageTrajectories();
    const again = join(root, "b");
    await runBench({ suites: [sageSuite], scale: "toy", seed: 3, outDir: again, commit: "test" });
    expect(readFileSync(join(again, "sage", RUN_FILES.summary), "utf8")).toBe(readFileSync(join(dir, RUN_FILES.summary), "utf8"));
    expect(readFileSync(join(again, "sage", "artifacts/dpo.mismatched.jsonl"), "utf8")).toBe(readFileSync(join(dir, "artifacts/dpo.mismatched.jsonl"), "utf8"));
  }, 300_000);

  it("plays live with an LLM through the response cache, and a replay from the cache alone gives the same report", async () => {
    // A scripted endpoint that answers each SAGE role's prompt in the format it asks for.
    const endpoint = new ScriptedChatModel({
      id: "scripted-llm",
      respond: (request: ChatRequest) => {
        const system = request.messages[0]?.content ?? "";
        const user = request.messages.find((m) => m.role === "user")?.content ?? "";
        const annotated = /^Dialogue \([^)]*, (\d+) turns\):/.exec(user);
        if (annotated) return JSON.stringify({ turns: Array.from({ length: Number(annotated[1]) }, (_, turn) => ({ turn, motivation: "chat", emotion: "calm", topics: ["life"] })) });
        if (system.startsWith("You choose the best next reply")) return '{"best": 1, "reason": "first"}';
        if (system.startsWith("You compare two whole conversations")) return '{"winner": "tie", "reason": "same"}';
        if (system.startsWith("You are role-playing a person")) return `I see. Tell me more about it, please.`;
        return Array.from({ length: request.n ?? 1 }, (_, i) => `⟦a_motivation=ask⟧ ⟦a_emotion=warm⟧ ⟦a_topic⟧\nHow did that feel, part ${i}?`);
      },
    });
    const cacheDir = join(root, "llm-cache");
    const live = await runBench({ suites: [sageSuite], scale: "toy", seed: 5, outDir: join(root, "live"), commit: "test", llm: liveLlm({ model: endpoint, cacheDir }) });
    expect(live[0]?.complete).toBe(true);
    const calls = endpoint.requests.length;
    expect(calls).toBeGreaterThan(100);
    const report = JSON.parse(readFileSync(join(root, "live", "sage", RUN_FILES.summary), "utf8")) as BenchReport;
    expect(report.llm).toBe("scripted-llm");
    expect(report.rows.find((r) => r.planner === "sac-pipeline" && r.metric === "annotationsKept")?.mean).toBe(4);
    expect(report.rows.find((r) => r.planner === `judge:${SAGE_SYSTEM} vs ${SAGE_BASELINE}` && r.world === "matched" && r.metric === "ties")?.mean).toBe(1);

    forgetSageTrajectories();
    await runBench({ suites: [sageSuite], scale: "toy", seed: 5, outDir: join(root, "replay"), commit: "test", llm: liveLlm({ id: "scripted-llm", replay: true, cacheDir }) });
    expect(endpoint.requests.length).toBe(calls);
    expect(readFileSync(join(root, "replay", "sage", RUN_FILES.summary), "utf8")).toBe(readFileSync(join(root, "live", "sage", RUN_FILES.summary), "utf8"));
  }, 300_000);
});
