/**
 * The tokenisation used by the diversity and BLEU metrics: lower-case, then words (letters, digits, apostrophes
 * inside words, `:` and `.` inside numbers such as `10:15` and `2.50`) and every other non-space character as its
 * own token. `"I'd like 2.50, please!"` → `i'd like 2.50 , please !`. MultiWOZ's pre-tokenised text is unchanged.
 */
export function tokenizeForMetrics(text: string): string[] {
  return text.toLowerCase().match(/\d+(?:[.:]\d+)+|[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]/gu) ?? [];
}
