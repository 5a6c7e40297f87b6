import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from "obscenity";
import type { HarmScore, HarmfulnessScorer } from "./types.js";

/** The lexicon stand-in's synchronous interface (the async {@link HarmfulnessScorer} wraps it). */
export interface LexiconHarmfulnessScorer extends HarmfulnessScorer {
  /** The distinct lexicon terms found in the text, in order of first appearance. */
  matches(text: string): string[];
  scoreSync(text: string): HarmScore;
}

/**
 * A **stand-in** harmfulness scorer for when no safety classifier is served: it looks the text up in the English
 * profanity/slur word list of the maintained `obscenity` package (with its recommended transformers, so `fuuuck`
 * and leetspeak variants match). It detects offensive words, not harmful intent: a polite request for something
 * dangerous scores 0. With k distinct matched terms, `probability = 1 − 2^(−k)` (0, 0.5, 0.75, …) and the category
 * is `profanity`.
 */
export function createLexiconHarmfulnessScorer(): LexiconHarmfulnessScorer {
  const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  const matches = (text: string): string[] => {
    const words = matcher
      .getAllMatches(text, true)
      .map((match) => englishDataset.getPayloadWithPhraseMetadata(match).phraseMetadata?.originalWord ?? text.slice(match.startIndex, match.endIndex + 1));
    return [...new Set(words)];
  };
  const scoreSync = (text: string): HarmScore => {
    const found = matches(text);
    return { unsafe: found.length > 0, probability: 1 - 2 ** -found.length, categories: found.length > 0 ? ["profanity"] : [] };
  };
  return {
    name: "lexicon-stand-in(obscenity english dataset)",
    matches,
    scoreSync,
    score: async (text) => scoreSync(text),
  };
}
