import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MODEL_NAMES, defaultManifestPath, HashedEncoder, loadDefaultRewardModel, ModelLoadError, ScalarModel, stepScorer } from "@foresight/semantic-models";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { learnedStepReward, learnedStepRewards } from "./learned.js";
import { semanticStateValueModel, semanticStepRewards } from "./learned-model.js";

const quiet = { log: () => {} };
let reward: ScalarModel;
let encoder: HashedEncoder;
let states: Float32Array;
let next: Float32Array;
/** ã = f(s + a) − f(s) of the agent replies below. */
let actions: Float32Array;

const CONTEXTS = [
  ["Hi! How was your weekend?", "Great, we went hiking in the mountains."],
  ["Would you consider donating to Save the Children?"],
  ["I can't believe the exam is tomorrow.", "Me neither. Have you started studying?"],
];
const REPLIES = ["Oh nice, where did you go, and how long was the hike? I have always wanted to try that.", "No.", "Not really."];
const ANSWERS = ["We went to the Alps for three days, and the views from the top were absolutely worth every step of the climb.", "Why not?", "Okay."];

beforeAll(async () => {
  for (const name of [DEFAULT_MODEL_NAMES.reward, DEFAULT_MODEL_NAMES.encoder]) {
    const path = defaultManifestPath(name);
    if (!existsSync(path)) throw new Error(`the committed default model ${path} is missing; train it with \`pnpm foresight train all --seed 1\``);
  }
  reward = await loadDefaultRewardModel(quiet);
  encoder = await HashedEncoder.load(defaultManifestPath(DEFAULT_MODEL_NAMES.encoder), quiet);
  states = await encoder.embedContexts(CONTEXTS);
  const afterReply = await encoder.embedContexts(CONTEXTS.map((c, i) => [...c, REPLIES[i] as string]));
  actions = afterReply.map((v, i) => v - (states[i] as number));
  next = await encoder.embedContexts(CONTEXTS.map((c, i) => [...c, REPLIES[i] as string, ANSWERS[i] as string]));
});

afterAll(async () => {
  await reward?.release();
  await encoder?.release();
});

describe("learned rewards from the committed @foresight/semantic-models reward model", () => {
  it("loads the default reward model, trained on the default encoder's embeddings", () => {
    expect(reward.model.manifest.kind).toBe("reward");
    expect(reward.model.manifest.name).toBe(DEFAULT_MODEL_NAMES.reward);
    expect(reward.inputs).toEqual([{ name: "state", dim: encoder.dim }]);
    expect(reward.model.manifest.training.encoderSha256).toBe(encoder.sha256);
  });

  it("gives the step reward in the form the manifest declares: F_R(s̃ + ã) for the committed length model", async () => {
    const rows = CONTEXTS.length;
    expect(reward.model.manifest.head.stepReward).toBe("action");
    const afterAction = states.map((v, i) => v + (actions[i] as number));
    const direct = await reward.predict({ state: afterAction }, rows);
    const rewards = await semanticStepRewards(reward, states, next, rows, actions);
    expect(rewards).toHaveLength(rows);
    for (let i = 0; i < rows; i++) expect(rewards[i]).toBe(direct[i]);
    // Not the difference form: F_R(s̃′) − F_R(s̃) gives other numbers on these rows.
    const before = await reward.predict({ state: states }, rows);
    const after = await reward.predict({ state: next }, rows);
    expect(Array.from(rewards).some((r, i) => Math.abs(r - ((after[i] as number) - (before[i] as number))) > 0.1)).toBe(true);
    await expect(semanticStepRewards(reward, states, next, rows)).rejects.toThrow(/reward-length\.json: its step reward is F_R\(s̃ \+ ã\) \(head\.stepReward "action"\): pass the actions ã/);
    expect(await semanticStepRewards(reward, new Float32Array(0), new Float32Array(0), 0, new Float32Array(0))).toHaveLength(0);
  });

  it("gives −F_H(s̃′) for the harmfulness head (next form, sign −1) and F_R(s̃′) − F_R(s̃) for a difference-form model", async () => {
    const rows = CONTEXTS.length;
    const harm = await ScalarModel.load(defaultManifestPath(DEFAULT_MODEL_NAMES.harm), quiet);
    try {
      const harmOfNext = await harm.predict({ state: next }, rows);
      const rewards = await semanticStepRewards(harm, states, next, rows);
      for (let i = 0; i < rows; i++) expect(rewards[i]).toBe(-(harmOfNext[i] as number));
    } finally {
      await harm.release();
    }
    // The same length model declared in the paper's difference form (a copy whose manifest says so).
    const dir = mkdtempSync(join(tmpdir(), "rewards-difference-"));
    try {
      const manifestPath = defaultManifestPath(DEFAULT_MODEL_NAMES.reward);
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { file: string; head: Record<string, unknown> };
      copyFileSync(join(manifestPath, "..", manifest.file), join(dir, manifest.file));
      writeFileSync(join(dir, `${DEFAULT_MODEL_NAMES.reward}.json`), JSON.stringify({ ...manifest, head: { ...manifest.head, stepReward: "difference" } }));
      const difference = await ScalarModel.load(join(dir, `${DEFAULT_MODEL_NAMES.reward}.json`), quiet);
      try {
        const before = await difference.predict({ state: states }, rows);
        const after = await difference.predict({ state: next }, rows);
        const calls = vi.spyOn(difference, "predict");
        const rewards = await semanticStepRewards(difference, states, next, rows);
        // One batched model call for s̃ and s̃′, with the values of two separate ones.
        expect(calls).toHaveBeenCalledTimes(1);
        for (let i = 0; i < rows; i++) expect(rewards[i]).toBe(Math.fround((after[i] as number) - (before[i] as number)));
        // Given F_R(s̃), only s̃′ is scored.
        calls.mockClear();
        const scored = await stepScorer(difference).score(states, next, rows, undefined, before);
        expect(calls).toHaveBeenCalledTimes(1);
        expect(calls.mock.calls[0]?.[1]).toBe(rows);
        expect(Array.from(scored.rewards)).toEqual(Array.from(rewards));
        expect(Array.from(scored.nextRewards)).toEqual(Array.from(after));
        await expect(stepScorer(difference).score(states, next, rows, undefined, before.subarray(1))).rejects.toThrow(`stateRewards has ${rows - 1} values for ${rows} rows`);
      } finally {
        await difference.release();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serves the StateValueModel interface, so learnedStepReward(s) run on it", async () => {
    const model = semanticStateValueModel(reward);
    const d = encoder.dim;
    const trajectory = [0, 1, 2].map((i) => states.subarray(i * d, (i + 1) * d));
    const values = await reward.predict({ state: states }, 3);
    expect(await learnedStepRewards(model, trajectory)).toEqual([(values[1] as number) - (values[0] as number), (values[2] as number) - (values[1] as number)]);
    const after = await reward.predict({ state: next.subarray(0, d) }, 1);
    expect(await learnedStepReward(model, trajectory[0] as Float32Array, next.subarray(0, d))).toBe((after[0] as number) - (values[0] as number));
    await expect(model.predict([new Float32Array(d - 1)])).rejects.toThrow(new RegExp(`state 0 has ${d - 1} dims, the reward model takes ${d}`));
  });

  it("rejects batches of the wrong size and models that are not reward models", async () => {
    const d = encoder.dim;
    await expect(semanticStepRewards(reward, states, next, 3, actions.subarray(1))).rejects.toThrow(new RegExp(`actions: expected 3×${d} values, got ${3 * d - 1}`));
    await expect(semanticStepRewards(reward, states, next.subarray(1), 3)).rejects.toThrow(new RegExp(`next: expected 3×${d} values, got ${3 * d - 1}`));
    const value = await ScalarModel.load(defaultManifestPath(DEFAULT_MODEL_NAMES.value), quiet);
    try {
      await expect(semanticStepRewards(value, states, next, 3)).rejects.toThrow(/value-multiwoz\.json: expected a reward model F_R\(s̃\), found a value model/);
      expect(() => semanticStateValueModel(value)).toThrow(/found a value model/);
    } finally {
      await value.release();
    }
  });

  it("fails loudly when the model files are missing", async () => {
    const empty = mkdtempSync(join(tmpdir(), "rewards-no-models-"));
    try {
      const error = await loadDefaultRewardModel({ modelsDir: empty, ...quiet }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ModelLoadError);
      expect(String(error)).toMatch(/reward-length\.json: manifest not found/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
