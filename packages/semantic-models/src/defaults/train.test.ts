import { createRng } from "@foresight/dialogue";
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { HashedEncoder } from "../encoder/hashed-encoder.js";
import { mixtureForward } from "../heads/mixture.js";
import { mixtureSpecFromModel } from "../heads/serialize.js";
import { ManifestSchema, type Manifest } from "../manifest.js";
import { verifyModelFile } from "../model-file.js";
import { DEFAULT_MODEL_NAMES, loadDefaultWorldModel } from "./load.js";
import { TINY_TRAIN_SCALE } from "./scale.js";
import { trainDefaultModels } from "./train-all.js";

const dir = mkdtempSync(join(tmpdir(), "semantic-models-train-"));
let manifests: Manifest[] = [];

/** A stand-in text scorer for the harmfulness head (the CLI passes the rewards package's). */
const harmfulness = (text: string) => (/\b(stupid|idiot|hate)\b/i.test(text) ? 1 : 0);

beforeAll(async () => {
  manifests = await trainDefaultModels("all", { outDir: dir, seed: 3, scale: TINY_TRAIN_SCALE, command: "test", harmfulness, harmfulnessName: "test-words" });
  // The value model simulates rollouts of the tiny split's goals besides reading the corpora.
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("training the default models on a tiny split (real corpora from the shared data folder)", () => {
  it("writes every default model with a valid manifest, split and metrics", () => {
    expect(manifests.map((m) => m.name).sort()).toEqual(Object.values(DEFAULT_MODEL_NAMES).sort());
    for (const manifest of manifests) {
      const verified = verifyModelFile(join(dir, `${manifest.name}.json`));
      expect(ManifestSchema.parse(verified.manifest)).toEqual(manifest);
      expect(manifest.training.split.seed).toBeTypeOf("number");
      expect(Object.keys(manifest.metrics).length).toBeGreaterThan(0);
    }
    const transition = manifests.find((m) => m.name === DEFAULT_MODEL_NAMES.transitionEnsemble);
    expect(transition?.metrics).toHaveProperty("cosine");
    expect(transition?.metrics).toHaveProperty("normRatio");
    expect(transition?.metrics).toHaveProperty("nll");
    expect(transition?.metrics).toHaveProperty("ridgeBaselineNll");
    expect(transition?.metrics).toHaveProperty("fsaBaselineNll");
    expect(manifests.find((m) => m.name === DEFAULT_MODEL_NAMES.actionMdn)?.metrics).toHaveProperty("meanBaselineNll");
    const reward = manifests.find((m) => m.name === DEFAULT_MODEL_NAMES.reward);
    expect(reward?.metrics).toHaveProperty("r2");
    expect(reward?.metrics).toHaveProperty("spearman");
    expect(reward?.head.stepReward).toBe("action");
    // The heads saw corpus steps and steps simulated in the mismatched chat world, and their manifests say so.
    expect(reward?.metrics).toHaveProperty("withinContextSpearman");
    expect(reward?.metrics).toHaveProperty("withinContextSpearmanZeroStep");
    for (const m of manifests.filter((x) => x.kind === "action" || x.kind === "transition" || x.kind === "reward")) {
      expect(m.training.examples?.trainSimulated, m.name).toBe(TINY_TRAIN_SCALE.simulatedSteps);
      expect(m.training.trainedOn, m.name).toMatch(/40 steps simulated in the mismatched chat world/);
    }
    expect(manifests.find((m) => m.name === DEFAULT_MODEL_NAMES.harm)?.head).toMatchObject({ stepReward: "next", sign: -1 });
    // The safety transition MDN is trained with the harm auxiliary loss (Eq. 13–15) and compared with the plain MDN.
    const safety = manifests.find((m) => m.name === DEFAULT_MODEL_NAMES.transitionMdnSafety);
    expect(safety?.training.method).toMatch(/Eq\. 13–15/);
    for (const key of ["nll", "nllWithoutAuxiliary", "harmNll", "harmNllWithoutAuxiliary", "harmMae", "harmMaeWithoutAuxiliary"]) expect(safety?.metrics, key).toHaveProperty(key);
    // Same seed, data and initialisation as transition-mdn: only the auxiliary term makes the weights differ.
    expect(safety?.metrics.nllWithoutAuxiliary).toBe(manifests.find((m) => m.name === DEFAULT_MODEL_NAMES.transitionMdn)?.metrics.nll);
    expect(safety?.sha256).not.toBe(manifests.find((m) => m.name === DEFAULT_MODEL_NAMES.transitionMdn)?.sha256);
    const encoder = manifests.find((m) => m.name === DEFAULT_MODEL_NAMES.encoder);
    expect(encoder?.metrics).toHaveProperty("baselineTfIdfRecallAt1");
    expect(encoder?.dims.state).toBe((encoder?.dims.embedding as number) + (encoder?.head.structure as string[]).length);
    expect(manifests.find((m) => m.name === DEFAULT_MODEL_NAMES.value)?.metrics).toHaveProperty("auc");
    expect(manifests.find((m) => m.name === DEFAULT_MODEL_NAMES.encoder)?.metrics).toHaveProperty("baselineBowRecallAt1");
  });

  it("is reproducible: the same seed gives byte-identical models, closed-form and TensorFlow.js-trained alike", async () => {
    const again = mkdtempSync(join(tmpdir(), "semantic-models-train2-"));
    const sha = (name: string) => manifests.find((m) => m.name === name)?.sha256;
    try {
      const job = { outDir: again, seed: 3, scale: TINY_TRAIN_SCALE, command: "test" };
      const second = [...(await trainDefaultModels("encoder", job)), ...(await trainDefaultModels("action", job)), ...(await trainDefaultModels("value", job))];
      expect(second.map((m) => m.name)).toEqual([DEFAULT_MODEL_NAMES.encoder, DEFAULT_MODEL_NAMES.actionEnsemble, DEFAULT_MODEL_NAMES.actionMdn, DEFAULT_MODEL_NAMES.value]);
      for (const m of second) expect(m.sha256, m.name).toBe(sha(m.name));
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  }, 600_000);

  it("records the encoder each head was trained on and refuses to serve the heads with another encoder", async () => {
    const encoderSha = manifests.find((m) => m.name === DEFAULT_MODEL_NAMES.encoder)?.sha256;
    // The MultiWOZ value model reads tracked-state features, not embeddings: it records no encoder.
    for (const m of manifests.filter((x) => x.kind !== "hashed-encoder" && x.kind !== "value")) expect(m.training.encoderSha256, m.name).toBe(encoderSha);
    expect(manifests.find((m) => m.kind === "value")?.training.encoderSha256).toBeUndefined();
    const other = mkdtempSync(join(tmpdir(), "semantic-models-train3-"));
    try {
      for (const file of readdirSync(dir)) copyFileSync(join(dir, file), join(other, file));
      await trainDefaultModels("encoder", { outDir: other, seed: 4, scale: TINY_TRAIN_SCALE, command: "test" });
      await expect(loadDefaultWorldModel({ modelsDir: other, log: () => {} })).rejects.toThrow(
        /action-ensemble\.json \(field training\.encoderSha256\): was trained on encoder [0-9a-f]{12}…, but the encoder loaded with it is [0-9a-f]{12}…/,
      );
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("the trained models serve a seeded world model whose ONNX outputs match the TypeScript forward pass", async () => {
    const world = await loadDefaultWorldModel({ modelsDir: dir, log: () => {} });
    const mdnWorld = await loadDefaultWorldModel({ modelsDir: dir, heads: "mdn", log: () => {} });
    const contexts = [["Hi, how are you?", "Fine thanks. And you?"], ["Would you like to donate to Save the Children?"]];
    const states = await world.embedContexts(contexts);
    expect(states.length).toBe(2 * world.dim);
    // The state ends with the structure features: log(1 + cl100k tokens) of the last turn first.
    const encoder = world.parts.encoder as HashedEncoder;
    expect(encoder.dim).toBe(encoder.semanticDim + encoder.structure.length);
    expect(states[encoder.semanticDim]).toBeCloseTo(Math.log1p(6), 5);
    const actions = await world.actionVectors(contexts[0] as string[], ["I am great.", "Not so well, to be honest."]);
    expect(actions.length).toBe(2 * world.dim);
    // The search's root s̃ and the action vectors come from one encoder batch: ã + s̃ is exactly f(s + a).
    const embed = vi.spyOn(encoder, "embedContexts");
    const { state, actions: sameBatch } = await world.stateAndActions(contexts[0] as string[], ["I am great.", "Not so well, to be honest."]);
    expect(embed).toHaveBeenCalledTimes(1);
    embed.mockRestore();
    expect(Array.from(sameBatch)).toEqual(Array.from(actions));
    const afterReply = await world.embedContexts([[...(contexts[0] as string[]), "I am great."], [...(contexts[0] as string[]), "Not so well, to be honest."]]);
    expect(state.length).toBe(world.dim);
    for (let j = 0; j < world.dim; j++) expect(Math.fround((state[j] as number) + (sameBatch[j] as number))).toBeCloseTo(afterReply[j] as number, 5);
    const sampled = await world.sampleActions(states, 2, 5, createRng(1));
    expect(sampled.length).toBe(10 * world.dim);
    const action2 = sampled.subarray(0, 2 * world.dim);
    for (const w of [world, mdnWorld]) {
      const a = await w.step(states, action2, 2, createRng(9));
      const b = await w.step(states, action2, 2, createRng(9));
      expect(Array.from(a.next)).toEqual(Array.from(b.next));
      expect(Array.from(a.rewards)).toEqual(Array.from(b.rewards));
      // The length reward model scores the state after the agent's reply: the step reward is F_R(s̃ + ã).
      expect(w.rewardForm).toBe("action");
      const afterAction = states.map((v, i) => v + (action2[i] as number));
      const direct = await w.stateRewards(afterAction, 2);
      for (let i = 0; i < 2; i++) expect(a.rewards[i]).toBeCloseTo(direct[i] as number, 5);
    }
    const safety = await loadDefaultWorldModel({ modelsDir: dir, reward: "harm", log: () => {} });
    const harmStep = await safety.step(states, action2, 2, createRng(9));
    for (let i = 0; i < 2; i++) expect(harmStep.rewards[i]).toBeCloseTo(-(harmStep.nextRewards[i] as number), 6);
    // SCOPE-MDN for safety samples next states from the MDN trained with the harm auxiliary loss.
    const mdnSafety = await loadDefaultWorldModel({ modelsDir: dir, heads: "mdn", reward: "harm", log: () => {} });
    expect(mdnSafety.parts.transition.model.manifest.name).toBe(DEFAULT_MODEL_NAMES.transitionMdnSafety);
    expect(mdnWorld.parts.transition.model.manifest.name).toBe(DEFAULT_MODEL_NAMES.transitionMdn);
    const path = join(dir, `${DEFAULT_MODEL_NAMES.transitionMdn}.json`);
    const verified = verifyModelFile(path);
    const spec = mixtureSpecFromModel(verified.manifest, verified.model, path);
    const onnx = await mdnWorld.parts.transition.predict({ state: states, action: action2 }, 2);
    const ts = mixtureForward(spec, { state: states, action: action2 }, 2);
    for (let i = 0; i < ts.mean.length; i++) expect(onnx.mean[i]).toBeCloseTo(ts.mean[i] as number, 4);
  });
});
