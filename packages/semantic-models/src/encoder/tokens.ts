import { encode as encodeCl100k } from "gpt-tokenizer/encoding/cl100k_base";

/**
 * Number of cl100k_base BPE tokens of a text: the unit of the engagement reward (`@foresight/rewards`'
 * `tokenLength`), so the encoder's length features and the length reward model count what the bench counts.
 */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : encodeCl100k(text).length;
}
