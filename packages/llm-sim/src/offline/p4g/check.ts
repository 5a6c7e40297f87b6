import { GDP_ZERO_PERSUADEE_REACTIONS, GDP_ZERO_PERSUADER_ACTS, createRng, type GdpZeroPersuadeeReaction, type GdpZeroPersuaderAct, type Turn } from "@foresight/dialogue";
import { sampleFromTable } from "../text/sample.js";
import { mainPersuaderAct } from "./corpus.js";
import { lastDecision, reactionDistribution, reactionExamples, reactionProbability, type ReactionExample, type ReactionLogLikelihood, type ReactionModelKind } from "./reaction-model.js";
import { CorpusPersuadee, CorpusPersuader } from "./roles.js";
import type { PersuasionCorpusWorld } from "./world.js";

/** How well a persuadee world reproduces the held-out dialogues (see {@link checkPersuasionWorld}). */
export interface PersuasionWorldCheck {
  /**
   * Held-out mean log-likelihood per reaction of each reaction model kind (the words model, the memory model, the
   * memoryless per-act model), and the paired gains per reaction with percentile-bootstrap 95 % intervals over
   * held-out dialogues (2000 resamples, seeded).
   */
  logLikelihood: Record<ReactionModelKind, number> & {
    reactions: number;
    gains: { wordsOverMemory: PairedGain; memoryOverMemoryless: PairedGain };
  };
  /** The reaction model the world's persuadee uses (the replays below are of that one). */
  persuadeeModel: ReactionModelKind;
  /**
   * Per act: total variation between the simulated and the held-out corpus reaction distributions, the held-out
   * count, and two noise floors: the total variation between the training and the held-out corpus distributions,
   * and the mean total variation of that many reactions drawn from the training distribution (sampling alone).
   */
  reactionTv: Record<GdpZeroPersuaderAct, { tv: number; corpus: number; trainVsHeldOut: number; samplingFloor: number }>;
  /** The largest per-act total variation among acts with at least `minCount` held-out reactions. */
  maxReactionTv: number;
  /** Share of dialogues whose last stated decision is a donation: corpus vs the corpus policy replayed in the world. */
  donationRate: { corpus: number; simulated: number; dialogues: number; replays: number };
  /**
   * The situation of GDP-Zero's value question, on held-out dialogues: reactions to a proposition of donation after the
   * persuadee already stated a donation, and with no decision stated yet — how often the corpus persuadee stated a
   * donation, the memory model's mean P(donate) (the model the value role asks), and every model's mean
   * log-likelihood; `all` is every held-out proposition.
   */
  proposition: Record<"afterStatedDonation" | "noDecision" | "all", PropositionCalibration>;
}

/** Held-out reactions to a proposition in one situation, and how the memory model predicts them. */
export interface PropositionCalibration {
  reactions: number;
  corpusDonate: number;
  memoryDonate: number;
  logLikelihood: Record<ReactionModelKind, number>;
}

/** A paired difference in mean held-out log-likelihood per reaction, with its bootstrap 95 % interval. */
export interface PairedGain {
  mean: number;
  ci: [number, number];
}

/** The paired gain of model a over model b per reaction, resampling whole held-out dialogues. */
export function pairedLogLikelihoodGain(a: ReactionLogLikelihood, b: ReactionLogLikelihood, resamples = 2000, seed = "p4g-check-bootstrap"): PairedGain {
  const other = new Map(b.byDialogue.map((entry) => [entry.dialogueId, entry]));
  const rows = a.byDialogue.map((entry) => {
    const match = other.get(entry.dialogueId);
    if (!match || match.reactions !== entry.reactions) throw new Error(`pairedLogLikelihoodGain: dialogue ${entry.dialogueId} is not scored alike by both models`);
    return { diff: entry.logLikelihood - match.logLikelihood, n: entry.reactions };
  });
  const gain = (sample: readonly { diff: number; n: number }[]) => sample.reduce((s, r) => s + r.diff, 0) / sample.reduce((s, r) => s + r.n, 0);
  const rng = createRng(seed);
  const gains = Array.from({ length: resamples }, () => gain(rows.map(() => rows[rng.int(rows.length)]!))).sort((x, y) => x - y);
  return { mean: gain(rows), ci: [gains[Math.floor(0.025 * (resamples - 1))]!, gains[Math.ceil(0.975 * (resamples - 1))]!] };
}

type Table = Map<GdpZeroPersuaderAct, Map<GdpZeroPersuadeeReaction, number>>;

function emptyTable(): Table {
  return new Map(GDP_ZERO_PERSUADER_ACTS.map((act) => [act, new Map(GDP_ZERO_PERSUADEE_REACTIONS.map((r) => [r, 0]))]));
}

/** The reactions that followed each act in some corpus dialogues. */
function corpusTable(dialogues: Parameters<typeof reactionExamples>[0]): Table {
  const table = emptyTable();
  for (const example of reactionExamples(dialogues)) {
    const row = table.get(example.acts[example.acts.length - 1]!)!;
    row.set(example.reaction, row.get(example.reaction)! + 1);
  }
  return table;
}

function totalVariation(a: ReadonlyMap<GdpZeroPersuadeeReaction, number>, b: ReadonlyMap<GdpZeroPersuadeeReaction, number>): number {
  const sum = (m: ReadonlyMap<GdpZeroPersuadeeReaction, number>) => [...m.values()].reduce((s, v) => s + v, 0);
  const [na, nb] = [sum(a), sum(b)];
  if (na === 0 || nb === 0) return 0;
  return GDP_ZERO_PERSUADEE_REACTIONS.reduce((s, r) => s + Math.abs(a.get(r)! / na - b.get(r)! / nb), 0) / 2;
}

/**
 * The sampling-noise floor of a per-act total variation: the mean TV between a distribution and n reactions drawn
 * from it (200 seeded draws) — what a perfect model would still show against n held-out reactions.
 */
function samplingFloor(table: ReadonlyMap<GdpZeroPersuadeeReaction, number>, n: number, seed: string, draws = 200): number {
  if (n === 0) return 0;
  const rng = createRng(seed);
  let total = 0;
  for (let d = 0; d < draws; d++) {
    const sample = new Map(GDP_ZERO_PERSUADEE_REACTIONS.map((r) => [r, 0]));
    for (let i = 0; i < n; i++) {
      const r = sampleFromTable(table, rng);
      sample.set(r, sample.get(r)! + 1);
    }
    total += totalVariation(table, sample);
  }
  return total / draws;
}

/**
 * Checks a persuadee world against its held-out dialogues: the reaction model's held-out log-likelihood against the
 * memoryless model's, and the corpus policy replayed in the world — every held-out dialogue's own sequence of
 * persuader acts, realised by the corpus persuader and answered by the simulated persuadee, `replays` times with
 * seeds 0… — compared with what the real persuadees did: reactions per act (total variation) and the share of
 * dialogues ending with a stated donation.
 */
export function checkPersuasionWorld(world: PersuasionCorpusWorld, options: { replays?: number; minCount?: number } = {}): PersuasionWorldCheck {
  const replays = options.replays ?? 5;
  const minCount = options.minCount ?? 30;
  const corpus = corpusTable(world.test);
  const trainTable = corpusTable(world.train);
  const simulated = emptyTable();
  let donated = 0;
  for (let seed = 0; seed < replays; seed++) {
    const rng = createRng(`p4g-check-${seed}`);
    const persuader = new CorpusPersuader(world, { rng });
    const persuadee = new CorpusPersuadee(world, { rng });
    for (const dialogue of world.test) {
      const acts = dialogue.turns.filter((turn) => turn.speaker === "system").map(mainPersuaderAct);
      const turns: Turn[] = [];
      const reactions: GdpZeroPersuadeeReaction[] = [];
      for (const act of acts) {
        turns.push(persuader.realizeTurn(turns, act));
        const reply = persuadee.pickTurn(turns, act);
        turns.push(reply);
        const reaction = reply.state!.reaction as GdpZeroPersuadeeReaction;
        reactions.push(reaction);
        const row = simulated.get(act)!;
        row.set(reaction, row.get(reaction)! + 1);
      }
      if (lastDecision(reactions) === "donate") donated++;
    }
  }
  const reactionTv = Object.fromEntries(
    GDP_ZERO_PERSUADER_ACTS.map((act) => [
      act,
      {
        tv: totalVariation(corpus.get(act)!, simulated.get(act)!),
        corpus: [...corpus.get(act)!.values()].reduce((s, v) => s + v, 0),
        trainVsHeldOut: totalVariation(corpus.get(act)!, trainTable.get(act)!),
        samplingFloor: samplingFloor(trainTable.get(act)!, [...corpus.get(act)!.values()].reduce((s, v) => s + v, 0), `p4g-check-floor-${act}`),
      },
    ]),
  ) as PersuasionWorldCheck["reactionTv"];
  const validation = world.reactionValidation;
  const propositions = reactionExamples(world.test).filter((example) => example.acts[example.acts.length - 1] === "proposition of donation");
  const calibration = (examples: readonly ReactionExample[]): PropositionCalibration => {
    const donate = GDP_ZERO_PERSUADEE_REACTIONS.indexOf("donate");
    const mean = (f: (example: ReactionExample) => number) => (examples.length === 0 ? NaN : examples.reduce((sum, example) => sum + f(example), 0) / examples.length);
    const logLikelihood = (kind: ReactionModelKind) => mean((example) => Math.log(reactionProbability(world.reactionModels[kind], example)));
    return {
      reactions: examples.length,
      corpusDonate: mean((example) => (example.reaction === "donate" ? 1 : 0)),
      memoryDonate: mean((example) => reactionDistribution(world.reactionModels.memory, example)[donate]!),
      logLikelihood: { words: logLikelihood("words"), memory: logLikelihood("memory"), memoryless: logLikelihood("memoryless") },
    };
  };
  const corpusDonated = world.test.filter((dialogue) => lastDecision(reactionExamples([dialogue]).map((e) => e.reaction)) === "donate").length;
  return {
    logLikelihood: {
      words: validation.words.meanLogLikelihood,
      memory: validation.memory.meanLogLikelihood,
      memoryless: validation.memoryless.meanLogLikelihood,
      reactions: validation.memory.reactions,
      gains: { wordsOverMemory: pairedLogLikelihoodGain(validation.words, validation.memory), memoryOverMemoryless: pairedLogLikelihoodGain(validation.memory, validation.memoryless) },
    },
    persuadeeModel: world.reactionModel.kind,
    reactionTv,
    maxReactionTv: Math.max(...Object.values(reactionTv).filter((entry) => entry.corpus >= minCount).map((entry) => entry.tv)),
    donationRate: { corpus: corpusDonated / world.test.length, simulated: donated / (world.test.length * replays), dialogues: world.test.length, replays },
    proposition: {
      afterStatedDonation: calibration(propositions.filter((example) => lastDecision(example.reactions) === "donate")),
      noDecision: calibration(propositions.filter((example) => lastDecision(example.reactions) === undefined)),
      all: calibration(propositions),
    },
  };
}
