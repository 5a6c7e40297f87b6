import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireCorpusDir, resolveDataDir } from "@foresight/dialogue";
import { TrajectorySchema } from "@foresight/sac-annotator";
import { afterAll, describe, expect, it } from "vitest";
import { runBench } from "../../runner/bench.js";
import { readEpisodeLog } from "../../runner/episodes.js";
import { RUN_FILES } from "../../runner/run-suite.js";
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
});
