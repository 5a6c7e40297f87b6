import { MULTIWOZ_VALUE_ACT_DIM, MULTIWOZ_VALUE_STATE_DIM, type MultiWozValueRow } from "@foresight/llm-sim";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scalarForward } from "../heads/scalar.js";
import { tf } from "../train/tf.js";
import { distillValueModel, loadMultiWozValueModel, saveDistilledValueModel, valueDistillLoss } from "./distill.js";
import { TINY_TRAIN_SCALE } from "./scale.js";
import { multiWozValueRows, trainValueModel, valueModelMetrics, valueRowsData, VALUE_GAMMA, type MultiWozValueRows } from "./train-value.js";

// Real corpus from the shared data folder (a CorpusError names it when absent), a tiny scale.
const dir = mkdtempSync(join(tmpdir(), "semantic-models-value-"));
const scale = { ...TINY_TRAIN_SCALE, maxDialogues: 12 };
let rows: MultiWozValueRows;
beforeAll(async () => {
  rows = multiWozValueRows({ seed: 2, scale });
  await trainValueModel({ outDir: dir, seed: 2, scale, command: "test" }, { rows });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function row(source: string, turn: number, success: boolean, target: number): MultiWozValueRow {
  return { goalId: "g", source, state: new Float32Array(MULTIWOZ_VALUE_STATE_DIM), act: new Float32Array(MULTIWOZ_VALUE_ACT_DIM), target, success, turn };
}

describe("the MultiWOZ value model's data", () => {
  it("labels each system turn t of a dialogue with T turns γ^(T−t)·y, from the corpus and from several policies", () => {
    expect(new Set(rows.train.map((r) => r.source))).toEqual(new Set(["corpus", "correct", "correct-eps0.2", "correct-eps0.5", "prior", "uniform", "never-book"]));
    expect(rows.test.some((r) => r.source === "corpus")).toBe(false);
    const trainIds = new Set(rows.train.filter((r) => r.source !== "corpus").map((r) => r.goalId));
    for (const r of rows.test) expect(trainIds.has(r.goalId)).toBe(false);
    for (const r of [...rows.train, ...rows.test]) {
      expect(r.state).toHaveLength(MULTIWOZ_VALUE_STATE_DIM);
      expect(r.act).toHaveLength(MULTIWOZ_VALUE_ACT_DIM);
      if (!r.success) expect(r.target).toBe(0);
    }
    // Within one dialogue the successful targets grow by 1/γ per turn and end at 1.
    const dialogue: MultiWozValueRow[] = [];
    for (const r of rows.train.filter((x) => x.source === "correct")) {
      if (r.turn === 1 && dialogue.length > 0) break;
      dialogue.push(r);
    }
    expect(dialogue[0]!.success).toBe(true);
    expect(dialogue[dialogue.length - 1]!.target).toBe(1);
    for (let i = 1; i < dialogue.length; i++) expect(dialogue[i - 1]!.target).toBeCloseTo(dialogue[i]!.target * VALUE_GAMMA, 6);
  });

  it("compares V with the constant and turn-index predictors and orders policies by success", () => {
    const train = [row("a", 1, true, 0.9), row("a", 2, true, 1), row("b", 1, false, 0), row("b", 2, false, 0)];
    const test = [row("a", 1, true, 0.9), row("a", 2, true, 1), row("b", 1, false, 0), row("b", 2, false, 0)];
    const metrics = valueModelMetrics([0.8, 0.9, 0.2, 0.1], test, train);
    expect(metrics.auc).toBe(1);
    // Constant = mean train target 0.475; turn index: 0.45 at turn 1, 0.5 at turn 2.
    expect(metrics.constantBrier).toBeCloseTo((0.425 ** 2 + 0.525 ** 2 + 0.475 ** 2 + 0.475 ** 2) / 4, 6);
    expect(metrics.turnIndexBrier).toBeCloseTo((0.45 ** 2 + 0.5 ** 2 + 0.45 ** 2 + 0.5 ** 2) / 4, 6);
    expect(metrics.brier).toBeCloseTo((0.1 ** 2 + 0.1 ** 2 + 0.2 ** 2 + 0.1 ** 2) / 4, 6);
    expect(metrics.policies).toEqual([
      { policy: "a", success: 1, meanV: expect.closeTo(0.85, 6), dialogues: 1 },
      { policy: "b", success: 0, meanV: expect.closeTo(0.15, 6), dialogues: 1 },
    ]);
    expect(metrics.policyOrderTau).toBe(1);
  });
});

describe("training and distilling the value model", () => {
  it("writes a verified model whose manifest names its features and held-out metrics", () => {
    const model = loadMultiWozValueModel(join(dir, "value-multiwoz.json"));
    expect(model.manifest.head.features).toBe("multiwoz-state-act/1");
    for (const key of ["auc", "brier", "constantBaselineBrier", "turnIndexBaselineBrier", "policyOrderTau", "policy:correct:success"]) expect(model.manifest.metrics).toHaveProperty([key]);
    const data = valueRowsData(rows.test);
    const v = scalarForward(model.spec, data.values, data.rows);
    for (const x of v) expect(x >= 0 && x <= 1).toBe(true);
    const tampered = join(dir, "tampered.json");
    const manifest = JSON.parse(readFileSync(join(dir, "value-multiwoz.json"), "utf8"));
    writeFileSync(tampered, JSON.stringify({ ...manifest, head: { ...manifest.head, features: "other/1" } }));
    expect(() => loadMultiWozValueModel(tampered)).toThrow(/value features "other\/1"/);
  });

  it("computes L_value + β·L_distill per row kind (Eq. 28–29) as by hand", () => {
    // Logit 0: BCE(0, 0.5) = ln 2 for the seed row; σ(0) = 0.5 and (0.5 − 0.2)² = 0.09 for the MCTS row, β = 2.
    const loss = valueDistillLoss(2)(tf.tensor2d([[0], [0]]), tf.tensor2d([[0.5, 0], [0.2, 1]]));
    expect(loss.dataSync()[0]).toBeCloseTo((Math.log(2) + 2 * 0.09) / 2, 5);
  });

  it("fine-tunes towards MCTS targets and saves every round's metrics", async () => {
    const model = loadMultiWozValueModel(join(dir, "value-multiwoz.json"));
    const data = valueRowsData(rows.test.slice(0, 200));
    const before = scalarForward(model.spec, data.values, data.rows);
    // Targets far from the model's predictions, as a search might back up.
    const targets = rows.test.slice(0, 200).map((r, i) => ({ state: r.state, act: r.act, q: before[i]! > 0.5 ? 0.1 : 0.9 }));
    const result = await distillValueModel({ model, seedRows: rows.train, targets, testRows: rows.test, beta: 1, epochs: 4, learningRate: 0.01, seed: 1 });
    expect(result.mctsBrierAfter).toBeLessThan(result.mctsBrierBefore);
    const manifest = saveDistilledValueModel({ outDir: dir, name: "value-distilled", spec: result.spec, from: model, rounds: [{ after: result.after, targets: targets.length, extra: { plannerSuccess: 0.5 } }], seed: 1, beta: 1, epochs: 4, command: "test" });
    expect(manifest.metrics["round1:auc"]).toBeCloseTo(result.after.auc, 4);
    expect(manifest.metrics["round1:plannerSuccess"]).toBe(0.5);
    expect(manifest.training.examples.mctsTargets).toBe(200);
    expect(loadMultiWozValueModel(join(dir, "value-distilled.json")).manifest.name).toBe("value-distilled");
  });
});
