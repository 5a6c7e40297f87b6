import { createRng, type Dialogue, type Turn } from "@foresight/dialogue";
import { CorpusPersuadee, CorpusPersuader, CorpusPersuaderPrior, donationOutcomeEstimate } from "./roles.js";
import type { PersuasionCorpusWorld } from "./world.js";

/** A donation or refusal in a persuasion dialogue, as the corpus annotates them. */
export interface DonationEvent {
  /** Index of the persuadee turn. */
  turn: number;
  /** "donation": agree-donation / provide-donation-amount / confirm-donation; "refusal": disagree-donation. */
  kind: "donation" | "refusal";
  /** A dollar amount named in the turn, when one is. */
  amount?: number;
}

/** The outcome of a simulated persuasion dialogue. */
export interface PersuasionOutcome {
  /** The last event decides: "donated" after a donation, "refused" after a refusal, else "undecided". */
  decision: "donated" | "refused" | "undecided";
  events: DonationEvent[];
  /** The value model's P(donation) from the whole history. */
  donationProbability: number;
}

/** Options of {@link simulatePersuasion}. */
export interface SimulatePersuasionOptions {
  seed: number;
  /** Persuader turns (each answered by the persuadee); default 10, the corpus' minimum. */
  maxTurns?: number;
}

const AMOUNT = /\$\s*(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:dollars?|cents?)/i;

/** The donation or refusal event of a persuadee turn, if it is one. */
export function donationEventOf(turn: Turn, index: number): DonationEvent | undefined {
  const reaction = turn.state?.reaction;
  if (reaction === "no donation") return { turn: index, kind: "refusal" };
  if (reaction !== "donate") return undefined;
  const match = AMOUNT.exec(turn.text);
  if (!match) return { turn: index, kind: "donation" };
  const value = Number(match[1] ?? match[2]);
  return { turn: index, kind: "donation", amount: /cent/i.test(match[0]) ? value / 100 : value };
}

/**
 * A whole persuasion dialogue without any LLM: each persuader act is sampled from the corpus act prior, realised
 * by {@link CorpusPersuader}, answered by {@link CorpusPersuadee}; the outcome lists donation and refusal events
 * and the value model's estimate. The same seed gives the same dialogue.
 */
export function simulatePersuasion(world: PersuasionCorpusWorld, options: SimulatePersuasionOptions): { dialogue: Dialogue; outcome: PersuasionOutcome } {
  const maxTurns = options.maxTurns ?? 10;
  if (!Number.isInteger(maxTurns) || maxTurns < 1) throw new Error(`maxTurns must be a positive integer, got ${maxTurns}`);
  const rng = createRng(options.seed);
  const prior = new CorpusPersuaderPrior(world);
  const persuader = new CorpusPersuader(world, { rng });
  const persuadee = new CorpusPersuadee(world, { rng });
  const turns: Turn[] = [];
  const events: DonationEvent[] = [];
  for (let i = 0; i < maxTurns; i++) {
    const act = prior.sample(turns, rng);
    turns.push(persuader.realizeTurn(turns, act));
    const reply = persuadee.pickTurn(turns, act);
    turns.push(reply);
    const event = donationEventOf(reply, turns.length - 1);
    if (event) events.push(event);
  }
  const last = events[events.length - 1];
  const outcome: PersuasionOutcome = {
    decision: last === undefined ? "undecided" : last.kind === "donation" ? "donated" : "refused",
    events,
    donationProbability: donationOutcomeEstimate(world, turns).probability,
  };
  return {
    dialogue: { id: `p4g-sim-${options.seed}`, domain: "persuasion", turns, outcome: { ...outcome }, metadata: { simulator: "PersuasionCorpusWorld", seed: options.seed } },
    outcome,
  };
}
