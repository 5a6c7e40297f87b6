import { GDP_ZERO_PERSUADER_ACTS, hashString, normalizeForDedup, type Dialogue, type GdpZeroPersuaderAct } from "@foresight/dialogue";
import { fitReactionModel, REACTION_MODEL_KINDS, reactionExamples, reactionProbability, type ReactionExample, type ReactionModel, type ReactionModelKind } from "./reaction-model.js";

/** The L2 penalties cross-validation chooses among, per model kind. */
export const REACTION_L2_GRID: readonly number[] = [0.3, 1, 3, 10, 30];

/** Folds of the cross-validation over training dialogues. */
export const REACTION_CV_FOLDS = 5;

/** The backoff weights tried per act: 0, 0.05, …, 1. */
const WEIGHT_STEPS = 20;

/** How a kind's model was chosen: mean out-of-fold log-likelihood per reaction at each L2, and the one kept. */
export interface ReactionModelSelection {
  l2: number;
  cvLogLikelihood: Record<string, number>;
  /** Out-of-fold log-likelihood per reaction with the chosen backoff weights (in-sample in the weights: 7 numbers). */
  cvLogLikelihoodWithBackoff: number;
  /** The model's weight per act against the memoryless model (1 for the memoryless kind itself). */
  weights: Record<GdpZeroPersuaderAct, number>;
}

/** The reaction models of every kind fitted on some training dialogues, and how cross-validation chose them. */
export interface FittedReactionModels {
  models: Record<ReactionModelKind, ReactionModel>;
  selection: Record<ReactionModelKind, ReactionModelSelection>;
}

/**
 * The fold of a training dialogue: a hash of its normalised opening (first two turns), so that copies and dialogues
 * sharing an opening — which the project's split keeps together — fall in the same fold.
 */
export function reactionCvFold(dialogue: Dialogue): number {
  const opening = normalizeForDedup(dialogue.turns.slice(0, 2).map((t) => t.text).join(" \n "));
  return hashString(`p4g-reaction-cv\u0000${opening}`) % REACTION_CV_FOLDS;
}

const memo = new Map<string, FittedReactionModels>();

/** Per dialogue object, its id and a hash of its turns: computed once, so a memo hit costs a join of short strings. */
const dialogueKeys = new WeakMap<Dialogue, string>();

function dialogueKey(dialogue: Dialogue): string {
  let key = dialogueKeys.get(dialogue);
  if (key === undefined) dialogueKeys.set(dialogue, (key = `${dialogue.id}:${hashString(JSON.stringify(dialogue.turns))}`));
  return key;
}

/**
 * Fits the reaction models of every kind, with model selection by grouped cross-validation on the training
 * dialogues only (the held-out ones are never read): for each kind the L2 penalty with the best out-of-fold
 * log-likelihood, then — for the memory and words kinds — a per-act weight toward the memoryless model (the act's
 * out-of-fold log-likelihood of the mixture, maximised over 0, 0.05, …, 1). A history or words feature that fits
 * the training folds but not the next one (e.g. the proposition interactions, fitted on about 200 propositions)
 * then counts for less on that act. Deterministic (folds by hash); memoised per set of training dialogues (their
 * ids and turns, hashed once per dialogue object: dialogues are not changed after loading), since several worlds of
 * one process share them.
 */
export function fitReactionModels(train: readonly Dialogue[]): FittedReactionModels {
  const key = train.map(dialogueKey).join("\u0000");
  const cached = memo.get(key);
  if (cached) return cached;
  const foldOf = train.map(reactionCvFold);
  const folds = Array.from({ length: REACTION_CV_FOLDS }, (_, k) => {
    const fit = train.filter((_, i) => foldOf[i] !== k);
    const held = reactionExamples(train.filter((_, i) => foldOf[i] === k));
    return { fit, held };
  });
  if (folds.some((fold) => fold.fit.length === 0 || fold.held.length === 0)) throw new Error(`fitReactionModels: ${train.length} training dialogues are too few for ${REACTION_CV_FOLDS}-fold cross-validation`);
  const heldOut: ReactionExample[] = folds.flatMap((fold) => fold.held);
  /** Per L2 of the grid: the out-of-fold probabilities of the observed reactions, in `heldOut` order. */
  const outOfFold = (kind: ReactionModelKind) => {
    const p: number[][] = REACTION_L2_GRID.map(() => []);
    for (const fold of folds) {
      fitReactionModel(fold.fit, kind, REACTION_L2_GRID).forEach((model, g) => p[g]!.push(...fold.held.map((example) => reactionProbability(model, example))));
    }
    return p;
  };
  const meanLog = (p: readonly number[]) => p.reduce((sum, v) => sum + Math.log(v), 0) / p.length;
  const chooseL2 = (kind: ReactionModelKind) => {
    const probabilities = outOfFold(kind);
    const scored = REACTION_L2_GRID.map((l2, g) => ({ l2, p: probabilities[g]! }));
    const best = scored.reduce((a, b) => (meanLog(b.p) > meanLog(a.p) ? b : a));
    return { best, cvLogLikelihood: Object.fromEntries(scored.map((s) => [String(s.l2), meanLog(s.p)])) };
  };
  const base = chooseL2("memoryless");
  const [memoryless] = fitReactionModel(train, "memoryless", [base.best.l2]) as [ReactionModel];
  const ones = Object.fromEntries(GDP_ZERO_PERSUADER_ACTS.map((act) => [act, 1])) as Record<GdpZeroPersuaderAct, number>;
  const models = { memoryless } as Record<ReactionModelKind, ReactionModel>;
  const selection = { memoryless: { l2: base.best.l2, cvLogLikelihood: base.cvLogLikelihood, cvLogLikelihoodWithBackoff: meanLog(base.best.p), weights: ones } } as Record<ReactionModelKind, ReactionModelSelection>;
  for (const kind of REACTION_MODEL_KINDS.filter((k) => k !== "memoryless")) {
    const { best, cvLogLikelihood } = chooseL2(kind);
    const weights = { ...ones };
    let total = 0;
    for (const act of GDP_ZERO_PERSUADER_ACTS) {
      const rows = heldOut.flatMap((example, i) => (example.acts[example.acts.length - 1] === act ? [i] : []));
      let bestWeight = { w: 1, ll: -Infinity };
      // From 0 up with a strict improvement: a tie keeps the simpler model's larger share.
      for (let step = 0; step <= WEIGHT_STEPS; step++) {
        const w = step / WEIGHT_STEPS;
        const ll = rows.reduce((sum, i) => sum + Math.log(w * best.p[i]! + (1 - w) * base.best.p[i]!), 0);
        if (ll > bestWeight.ll) bestWeight = { w, ll };
      }
      if (rows.length > 0) {
        weights[act] = bestWeight.w;
        total += bestWeight.ll;
      }
    }
    models[kind] = { ...fitReactionModel(train, kind, [best.l2])[0]!, backoff: { model: memoryless.model, weights } };
    selection[kind] = { l2: best.l2, cvLogLikelihood, cvLogLikelihoodWithBackoff: total / heldOut.length, weights };
  }
  const fitted = { models, selection };
  memo.set(key, fitted);
  return fitted;
}
