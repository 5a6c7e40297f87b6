import { tokenizeForMetrics } from "./tokenize.js";

/** Lexical diversity of a set of responses (SMCTS-TOD's #uni, #tri and conditional bigram entropy). */
export interface DiversityStats {
  /** Number of distinct unigrams. */
  distinctUnigrams: number;
  /** Number of distinct trigrams (within a response). */
  distinctTrigrams: number;
  /** H(w_i | w_{i−1}) in bits over all bigrams within responses. */
  conditionalBigramEntropy: number;
  tokens: number;
}

/**
 * Diversity of responses tokenised with {@link tokenizeForMetrics} (or given as token lists). n-grams never cross
 * response boundaries. Conditional bigram entropy = −Σ p(u, v) · log₂ p(v | u) with p(u, v) = c(u, v) / N and
 * p(v | u) = c(u, v) / c(u, ·), N the number of bigrams; 0 when there are none.
 */
export function diversity(responses: readonly (string | readonly string[])[]): DiversityStats {
  const unigrams = new Set<string>();
  const trigrams = new Set<string>();
  const bigrams = new Map<string, Map<string, number>>();
  let tokens = 0;
  let bigramTotal = 0;
  for (const response of responses) {
    const words = typeof response === "string" ? tokenizeForMetrics(response) : response;
    tokens += words.length;
    words.forEach((word, i) => {
      unigrams.add(word);
      if (i >= 2) trigrams.add(`${words[i - 2]}\u0000${words[i - 1]}\u0000${word}`);
      if (i >= 1) {
        const row = bigrams.get(words[i - 1]!) ?? new Map<string, number>();
        row.set(word, (row.get(word) ?? 0) + 1);
        bigrams.set(words[i - 1]!, row);
        bigramTotal++;
      }
    });
  }
  let entropy = 0;
  for (const row of bigrams.values()) {
    let rowTotal = 0;
    for (const count of row.values()) rowTotal += count;
    for (const count of row.values()) entropy -= (count / bigramTotal) * Math.log2(count / rowTotal);
  }
  return {
    distinctUnigrams: unigrams.size,
    distinctTrigrams: trigrams.size,
    conditionalBigramEntropy: entropy === 0 ? 0 : entropy,
    tokens,
  };
}
