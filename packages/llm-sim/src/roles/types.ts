import type { Turn } from "@foresight/dialogue";
import type { ActSpec } from "../packs/schema.js";

// Role interfaces: what a planner needs from a system, a user, a prior, a value function, a judge and a state
// classifier. The LLM implementations live next to this file; corpus-grounded simulators implement the same
// interfaces without any LLM.

/** Per-call options every role accepts. */
export interface RoleCallOptions {
  signal?: AbortSignal;
  /** The planning turn, for per-turn accounting. */
  turn?: string | number;
}

/** An act given by label (described from the pack) or with its own natural-language description. */
export type ActInput = string | ActSpec;

/** One candidate system reply. `fallback` marks the pack's fallback reply used when nothing could be parsed. */
export interface SystemCandidate {
  text: string;
  act: string;
  fallback: boolean;
}

/** The system side: replies conditioned on the history and on a dialogue act given in natural language. */
export interface SystemRole {
  /** Up to `m` distinct candidate replies realising `act` (duplicates removed; at least one). */
  reply(history: readonly Turn[], act: ActInput, m: number, options?: RoleCallOptions): Promise<SystemCandidate[]>;
}

/** A simulated user's turn. */
export interface UserReply {
  text: string;
  /** The reaction label the user stated (persuasion), when the pack has reactions. */
  reaction?: string;
  /** The user ended the dialogue (e.g. wrote `<END>`). */
  ended: boolean;
  /** Part of the output could not be parsed and a defined fallback was used (reply or reaction). */
  fallback: boolean;
}

/** The user side of a simulated dialogue. */
export interface UserSimulator {
  /** The user's next turn after `history`. */
  respond(history: readonly Turn[], options?: RoleCallOptions): Promise<UserReply>;
}

/** Options for a prior: restrict the acts (e.g. an SOP's optional actions) and add guidance (e.g. SOP priority). */
export interface PriorOptions extends RoleCallOptions {
  acts?: readonly ActInput[];
  guidance?: string;
}

/** A distribution over the next system act. */
export interface PriorResult {
  /** The acts, in the order offered. */
  acts: string[];
  /** Probabilities aligned with `acts`, summing to 1. */
  probabilities: number[];
  /** How it was obtained. */
  method: "sampling" | "logprobs" | "uniform" | "corpus";
  /** Chat requests and sampled completions it took. */
  requests: number;
  completions: number;
  /** Samples whose act could not be read (excluded from the counts). */
  unparsed: number;
  /** True when the intended method failed and a defined fallback produced the distribution. */
  fallback: boolean;
  /** Completions saved compared with sampling the same distribution (logprob prior only). */
  savedCompletions?: number;
}

/** A prior policy over the next system act. */
export interface PriorPolicy {
  prior(history: readonly Turn[], options?: PriorOptions): Promise<PriorResult>;
}

/** Options for a value estimate: the act about to be taken, for V(h, a). */
export interface ValueOptions extends RoleCallOptions {
  act?: ActInput;
  /** Extra context (e.g. an SOP's allowed next actions) the judge can see. */
  guidance?: string;
}

/** A value estimate with the samples behind it. */
export interface ValueEstimate {
  value: number;
  /** The parsed per-sample values. */
  samples: number[];
  /** Samples that could not be parsed (excluded). */
  unparsed: number;
  /** True when no sample could be parsed and the defined fallback value was returned. */
  fallback: boolean;
}

/** A value function V(h) or V(h, a). */
export interface ValueFunction {
  evaluate(history: readonly Turn[], options?: ValueOptions): Promise<ValueEstimate>;
}

/** Which candidate a pairwise judge prefers. */
export type PairwiseWinner = "a" | "b" | "tie";

/** A pairwise verdict with the votes behind it (candidates named as passed, not as shown). */
export interface JudgeVerdict {
  winner: PairwiseWinner;
  /** For both-orders judging: whether the two orders agreed; for majority voting: always true. */
  consistent: boolean;
  votes: { a: number; b: number; tie: number; invalid: number };
}

/** A pairwise judge of two candidate replies after the same history. */
export interface PairwiseJudge {
  compare(history: readonly Turn[], a: string, b: string, options?: RoleCallOptions): Promise<JudgeVerdict>;
}

/** A user-state classification (e.g. an SOP user state). */
export interface StateClassification {
  label: string;
  fallback: boolean;
}

/** Classifies the user's state after the latest turn. */
export interface UserStateClassifier {
  classify(history: readonly Turn[], options?: RoleCallOptions): Promise<StateClassification>;
}
