import type { ActNgramModel } from "../stats/ngram.js";
import type { SopCorpusWorld } from "./world.js";

/** Held-out log-likelihood of the user's side under the history-dependent and the last-node-only models. */
export interface UserLikelihood {
  /** Mean log-likelihood (nats) per user move under {@link SopCorpusWorld.nodeModel}. */
  history: number;
  /** The same under {@link SopCorpusWorld.lastNodeModel} (the next state depends on the last agent action only). */
  lastAction: number;
  /** User moves scored: every node after an agent action (a user state, or no user turn). */
  n: number;
}

function userLogLikelihood(world: SopCorpusWorld, model: ActNgramModel, sequences: readonly string[][], unaskedWeight = world.unaskedWeight): { total: number; n: number } {
  let total = 0;
  let n = 0;
  for (const sequence of sequences) {
    for (let i = 1; i < sequence.length; i++) {
      const previous = sequence[i - 1]!;
      if (!world.agentNodes.includes(previous)) continue;
      const next = sequence[i]!;
      const p = world.userDistribution(sequence.slice(0, i), model, unaskedWeight).get(world.userNodes.includes(next) ? next : null) ?? 0;
      total += Math.log(p);
      n++;
    }
  }
  return { total, n };
}

/**
 * Scores the task's held-out dialogues' user moves (after each agent action: the user state, or no user turn)
 * under both node models: the world's claim that history matters is checked here against the simpler model.
 */
export function userStateLikelihood(world: SopCorpusWorld): UserLikelihood {
  const sequences = world.test.map((d) => world.nodeSequence(d));
  const history = userLogLikelihood(world, world.nodeModel, sequences);
  const last = userLogLikelihood(world, world.lastNodeModel, sequences);
  return { history: history.n ? history.total / history.n : Number.NaN, lastAction: last.n ? last.total / last.n : Number.NaN, n: history.n };
}

/** Mean held-out user-move log-likelihood (nats) at one weight of unasked user states, over many task worlds. */
export interface UnaskedWeightFit {
  weight: number;
  /** Mean over every scored user move of the worlds' held-out dialogues, history-dependent node model. */
  logLikelihood: number;
  n: number;
}

/**
 * Scores each weight of unasked user states (see `SOP_UNASKED_WEIGHT`) by the mean log-likelihood of the worlds'
 * held-out user moves, pooled over the worlds; the best weight first. Fit on the training tasks' worlds only.
 */
export function fitUnaskedWeight(worlds: readonly SopCorpusWorld[], weights: readonly number[]): UnaskedWeightFit[] {
  const sequences = worlds.map((world) => world.test.map((d) => world.nodeSequence(d)));
  return weights
    .map((weight) => {
      let total = 0;
      let n = 0;
      worlds.forEach((world, i) => {
        const scored = userLogLikelihood(world, world.nodeModel, sequences[i]!, weight);
        total += scored.total;
        n += scored.n;
      });
      return { weight, logLikelihood: n ? total / n : Number.NaN, n };
    })
    .sort((a, b) => b.logLikelihood - a.logLikelihood);
}

/** How the held-out gold dialogues fare when replayed through the world's success rule. */
export interface GoldReplay {
  /** Dialogues whose earned success equals their recorded outcome. */
  agree: number;
  total: number;
  /** Recorded successes (a success mark was reached) and earned successes (reached as the training dialogues do). */
  recorded: number;
  earned: number;
}

/** Replays the task's held-out dialogues: does each keep its recorded outcome under {@link SopCorpusWorld.earnsSuccess}? */
export function replayGoldOutcomes(world: SopCorpusWorld): GoldReplay {
  let agree = 0;
  let recorded = 0;
  let earned = 0;
  for (const dialogue of world.test) {
    const path = world.nodeSequence(dialogue);
    const wasSuccess = path.some((node) => world.task.successMarks.includes(node));
    const isSuccess = world.pathEarnsSuccess(path);
    if (wasSuccess) recorded++;
    if (isSuccess) earned++;
    if (wasSuccess === isSuccess) agree++;
  }
  return { agree, total: world.test.length, recorded, earned };
}
