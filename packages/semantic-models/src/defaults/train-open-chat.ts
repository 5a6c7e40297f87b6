import { createRng, type Dialogue } from "@foresight/dialogue";
import { join } from "node:path";
import { HashedEncoder } from "../encoder/hashed-encoder.js";
import { buildMixtureGraph, mixtureForward, mixtureMean, type MixtureHeadSpec, type MixtureKind } from "../heads/mixture.js";
import { buildScalarGraph, scalarForward, type ScalarHeadSpec } from "../heads/scalar.js";
import { mixtureManifestParts, scalarManifestParts } from "../heads/serialize.js";
import { countTokens, loadOpenChatCorpus, scopeSteps, DEFAULT_SPLIT_SEED, type ScopeStep } from "../data/open-chat.js";
import type { Manifest } from "../manifest.js";
import { saveModel } from "../model-file.js";
import { meanCosine, meanNormRatio, round4, rSquared } from "../train/metrics.js";
import { fitRidge } from "../train/ridge.js";
import { trainMixtureHead, trainRegressionHead, type FitOptions, type MixtureData } from "../train/heads.js";
import { mlpForward } from "../mlp.js";
import { permutation } from "../train/network.js";
import { DEFAULT_MODEL_NAMES } from "./load.js";
import { capDialogues, DEFAULT_TRAIN_SCALE } from "./scale.js";
import { splitInfo, type TrainJob } from "./train-encoder-model.js";

/** SCOPE transitions embedded with the encoder: s̃, ã = f(s+a) − f(s), s̃′ = f(s+a+h) and |h| in tokens. */
export interface TransitionSet {
  rows: number;
  dim: number;
  state: Float32Array;
  action: Float32Array;
  /** f(s + a): the state the reward model is evaluated on before the human answers. */
  afterAction: Float32Array;
  next: Float32Array;
  replyTokens: Float32Array;
  /** sha256 of the encoder that embedded the set (recorded in the manifests of heads trained on it). */
  encoderSha256: string;
}

/** Embeds every step: one encoder call for all the prefixes the steps need. */
export async function embedSteps(encoder: HashedEncoder, steps: readonly ScopeStep[]): Promise<TransitionSet> {
  const d = encoder.dim;
  const contexts: string[][] = [];
  for (const { dialogue, at } of steps) {
    const texts = dialogue.turns.map((t) => t.text);
    contexts.push(texts.slice(0, at), texts.slice(0, at + 1), texts.slice(0, at + 2));
  }
  const embedded = await encoder.embedContexts(contexts);
  const rows = steps.length;
  const set: TransitionSet = {
    rows,
    dim: d,
    state: new Float32Array(rows * d),
    action: new Float32Array(rows * d),
    afterAction: new Float32Array(rows * d),
    next: new Float32Array(rows * d),
    replyTokens: new Float32Array(rows),
    encoderSha256: encoder.sha256,
  };
  steps.forEach(({ dialogue, at }, r) => {
    for (let j = 0; j < d; j++) {
      const s = embedded[(3 * r) * d + j] as number;
      const sa = embedded[(3 * r + 1) * d + j] as number;
      set.state[r * d + j] = s;
      set.action[r * d + j] = sa - s;
      set.afterAction[r * d + j] = sa;
      set.next[r * d + j] = embedded[(3 * r + 2) * d + j] as number;
    }
    set.replyTokens[r] = countTokens(dialogue.turns[at + 1]?.text ?? "");
  });
  return set;
}

function sampleSteps(steps: ScopeStep[], max: number, seed: number): ScopeStep[] {
  if (steps.length <= max) return steps;
  const order = permutation(steps.length, createRng(seed).fork("steps"));
  return Array.from(order.subarray(0, max), (i) => steps[i] as ScopeStep);
}

function stepsOf(parts: { dailyDialog: Dialogue[]; persuasion: Dialogue[] }): ScopeStep[] {
  return [...scopeSteps(parts.dailyDialog, "any"), ...scopeSteps(parts.persuasion, "system")];
}

/** The train and test transition sets of DailyDialog (both sides) and PersuasionForGood (persuader turns). */
export async function openChatTransitions(job: TrainJob, encoder: HashedEncoder): Promise<{ train: TransitionSet; test: TransitionSet }> {
  const scale = job.scale ?? DEFAULT_TRAIN_SCALE;
  const corpus = loadOpenChatCorpus({ ...(job.dataDir ? { dataDir: job.dataDir } : {}), splitSeed: job.splitSeed ?? DEFAULT_SPLIT_SEED });
  const pick = (part: "train" | "test") => ({
    dailyDialog: capDialogues(corpus.dailyDialog[part], scale.maxDialogues),
    persuasion: capDialogues(corpus.persuasion[part], scale.maxDialogues),
  });
  const train = sampleSteps(stepsOf(pick("train")), scale.maxHeadExamples, job.seed);
  const test = sampleSteps(stepsOf(pick("test")), Math.max(200, Math.floor(scale.maxHeadExamples / 4)), job.seed + 1);
  return { train: await embedSteps(encoder, train), test: await embedSteps(encoder, test) };
}

function fitOptions(job: TrainJob): FitOptions {
  const scale = job.scale ?? DEFAULT_TRAIN_SCALE;
  const log = job.log ?? (() => {});
  return {
    hidden: scale.hidden,
    activation: "relu",
    epochs: scale.epochs,
    batchSize: scale.batchSize,
    learningRate: scale.learningRate,
    seed: job.seed,
    onEpoch: (label, epoch, loss) => log(`  ${label} epoch ${epoch + 1}: loss ${loss.toFixed(4)}`),
  };
}

function residualOf(predicted: Float32Array, base: Float32Array): Float32Array {
  return predicted.map((v, i) => v - (base[i] as number));
}

/** Mean-prediction quality of a mixture head on a test set, and a closed-form ridge baseline on the same split. */
function mixtureMetrics(spec: MixtureHeadSpec, train: MixtureData, test: MixtureData): Record<string, number> {
  const d = spec.outDim;
  const prediction = mixtureMean(mixtureForward(spec, test.values, test.rows));
  const base = new Float32Array(test.rows * d);
  for (const name of spec.residualInputs) {
    const v = test.values[name] as Float32Array;
    for (let i = 0; i < base.length; i++) base[i] = (base[i] as number) + (v[i] as number);
  }
  const trueDelta = residualOf(test.target, base);
  const predDelta = residualOf(prediction, base);
  const concat = (data: MixtureData) => {
    const width = data.inputs.reduce((s, i) => s + i.dim, 0);
    const out = new Float32Array(data.rows * width);
    for (let r = 0; r < data.rows; r++) {
      let offset = 0;
      for (const input of data.inputs) {
        out.set((data.values[input.name] as Float32Array).subarray(r * input.dim, (r + 1) * input.dim), r * width + offset);
        offset += input.dim;
      }
    }
    return { x: out, width };
  };
  const trainX = concat(train);
  const trainBase = new Float32Array(train.rows * d);
  for (const name of train.residualInputs) {
    const v = train.values[name] as Float32Array;
    for (let i = 0; i < trainBase.length; i++) trainBase[i] = (trainBase[i] as number) + (v[i] as number);
  }
  const ridge = fitRidge(trainX.x, residualOf(train.target, trainBase), train.rows, trainX.width, d, 1);
  const ridgeDelta = mlpForward(ridge, concat(test).x, test.rows);
  const metrics: Record<string, number> = {
    cosine: round4(meanCosine(predDelta, trueDelta, d)),
    normRatio: round4(meanNormRatio(predDelta, trueDelta, d)),
    ridgeBaselineCosine: round4(meanCosine(ridgeDelta, trueDelta, d)),
    ridgeBaselineNormRatio: round4(meanNormRatio(ridgeDelta, trueDelta, d)),
    testExamples: test.rows,
  };
  if (spec.residualInputs.length > 0) {
    metrics.nextStateCosine = round4(meanCosine(prediction, test.target, d));
    metrics.noChangeBaselineNextStateCosine = round4(meanCosine(base, test.target, d));
  }
  return metrics;
}

async function saveMixture(job: TrainJob, name: string, role: "action" | "transition", spec: MixtureHeadSpec, metrics: Record<string, number>, set: TransitionSet): Promise<Manifest> {
  const scale = job.scale ?? DEFAULT_TRAIN_SCALE;
  const what = role === "action" ? "s̃ → ã (the agent's reply direction)" : "(s̃, ã) → s̃′ (the state after the human's answer)";
  const kindText = spec.kind === "ensemble" ? `deep ensemble of ${spec.components} Gaussian MLPs` : `mixture density network with ${spec.components} diagonal Gaussians`;
  return saveModel(job.outDir, buildMixtureGraph(spec, `SCOPE ${role} model ${what}: ${kindText}`), {
    name,
    kind: role,
    description: `SCOPE ${role} model ${what} as a ${kindText}; inputs and the residual target are normalised per dimension inside the graph. Outputs mean/std [N, K, d] and weights [N, K].`,
    dims: { embedding: spec.outDim, components: spec.components },
    ...mixtureManifestParts(spec),
    training: {
      corpora: ["dailydialog", "p4g/full"],
      split: splitInfo(job),
      trainedOn: "train",
      evaluatedOn: "test",
      examples: { train: set.rows, test: metrics.testExamples ?? 0 },
      seed: job.seed,
      method: `${spec.kind === "ensemble" ? "Gaussian NLL per member" : "mixture NLL"}, Adam, TensorFlow.js`,
      hyperparameters: { hidden: scale.hidden.join("x"), epochs: scale.epochs, batchSize: scale.batchSize, learningRate: scale.learningRate },
      command: job.command ?? `foresight train ${role} --seed ${job.seed}`,
      encoder: DEFAULT_MODEL_NAMES.encoder,
      encoderSha256: set.encoderSha256,
    },
    metrics,
  });
}

/** Trains and saves the action models (ensemble and MDN) on the given transitions. */
export async function trainActionModels(job: TrainJob, sets: { train: TransitionSet; test: TransitionSet }): Promise<Manifest[]> {
  const scale = job.scale ?? DEFAULT_TRAIN_SCALE;
  const data = (set: TransitionSet): MixtureData => ({ inputs: [{ name: "state", dim: set.dim }], values: { state: set.state }, target: set.action, rows: set.rows, outDim: set.dim, residualInputs: [] });
  const out: Manifest[] = [];
  for (const kind of ["ensemble", "mdn"] as MixtureKind[]) {
    job.log?.(`action (${kind}): ${sets.train.rows} training examples`);
    const spec = await trainMixtureHead(kind, data(sets.train), kind === "ensemble" ? scale.ensembleMembers : scale.mdnComponents, fitOptions(job));
    const name = kind === "ensemble" ? DEFAULT_MODEL_NAMES.actionEnsemble : DEFAULT_MODEL_NAMES.actionMdn;
    out.push(await saveMixture(job, name, "action", spec, mixtureMetrics(spec, data(sets.train), data(sets.test)), sets.train));
  }
  return out;
}

/** Trains and saves the transition models (ensemble and MDN), predicting the residual s̃′ − (s̃ + ã). */
export async function trainTransitionModels(job: TrainJob, sets: { train: TransitionSet; test: TransitionSet }): Promise<Manifest[]> {
  const scale = job.scale ?? DEFAULT_TRAIN_SCALE;
  const data = (set: TransitionSet): MixtureData => ({
    inputs: [
      { name: "state", dim: set.dim },
      { name: "action", dim: set.dim },
    ],
    values: { state: set.state, action: set.action },
    target: set.next,
    rows: set.rows,
    outDim: set.dim,
    residualInputs: ["state", "action"],
  });
  const out: Manifest[] = [];
  for (const kind of ["ensemble", "mdn"] as MixtureKind[]) {
    job.log?.(`transition (${kind}): ${sets.train.rows} training examples`);
    const spec = await trainMixtureHead(kind, data(sets.train), kind === "ensemble" ? scale.ensembleMembers : scale.mdnComponents, fitOptions(job));
    const name = kind === "ensemble" ? DEFAULT_MODEL_NAMES.transitionEnsemble : DEFAULT_MODEL_NAMES.transitionMdn;
    out.push(await saveMixture(job, name, "transition", spec, mixtureMetrics(spec, data(sets.train), data(sets.test)), sets.train));
  }
  return out;
}

/**
 * Trains the length reward model F_R(s̃): the human's next reply length in tokens from f(s + a). A ridge fit and
 * an MLP are both trained; the one with the higher R² on the train split's last 10 % (held out from fitting) wins.
 */
export async function trainRewardModel(job: TrainJob, sets: { train: TransitionSet; test: TransitionSet }): Promise<Manifest> {
  const scale = job.scale ?? DEFAULT_TRAIN_SCALE;
  const { train, test } = sets;
  const d = train.dim;
  const cut = Math.max(1, Math.floor(train.rows * 0.9));
  const slice = (set: TransitionSet, start: number, end: number) => ({
    inputs: [{ name: "state", dim: d }],
    values: { state: set.afterAction.subarray(start * d, end * d) },
    target: set.replyTokens.subarray(start, end),
    rows: end - start,
  });
  const fitPart = slice(train, 0, cut);
  const checkPart = slice(train, cut, train.rows);
  const candidates: Array<{ method: string; spec: ScalarHeadSpec }> = [
    { method: "ridge (closed form, λ=1)", spec: await trainRegressionHead(fitPart, { kind: "ridge", lambda: 1 }, "reward") },
    { method: `MLP ${scale.hidden.join("x")} (MSE, Adam)`, spec: await trainRegressionHead(fitPart, { kind: "mlp", ...fitOptions(job) }, "reward") },
  ];
  const scored = candidates.map((c) => ({ ...c, check: rSquared(scalarForward(c.spec, checkPart.values, checkPart.rows), checkPart.target) }));
  scored.sort((a, b) => b.check - a.check);
  const best = scored[0] as (typeof scored)[number];
  const testPart = slice(test, 0, test.rows);
  const r2 = rSquared(scalarForward(best.spec, testPart.values, testPart.rows), testPart.target);
  const other = scored[1] as (typeof scored)[number];
  const otherTest = rSquared(scalarForward(other.spec, testPart.values, testPart.rows), testPart.target);
  job.log?.(`reward: ${best.method} chosen; test R² ${r2.toFixed(3)} (other: ${other.method} ${otherTest.toFixed(3)})`);
  return saveModel(job.outDir, buildScalarGraph(best.spec, "Length reward F_R(s̃): expected tokens of the human's next reply"), {
    name: DEFAULT_MODEL_NAMES.reward,
    kind: "reward",
    description: "F_R(s̃): expected length in whitespace tokens of the human's next reply, from the state embedding after the agent's reply; planners use F_R(s̃′) − F_R(s̃) as the step reward.",
    dims: { embedding: d },
    ...scalarManifestParts(best.spec),
    training: {
      corpora: ["dailydialog", "p4g/full"],
      split: splitInfo(job),
      trainedOn: "train (90 % fit, 10 % model choice)",
      evaluatedOn: "test",
      examples: { train: cut, choice: train.rows - cut, test: test.rows },
      seed: job.seed,
      method: best.method,
      hyperparameters: { candidates: scored.map((s) => s.method).join(" | ") },
      command: job.command ?? `foresight train reward --seed ${job.seed}`,
      encoder: DEFAULT_MODEL_NAMES.encoder,
      encoderSha256: train.encoderSha256,
    },
    metrics: { r2: round4(r2), alternativeR2: round4(otherTest), testExamples: test.rows },
  });
}

/** Loads the encoder trained into `job.outDir` (train it first). */
export function loadJobEncoder(job: TrainJob): Promise<HashedEncoder> {
  return HashedEncoder.load(join(job.outDir, `${DEFAULT_MODEL_NAMES.encoder}.json`), { log: job.log ?? (() => {}) });
}
