import { encode as encodeCl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { encode as encodeO200k } from "gpt-tokenizer/encoding/o200k_base";
import type { Turn } from "@foresight/dialogue";
import { discountedReturn, perTurnRewards } from "./discount.js";

/** The BPE encodings available for counting tokens (`gpt-tokenizer`): GPT-3.5/4's and GPT-4o's. */
export type TokenEncoding = "cl100k_base" | "o200k_base";

/** The encoding used when none is named: `cl100k_base`. */
export const DEFAULT_TOKEN_ENCODING: TokenEncoding = "cl100k_base";

const ENCODERS: Record<TokenEncoding, (text: string) => number[]> = {
  cl100k_base: encodeCl100k,
  o200k_base: encodeO200k,
};

/** The number of BPE tokens of a text under the named encoding (SCOPE's human-engagement reward). */
export function tokenLength(text: string, encoding: TokenEncoding = DEFAULT_TOKEN_ENCODING): number {
  const encoder = ENCODERS[encoding];
  if (!encoder) throw new Error(`unknown token encoding "${String(encoding)}"; known: ${Object.keys(ENCODERS).join(", ")}`);
  return text.length === 0 ? 0 : encoder(text).length;
}

/**
 * The number of questions in a text (SCOPE's engagement check counts the questions the human asks): each run of
 * `?` (including the full-width `？`) that ends a clause counts once, so "Really?? Why?" has two.
 */
export function countQuestions(text: string): number {
  return (text.match(/[?？]+/g) ?? []).length;
}

/** Options of the dialogue-level engagement rewards. */
export interface EngagementOptions {
  encoding?: TokenEncoding;
  /** Discount per human turn (default 1: plain sum). */
  gamma?: number;
}

/** Per-turn token lengths of the human's (`user`) replies. */
export function humanReplyLengths(turns: readonly Turn[], encoding: TokenEncoding = DEFAULT_TOKEN_ENCODING): number[] {
  return perTurnRewards(turns, (turn) => tokenLength(turn.text, encoding), "user");
}

/** Cumulative (optionally discounted) token length of the human's replies: SCOPE's engagement reward. */
export function humanEngagementReward(turns: readonly Turn[], options: EngagementOptions = {}): number {
  return discountedReturn(humanReplyLengths(turns, options.encoding), options.gamma ?? 1);
}

/** Cumulative (optionally discounted) number of questions the human asks. */
export function humanQuestionReward(turns: readonly Turn[], options: Pick<EngagementOptions, "gamma"> = {}): number {
  return discountedReturn(perTurnRewards(turns, (turn) => countQuestions(turn.text), "user"), options.gamma ?? 1);
}
