const WORD = /\p{Script=Han}+|[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu;
const HAN = /^\p{Script=Han}/u;

/**
 * Splits text into retrieval tokens: lower-cased words (with their apostrophe clitic, `don't`) for alphabetic
 * scripts, and for runs of Chinese characters every character plus every adjacent character bigram, since
 * Chinese is written without spaces.
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const match of text.normalize("NFKC").toLowerCase().matchAll(WORD)) {
    const word = match[0];
    if (!HAN.test(word)) {
      tokens.push(word);
      continue;
    }
    const chars = [...word];
    for (let i = 0; i < chars.length; i++) {
      tokens.push(chars[i]!);
      if (i + 1 < chars.length) tokens.push(chars[i]! + chars[i + 1]!);
    }
  }
  return tokens;
}
