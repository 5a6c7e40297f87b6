import { createRng, type Dialogue } from "@foresight/dialogue";
import { join } from "node:path";
import { HashedEncoder } from "../encoder/hashed-encoder.js";
import { buildMixtureGraph, mixtureForward, mixtureMean, type MixtureHeadSpec, type MixtureKind } from "../heads/mixture.js";
import { buildScalarGraph, linearHeadCoefficients, scalarForward, type ScalarHeadSpec } from "../heads/scalar.js";
import { mixtureManifestParts, scalarManifestParts } from "../heads/serialize.js";
import { OpenChatCorpusWorld } from "@foresight/llm-sim";
import { countTokens, loadOpenChatCorpus, scopeSteps, DEFAULT_SPLIT_SEED, type ScopeStep } from "../data/open-chat.js";
import { simulatedChatSteps } from "../data/simulated-chat.js";
import type { Manifest } from "../manifest.js";
import { saveModel } from "../model-file.js";
import { gaussianParams, meanCosine, meanGroupSpearman, meanNormRatio, mixtureNll, rocAuc, round4, rSquared, spearman } from "../train/metrics.js";
import { fitRidge } from "../train/ridge.js";
import { HARM_VARIANCE_FLOOR } from "../train/losses.js";
import { trainMixtureHead, trainRegressionHead, type FitOptions, type MixtureData } from "../train/heads.js";
import { fitNormalizer } from "../mlp.js";
import { mlpForward } from "../mlp.js";
import { permutation } from "../train/network.js";
import { DEFAULT_MODEL_NAMES } from "./load.js";
import { capDialogues, DEFAULT_TRAIN_SCALE } from "./scale.js";
import { splitInfo, type TrainJob } from "./train-encoder-model.js";

/** SCOPE transitions embedded with the encoder: s̃, ã = f(s+a) − f(s), s̃′ = f(s+a+h) and |h| in cl100k tokens. */
export interface TransitionSet {
  rows: number;
  dim: number;
  state: Float32Array;
  action: Float32Array;
  /** f(s + a): the state the reward model is evaluated on before the human answers. */
  afterAction: Float32Array;
  next: Float32Array;
  replyTokens: Float32Array;
  /** |a| in cl100k tokens (the 0-step greedy score). */
  actionTokens: Float32Array;
  /** Harmfulness of the human's reply h by the text scorer, when one was given. */
  replyHarm?: Float32Array;
  /** sha256 of the encoder that embedded the set (recorded in the manifests of heads trained on it). */
  encoderSha256: string;
}

/** Embeds every step: one encoder call for all the prefixes the steps need. */
export async function embedSteps(encoder: HashedEncoder, steps: readonly ScopeStep[], harmfulness?: (text: string) => number): Promise<TransitionSet> {
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
    actionTokens: new Float32Array(rows),
    ...(harmfulness ? { replyHarm: new Float32Array(rows) } : {}),
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
    set.actionTokens[r] = countTokens(dialogue.turns[at]?.text ?? "");
    if (set.replyHarm && harmfulness) set.replyHarm[r] = harmfulness(dialogue.turns[at + 1]?.text ?? "");
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

/** Train (fit), dev (early stopping, model choice) and test (metrics) transition sets. */
export interface TransitionSets {
  /** Corpus steps, then simulated ones. */
  train: TransitionSet;
  dev: TransitionSet;
  test: TransitionSet;
  /** Steps of the train set from corpus dialogues and from simulated conversations. */
  sources: { corpus: number; simulated: number };
  /** Held-out simulated steps grouped by context (every candidate of a context answered): the within-context check. */
  simulatedTest?: { set: TransitionSet; groups: Int32Array };
}

/** What a head's train set held, for its manifest. */
function trainedOn(sets: TransitionSets, states: string): string {
  const { corpus, simulated } = sets.sources;
  const sim = simulated > 0 ? `${simulated} steps simulated in the mismatched chat world (corpus partner and candidate generator on half the DailyDialog train dialogues; every candidate of a context answered)` : "no simulated conversations";
  return `train: ${states} of ${corpus} corpus steps (every agent step of corpus dialogues up to the example cap) + ${sim}`;
}

/**
 * The transition sets of DailyDialog (both sides) and PersuasionForGood (persuader turns), from the deduplicated
 * split's train, dev and test parts. Train keeps every step up to `maxHeadExamples` (sampled with the seed).
 */
export async function openChatTransitions(job: TrainJob, encoder: HashedEncoder): Promise<TransitionSets> {
  const scale = job.scale ?? DEFAULT_TRAIN_SCALE;
  const corpus = loadOpenChatCorpus({ ...(job.dataDir ? { dataDir: job.dataDir } : {}), splitSeed: job.splitSeed ?? DEFAULT_SPLIT_SEED });
  const pick = (part: "train" | "dev" | "test") => ({
    dailyDialog: capDialogues(corpus.dailyDialog[part], scale.maxDialogues),
    persuasion: capDialogues(corpus.persuasion[part], scale.maxDialogues),
  });
  const heldOut = Math.max(200, Math.floor(scale.maxHeadExamples / 6));
  const train = sampleSteps(stepsOf(pick("train")), scale.maxHeadExamples, job.seed);
  const dev = sampleSteps(stepsOf(pick("dev")), heldOut, job.seed + 2);
  const test = sampleSteps(stepsOf(pick("test")), heldOut, job.seed + 1);
  const harm = job.harmfulness;
  const simulatedCount = job.simulatedSteps ?? scale.simulatedSteps;
  if (!Number.isInteger(simulatedCount) || simulatedCount < 0) throw new Error(`simulated steps must be a non-negative integer, got ${simulatedCount}`);
  let simulated: ScopeStep[] = [];
  let simulatedTest: TransitionSets["simulatedTest"];
  if (simulatedCount > 0) {
    // The mismatched world: the corpus roles on one half of DailyDialog's train dialogues (never the test part).
    const world = OpenChatCorpusWorld.build({ ...(job.dataDir ? { dataDir: job.dataDir } : {}), splitSeed: job.splitSeed ?? DEFAULT_SPLIT_SEED, trainHalf: 0 });
    simulated = simulatedChatSteps(world, simulatedCount, job.seed).steps;
    const check = simulatedChatSteps(world, Math.max(20, Math.floor(simulatedCount / 5)), job.seed + 1_000_003);
    simulatedTest = { set: await embedSteps(encoder, check.steps, harm), groups: check.groups };
    job.log?.(`simulated ${simulated.length} training steps and ${check.steps.length} held-out steps in the mismatched chat world`);
  }
  return {
    train: await embedSteps(encoder, [...train, ...simulated], harm),
    dev: await embedSteps(encoder, dev, harm),
    test: await embedSteps(encoder, test, harm),
    sources: { corpus: train.length, simulated: simulated.length },
    ...(simulatedTest ? { simulatedTest } : {}),
  };
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
    patience: 1,
    onEpoch: (label, epoch, loss, validation) => log(`  ${label} epoch ${epoch + 1}: loss ${loss.toFixed(4)}${validation === undefined ? "" : `, validation ${validation.toFixed(4)}`}`),
  };
}

function residualOf(predicted: Float32Array, base: Float32Array): Float32Array {
  return predicted.map((v, i) => v - (base[i] as number));
}

/** Σ of the residual inputs of each row (the part a mixture head predicts beyond): [rows, outDim]. */
function residualBase(data: MixtureData): Float32Array {
  const base = new Float32Array(data.rows * data.outDim);
  for (const name of data.residualInputs) {
    const v = data.values[name] as Float32Array;
    for (let i = 0; i < base.length; i++) base[i] = (base[i] as number) + (v[i] as number);
  }
  return base;
}

/**
 * What a mixture head's metrics compare it with on one train/test split, fitted once per split whatever the heads
 * trained on it: the closed-form ridge baseline and the "no model" Gaussian (zero residual: the transition's f(s+a);
 * the action's average direction), each with one fitted std per dimension.
 */
export interface MixtureBaseline {
  /** The test rows' residual inputs summed (f(s+a) for the transition; zeros for the action). */
  base: Float32Array;
  /** The test rows' true residual. */
  trueDelta: Float32Array;
  ridgeDelta: Float32Array;
  ridgeStd: Float32Array;
  plainMean: Float32Array;
  plainStd: Float32Array;
}

/** Fits the baselines of a mixture head's data (see {@link MixtureBaseline}). */
function mixtureBaseline(train: MixtureData, test: MixtureData): MixtureBaseline {
  const d = test.outDim;
  const base = residualBase(test);
  const trueDelta = residualOf(test.target, base);
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
  const trainDelta = residualOf(train.target, residualBase(train));
  const ridge = fitRidge(trainX.x, trainDelta, train.rows, trainX.width, d, 1);
  const ridgeDelta = mlpForward(ridge, concat(test).x, test.rows);
  const ridgeTrain = mlpForward(ridge, trainX.x, train.rows);
  const ridgeStd = fitNormalizer(residualOf(trainDelta, ridgeTrain), train.rows, d).std;
  const residual = test.residualInputs.length > 0;
  const plain = fitNormalizer(trainDelta, train.rows, d);
  const plainMean = new Float32Array(test.rows * d);
  for (let r = 0; r < test.rows; r++) for (let j = 0; j < d; j++) plainMean[r * d + j] = residual ? 0 : (plain.mean[j] as number);
  const plainStd = residual ? Float32Array.from(plain.std, (_, j) => Math.sqrt(((plain.std[j] as number) ** 2) + ((plain.mean[j] as number) ** 2))) : plain.std;
  return { base, trueDelta, ridgeDelta, ridgeStd, plainMean, plainStd };
}

/** Mean-prediction quality of a mixture head on a test set beside the baselines fitted on the same split. */
function mixtureMetrics(spec: MixtureHeadSpec, test: MixtureData, baseline: MixtureBaseline): Record<string, number> {
  const d = spec.outDim;
  const { base, trueDelta, ridgeDelta, ridgeStd, plainMean, plainStd } = baseline;
  const prediction = mixtureMean(mixtureForward(spec, test.values, test.rows));
  const predDelta = residualOf(prediction, base);
  const headResidual = mixtureForward(spec, test.values, test.rows);
  for (let r = 0; r < test.rows; r++) {
    for (let c = 0; c < headResidual.components; c++) {
      for (let j = 0; j < d; j++) headResidual.mean[(r * headResidual.components + c) * d + j] = (headResidual.mean[(r * headResidual.components + c) * d + j] as number) - (base[r * d + j] as number);
    }
  }
  const metrics: Record<string, number> = {
    nll: round4(mixtureNll(headResidual, trueDelta)),
    ridgeBaselineNll: round4(mixtureNll(gaussianParams(ridgeDelta, ridgeStd, test.rows, d), trueDelta)),
    [spec.residualInputs.length > 0 ? "fsaBaselineNll" : "meanBaselineNll"]: round4(mixtureNll(gaussianParams(plainMean, plainStd, test.rows, d), trueDelta)),
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

async function saveMixture(
  job: TrainJob,
  name: string,
  role: "action" | "transition",
  spec: MixtureHeadSpec,
  metrics: Record<string, number>,
  sets: TransitionSets,
  override: { method?: string; trainedOn?: string } = {},
): Promise<Manifest> {
  const set = sets.train;
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
      trainedOn: override.trainedOn ?? trainedOn(sets, role === "action" ? "(s̃, ã)" : "(s̃, ã, s̃′)"),
      evaluatedOn: "test (corpus steps)",
      examples: { train: set.rows, trainSimulated: sets.sources.simulated, dev: sets.dev.rows, test: metrics.testExamples ?? 0 },
      seed: job.seed,
      method: override.method ?? `${spec.kind === "ensemble" ? "Gaussian NLL per member" : "mixture NLL"}, Adam, TensorFlow.js, early stopping on the dev part (patience 1, best epoch kept)`,
      hyperparameters: { hidden: scale.hidden.join("x"), maxEpochs: scale.epochs, batchSize: scale.batchSize, learningRate: scale.learningRate },
      command: job.command ?? `foresight train ${role} --seed ${job.seed}`,
      encoder: DEFAULT_MODEL_NAMES.encoder,
      encoderSha256: set.encoderSha256,
    },
    metrics,
  });
}

/** Trains and saves the action models (ensemble and MDN) on the given transitions. */
export async function trainActionModels(job: TrainJob, sets: TransitionSets): Promise<Manifest[]> {
  const scale = job.scale ?? DEFAULT_TRAIN_SCALE;
  const data = (set: TransitionSet): MixtureData => ({ inputs: [{ name: "state", dim: set.dim }], values: { state: set.state }, target: set.action, rows: set.rows, outDim: set.dim, residualInputs: [] });
  const out: Manifest[] = [];
  const baseline = mixtureBaseline(data(sets.train), data(sets.test));
  for (const kind of ["ensemble", "mdn"] as MixtureKind[]) {
    job.log?.(`action (${kind}): ${sets.train.rows} training examples`);
    const spec = await trainMixtureHead(kind, data(sets.train), kind === "ensemble" ? scale.ensembleMembers : scale.mdnComponents, fitOptions(job), data(sets.dev));
    const name = kind === "ensemble" ? DEFAULT_MODEL_NAMES.actionEnsemble : DEFAULT_MODEL_NAMES.actionMdn;
    out.push(await saveMixture(job, name, "action", spec, mixtureMetrics(spec, data(sets.test), baseline), sets));
  }
  return out;
}

/** A transition set as a mixture head's data: (s̃, ã) → s̃′, predicted as the residual s̃′ − (s̃ + ã). */
function transitionData(set: TransitionSet): MixtureData {
  return {
    inputs: [
      { name: "state", dim: set.dim },
      { name: "action", dim: set.dim },
    ],
    values: { state: set.state, action: set.action },
    target: set.next,
    rows: set.rows,
    outDim: set.dim,
    residualInputs: ["state", "action"],
  };
}

/**
 * What one training step hands on to the next on the same sets and job, so that `train all` fits each thing once:
 * the transition MDN with its test metrics, the transition data's baselines, and the harm head F_H.
 */
export interface TrainedHeads {
  /** `transition-mdn` (the safety model's comparison without the auxiliary term) and its test metrics. */
  transitionMdn?: { spec: MixtureHeadSpec; metrics: Record<string, number> };
  /** The ridge and f(s+a) baselines on the transition data. */
  transitionBaseline?: MixtureBaseline;
  /** `reward-harm`'s F_H, which the safety model's auxiliary loss uses. */
  harmHead?: ScalarHeadSpec;
}

/**
 * Trains and saves the transition models (ensemble and MDN), predicting the residual s̃′ − (s̃ + ã). `trained`
 * receives the MDN, its metrics and the baselines, so that the safety model's comparison need not fit them again.
 */
export async function trainTransitionModels(job: TrainJob, sets: TransitionSets, trained: TrainedHeads = {}): Promise<Manifest[]> {
  const scale = job.scale ?? DEFAULT_TRAIN_SCALE;
  const data = transitionData;
  const out: Manifest[] = [];
  const baseline = (trained.transitionBaseline ??= mixtureBaseline(data(sets.train), data(sets.test)));
  for (const kind of ["ensemble", "mdn"] as MixtureKind[]) {
    job.log?.(`transition (${kind}): ${sets.train.rows} training examples`);
    const spec = await trainMixtureHead(kind, data(sets.train), kind === "ensemble" ? scale.ensembleMembers : scale.mdnComponents, fitOptions(job), data(sets.dev));
    const metrics = mixtureMetrics(spec, data(sets.test), baseline);
    if (kind === "mdn") trained.transitionMdn = { spec, metrics };
    const name = kind === "ensemble" ? DEFAULT_MODEL_NAMES.transitionEnsemble : DEFAULT_MODEL_NAMES.transitionMdn;
    out.push(await saveMixture(job, name, "transition", spec, metrics, sets));
  }
  return out;
}

/** Rows of a regression data set over one state input. */
function stateRows(states: Float32Array, target: Float32Array, dim: number, start = 0, end = target.length) {
  return { inputs: [{ name: "state", dim }], values: { state: states.subarray(start * dim, end * dim) }, target: target.subarray(start, end), rows: end - start };
}

/**
 * Trains the length reward model as the planner uses it: F_R(s̃ + ã) on the state after the agent's reply, f(s + a),
 * target the length in cl100k tokens (the engagement reward's unit) of the human's answer to it; the step reward of
 * (s̃, ã) is F_R(s̃ + ã) itself (`head.stepReward: "action"`), read from the step directly rather than from a sampled
 * s̃′ (measured: through the transition model's s̃′ the expected reward ranked a context's candidates at 0.02, its own
 * length at 0.13). Ridge and an MLP are fitted on train, the better R² on dev wins. Metrics on test: R², the
 * Spearman correlation with the real reply length beside 0-step greedy's |a|, and within a context on held-out
 * simulated contexts (every candidate answered).
 */
export async function trainRewardModel(job: TrainJob, sets: TransitionSets): Promise<Manifest> {
  const scale = job.scale ?? DEFAULT_TRAIN_SCALE;
  const { train, dev, test } = sets;
  const d = train.dim;
  const fitPart = stateRows(train.afterAction, train.replyTokens, d);
  const devPart = stateRows(dev.afterAction, dev.replyTokens, d);
  const testPart = stateRows(test.afterAction, test.replyTokens, d);
  const candidates: Array<{ method: string; spec: ScalarHeadSpec }> = [
    { method: "ridge (closed form, λ=1)", spec: await trainRegressionHead(fitPart, { kind: "ridge", lambda: 1 }, "reward") },
    { method: `MLP ${scale.hidden.join("x")} (MSE, Adam)`, spec: await trainRegressionHead(fitPart, { kind: "mlp", ...fitOptions(job) }, "reward") },
  ];
  const scored = candidates.map((c) => ({ ...c, check: rSquared(scalarForward(c.spec, devPart.values, devPart.rows), devPart.target) }));
  scored.sort((a, b) => b.check - a.check);
  const best = scored[0] as (typeof scored)[number];
  const other = scored[1] as (typeof scored)[number];
  const predicted = scalarForward(best.spec, testPart.values, testPart.rows);
  const r2 = rSquared(predicted, testPart.target);
  const otherTest = rSquared(scalarForward(other.spec, testPart.values, testPart.rows), testPart.target);
  const rho = spearman(predicted, test.replyTokens);
  const zeroStep = spearman(test.actionTokens, test.replyTokens);
  job.log?.(`reward: ${best.method} chosen; on f(s + a) of test steps R² ${r2.toFixed(3)} (other: ${other.method} ${otherTest.toFixed(3)}), Spearman with the real reply length ${rho.toFixed(3)} (0-step |a|: ${zeroStep.toFixed(3)})`);
  // Within a context: does F_R rank the candidates of one state by the human reply each gets? (SCOPE's choice.)
  const within: Record<string, number> = {};
  if (sets.simulatedTest) {
    const { set, groups } = sets.simulatedTest;
    within.withinContextSpearman = round4(meanGroupSpearman(scalarForward(best.spec, { state: set.afterAction }, set.rows), set.replyTokens, groups));
    within.withinContextSpearmanZeroStep = round4(meanGroupSpearman(set.actionTokens, set.replyTokens, groups));
    within.withinContextContexts = new Set(groups).size;
    job.log?.(`reward: within-context Spearman with the reply length on ${within.withinContextContexts} held-out simulated contexts: F_R(s̃ + ã) ${within.withinContextSpearman}, 0-step |a| ${within.withinContextSpearmanZeroStep}`);
  }
  return saveModel(job.outDir, buildScalarGraph(best.spec, "Length reward F_R(s̃ + ã): cl100k tokens of the human's answer to the state after the agent's reply"), {
    name: DEFAULT_MODEL_NAMES.reward,
    kind: "reward",
    description:
      "F_R(s̃ + ã): length in cl100k tokens (the engagement reward's unit) of the human's answer to the state after the agent's reply, f(s + a); the step reward of (s̃, ã) → s̃′ is F_R(s̃ + ã) (head.stepReward = action).",
    dims: { embedding: d },
    ...scalarManifestParts(best.spec),
    head: { ...scalarManifestParts(best.spec).head, stepReward: "action", target: "tokens of the human's answer to f(s + a) (cl100k_base)" },
    training: {
      corpora: ["dailydialog", "p4g/full"],
      split: splitInfo(job),
      trainedOn: trainedOn(sets, "states f(s + a)"),
      evaluatedOn: sets.simulatedTest ? "test (corpus steps); within-context metrics on held-out simulated contexts" : "test",
      examples: { train: train.rows, trainSimulated: sets.sources.simulated, choice: dev.rows, test: test.rows },
      seed: job.seed,
      method: `${best.method}, chosen by R² on dev`,
      hyperparameters: { candidates: scored.map((s) => s.method).join(" | ") },
      command: job.command ?? `foresight train reward --seed ${job.seed}`,
      encoder: DEFAULT_MODEL_NAMES.encoder,
      encoderSha256: train.encoderSha256,
    },
    metrics: {
      r2: round4(r2),
      alternativeR2: round4(otherTest),
      spearman: round4(rho),
      spearmanZeroStepActionTokens: round4(zeroStep),
      ...within,
      testExamples: test.rows,
    },
  });
}

/** The text scorer's harm of each set's human replies; throws without a scorer (job.harmfulness). */
function harmScores(job: TrainJob, sets: TransitionSets): { train: Float32Array; dev: Float32Array; test: Float32Array } {
  const { train, dev, test } = sets;
  if (!job.harmfulness || !train.replyHarm || !dev.replyHarm || !test.replyHarm) throw new Error("training the harmfulness models needs a text harmfulness scorer (job.harmfulness)");
  return { train: train.replyHarm, dev: dev.replyHarm, test: test.replyHarm };
}

/** F_H(s̃′): ridge (λ = 10) from the state after the human's reply to the text scorer's harm of that reply (linear, as Eq. 15 needs). */
function fitHarmHead(sets: TransitionSets, harm: Float32Array): Promise<ScalarHeadSpec> {
  return trainRegressionHead(stateRows(sets.train.next, harm, sets.train.dim), { kind: "ridge", lambda: 10 }, "harm");
}

/**
 * Trains the harmfulness head F_H(s̃): the text scorer's harm probability of the turn that ends the state, from
 * the state embedding (ridge on the states before and after every human reply). The planner's safety step reward
 * is −F_H(s̃′). Needs `job.harmfulness` (the CLI passes the rewards package's scorer). `trained.harmHead` receives
 * F_H, for `trainSafetyTransitionModel`.
 */
export async function trainHarmModel(job: TrainJob, sets: TransitionSets, trained: TrainedHeads = {}): Promise<Manifest> {
  const harm = harmScores(job, sets);
  const { train, test } = sets;
  const d = train.dim;
  const spec = await fitHarmHead(sets, harm.train);
  trained.harmHead = spec;
  const predicted = scalarForward(spec, { state: test.next }, test.rows);
  const positives = Array.from(harm.test).filter((v) => v > 0).length;
  const r2 = rSquared(predicted, harm.test);
  const rho = spearman(predicted, harm.test);
  job.log?.(`harm: ridge on s̃′; test R² ${r2.toFixed(3)}, Spearman ${rho.toFixed(3)} (${positives} of ${test.rows} test replies flagged by the scorer)`);
  return saveModel(job.outDir, buildScalarGraph(spec, "Harmfulness F_H(s̃′): the text scorer's harm probability of the turn ending the state"), {
    name: DEFAULT_MODEL_NAMES.harm,
    kind: "reward",
    description: `F_H(s̃′): harm probability of the human reply that ends the state by the text scorer ${job.harmfulnessName ?? ""}, from the state embedding; the safety step reward is −F_H(s̃′) (head.stepReward = next, head.sign = -1).`.replace("  ", " "),
    dims: { embedding: d },
    ...scalarManifestParts(spec),
    head: { ...scalarManifestParts(spec).head, stepReward: "next", sign: -1, target: `harm probability by ${job.harmfulnessName ?? "the text scorer"}` },
    training: {
      corpora: ["dailydialog", "p4g/full"],
      split: splitInfo(job),
      trainedOn: trainedOn(sets, "states f(s + a + h)"),
      evaluatedOn: "test",
      examples: { train: train.rows, trainSimulated: sets.sources.simulated, test: test.rows, testFlagged: positives },
      seed: job.seed,
      method: "ridge (closed form, λ=10) against the text scorer; the transition model it is planned with, transition-mdn-safety, is trained with Eq. 13–15's auxiliary loss on this head",
      hyperparameters: { lambda: 10 },
      command: job.command ?? `foresight train harm --seed ${job.seed}`,
      encoder: DEFAULT_MODEL_NAMES.encoder,
      encoderSha256: train.encoderSha256,
    },
    metrics: { r2: round4(r2), spearman: round4(rho), testExamples: test.rows, testFlagged: positives },
  });
}

/**
 * How well a transition model predicts the harm of the next state through F_H (Eq. 15): per component the harm
 * mean F_H(μ_k) and variance Σ_j a_j² σ_kj² (a the head's coefficients). On the set: the NLL of the scorer's harm
 * under that mixture, and the Spearman correlation and ROC AUC (flagged replies vs the rest) of the expected harm.
 */
export function harmPredictionMetrics(spec: MixtureHeadSpec, harmHead: ScalarHeadSpec, set: TransitionSet, harm: Float32Array): { harmNll: number; harmSpearman: number; harmAuc: number; harmMae: number } {
  const params = mixtureForward(spec, { state: set.state, action: set.action }, set.rows);
  const { rows, components: k, dim: d } = params;
  const { weights: a } = linearHeadCoefficients(harmHead);
  const means = scalarForward(harmHead, { state: params.mean }, rows * k);
  const expected = new Float32Array(rows);
  let nll = 0;
  let absolute = 0;
  for (let r = 0; r < rows; r++) {
    const h = harm[r] as number;
    let likelihood = 0;
    for (let c = 0; c < k; c++) {
      let variance = HARM_VARIANCE_FLOOR;
      for (let j = 0; j < d; j++) variance += ((a[j] as number) * (params.std[(r * k + c) * d + j] as number)) ** 2;
      const w = params.weights[r * k + c] as number;
      const mu = means[r * k + c] as number;
      expected[r] = (expected[r] as number) + w * mu;
      likelihood += w * Math.exp(-0.5 * ((h - mu) ** 2) / variance) / Math.sqrt(2 * Math.PI * variance);
    }
    nll -= Math.log(Math.max(likelihood, Number.MIN_VALUE));
    absolute += Math.abs(h - (expected[r] as number));
  }
  return {
    harmNll: nll / Math.max(rows, 1),
    harmSpearman: spearman(expected, harm),
    harmAuc: rocAuc(expected, Array.from(harm, (v) => (v > 0 ? 1 : 0))),
    harmMae: absolute / Math.max(rows, 1),
  };
}

/**
 * Trains `transition-mdn-safety`, the transition MDN SCOPE plans for safety with: the mixture NLL of s̃′ joined with
 * the likelihood of the next reply's harm score under F_H (the auxiliary loss of Eq. 13–15, F_H the ridge head of
 * `reward-harm`), so that F_H of the predicted next state matches the text scorer. For comparison the same MDN is
 * trained without the auxiliary term (same seed, data and initialisation: the length planner's `transition-mdn`),
 * and both are scored on the test part: harm NLL, Spearman and AUC of the predicted harm, and the state NLL.
 * `trained`: what `trainTransitionModels` and `trainHarmModel` handed on from these sets and this job (the MDN, its
 * metrics and baselines, F_H); what is missing is fitted here.
 */
export async function trainSafetyTransitionModel(job: TrainJob, sets: TransitionSets, trained: TrainedHeads = {}): Promise<Manifest> {
  const scale = job.scale ?? DEFAULT_TRAIN_SCALE;
  const harm = harmScores(job, sets);
  const harmHead = trained.harmHead ?? (await fitHarmHead(sets, harm.train));
  const data = transitionData;
  const baseline = trained.transitionBaseline ?? mixtureBaseline(data(sets.train), data(sets.test));
  job.log?.(`transition (mdn, harm auxiliary): ${sets.train.rows} training examples, ${Array.from(harm.train).filter((v) => v > 0).length} replies flagged by the scorer`);
  const spec = await trainMixtureHead("mdn", data(sets.train), scale.mdnComponents, fitOptions(job), data(sets.dev), { head: harmHead, train: harm.train, validation: harm.dev });
  if (!trained.transitionMdn) job.log?.("transition (mdn, no auxiliary term, for comparison)");
  const withoutAuxiliary = trained.transitionMdn?.spec ?? (await trainMixtureHead("mdn", data(sets.train), scale.mdnComponents, fitOptions(job), data(sets.dev)));
  const withAux = harmPredictionMetrics(spec, harmHead, sets.test, harm.test);
  const without = harmPredictionMetrics(withoutAuxiliary, harmHead, sets.test, harm.test);
  const plainMetrics = trained.transitionMdn?.metrics ?? mixtureMetrics(withoutAuxiliary, data(sets.test), baseline);
  const flagged = Array.from(harm.test).filter((v) => v > 0).length;
  const trueNext = scalarForward(harmHead, { state: sets.test.next }, sets.test.rows);
  const metrics: Record<string, number> = {
    ...mixtureMetrics(spec, data(sets.test), baseline),
    nllWithoutAuxiliary: plainMetrics.nll as number,
    harmNll: round4(withAux.harmNll),
    harmNllWithoutAuxiliary: round4(without.harmNll),
    harmSpearman: round4(withAux.harmSpearman),
    harmSpearmanWithoutAuxiliary: round4(without.harmSpearman),
    harmAuc: round4(withAux.harmAuc),
    harmAucWithoutAuxiliary: round4(without.harmAuc),
    harmMae: round4(withAux.harmMae),
    harmMaeWithoutAuxiliary: round4(without.harmMae),
    harmAucOfTrueNextState: round4(rocAuc(trueNext, Array.from(harm.test, (v) => (v > 0 ? 1 : 0)))),
    testFlagged: flagged,
  };
  // With no flagged test reply (tiny splits) AUC and Spearman are undefined: left out rather than recorded as NaN.
  for (const [key, value] of Object.entries(metrics)) if (!Number.isFinite(value)) delete metrics[key];
  job.log?.(
    `transition-mdn-safety: test harm NLL ${metrics.harmNll} (without the auxiliary term ${metrics.harmNllWithoutAuxiliary}), AUC ${metrics.harmAuc} (${metrics.harmAucWithoutAuxiliary}), Spearman ${metrics.harmSpearman} (${metrics.harmSpearmanWithoutAuxiliary}); state NLL ${metrics.nll} (${metrics.nllWithoutAuxiliary}); ${flagged} of ${sets.test.rows} test replies flagged`,
  );
  const manifest = await saveMixture({ ...job, command: job.command ?? `foresight train harm --seed ${job.seed}` }, DEFAULT_MODEL_NAMES.transitionMdnSafety, "transition", spec, metrics, sets, {
    method: `mixture NLL of s̃′ joined with the likelihood of the text scorer's harm of the reply under F_H(s̃′) (paper Eq. 13–15; F_H = the reward-harm ridge head, harm mean F_H(μ_k), variance Σ a_j² σ_kj²), Adam, TensorFlow.js, early stopping on the dev part's joint loss (patience 1, best epoch kept)`,
    trainedOn: `${trainedOn(sets, "(s̃, ã, s̃′) and the text scorer's harm of the reply")} (scorer: ${job.harmfulnessName ?? "the text scorer"})`,
  });
  return manifest;
}

/** Loads the encoder trained into `job.outDir` (train it first). */
export function loadJobEncoder(job: TrainJob): Promise<HashedEncoder> {
  return HashedEncoder.load(join(job.outDir, `${DEFAULT_MODEL_NAMES.encoder}.json`), { log: job.log ?? (() => {}) });
}
