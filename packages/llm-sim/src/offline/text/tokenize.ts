const WORD = /\p{Script=Han}+|[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu;
const HAN = /^\p{Script=Han}/u;
// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;
const ASCII_WORD = /[a-z0-9]+(?:'[a-z]+)?/g;

/**
 * Splits text into retrieval tokens: lower-cased words (with their apostrophe clitic, `don't`) for alphabetic
 * scripts, and for runs of Chinese characters every character plus every adjacent character bigram, since
 * Chinese is written without spaces.
 */
export function tokenize(text: string): string[] {
  if (ASCII.test(text)) return text.toLowerCase().match(ASCII_WORD) ?? [];
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
