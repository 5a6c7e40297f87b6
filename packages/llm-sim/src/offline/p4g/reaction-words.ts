import { GDP_ZERO_PERSUADEE_REACTIONS, type GdpZeroPersuadeeReaction } from "@foresight/dialogue";
import { Bm25Index } from "../text/bm25.js";
import { tokenize } from "../text/tokenize.js";

/** A persuader utterance of the training dialogues with the reaction that answered it. */
export interface WordsExample {
  text: string;
  reaction: GdpZeroPersuadeeReaction;
  dialogueId: string;
}

/** Nearest training utterances whose reactions vote (k), and the pseudo-count pulling their shares to the base rates. */
const NEIGHBOURS = 20;
const SMOOTHING = 4;

const CHARITY = /save the children|charit|organi[sz]ation|\bchildren\b|\bkids?\b/i;
const DONATION = /donat|contribut|\bgive\b|\bgiving\b/i;
const NUMBER = /\d|\$/;

/** The names of the words features, in the order {@link WordsIndex.features} returns them. */
export const WORDS_FEATURES = [
  ...GDP_ZERO_PERSUADEE_REACTIONS.map((r) => `log share of "${r}" after the nearest training utterances`),
  "log(1 + tokens)",
  "asks a question",
  "names a number or amount",
  "mentions the charity or children",
  "mentions donating",
] as const;

/**
 * What the persuader's words say about the reply they will draw, read from the training dialogues: the reactions
 * that answered the most similar training utterances (BM25 over their words; the utterance's own dialogue left out,
 * so a training utterance is described as a new one would be) as smoothed log shares, and a few surface features
 * (length, a question, a number, mentions of the charity and of donating).
 */
export class WordsIndex {
  private readonly index: Bm25Index;
  private readonly base: number[];
  /** The first training dialogue holding each exact (trimmed) text: left out when that text is described. */
  private readonly dialogueOfText = new Map<string, string>();
  private readonly cache = new Map<string, number[]>();

  /** An index over the training utterances. */
  constructor(private readonly examples: readonly WordsExample[]) {
    if (examples.length === 0) throw new Error("WordsIndex: no training utterances");
    this.index = new Bm25Index(examples.map((example) => tokenize(example.text)));
    this.base = GDP_ZERO_PERSUADEE_REACTIONS.map((r) => examples.filter((e) => e.reaction === r).length / examples.length);
    for (const example of examples) {
      const key = example.text.trim();
      if (!this.dialogueOfText.has(key)) this.dialogueOfText.set(key, example.dialogueId);
    }
  }

  /**
   * The words features of an utterance ({@link WORDS_FEATURES} order); `excludeDialogue` defaults to the first
   * training dialogue that holds this exact text (none for a new text). Cached per text.
   */
  features(text: string, excludeDialogue?: string): number[] {
    const key = text.trim();
    const exclude = excludeDialogue ?? this.dialogueOfText.get(key);
    const cacheKey = `${exclude ?? ""}\u0000${key}`;
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;
    const tokens = tokenize(text);
    const counts = GDP_ZERO_PERSUADEE_REACTIONS.map(() => 0);
    let found = 0;
    // A dialogue has at most a few dozen persuader turns: asking for that many more hits leaves k after exclusion.
    for (const hit of this.index.search(tokens, { topK: NEIGHBOURS + 40 })) {
      const example = this.examples[hit.doc]!;
      if (example.dialogueId === exclude) continue;
      counts[GDP_ZERO_PERSUADEE_REACTIONS.indexOf(example.reaction)]!++;
      if (++found === NEIGHBOURS) break;
    }
    const row = [
      ...counts.map((count, r) => Math.log((count + SMOOTHING * this.base[r]!) / (found + SMOOTHING))),
      Math.log1p(tokens.length),
      text.includes("?") ? 1 : 0,
      NUMBER.test(text) ? 1 : 0,
      CHARITY.test(text) ? 1 : 0,
      DONATION.test(text) ? 1 : 0,
    ];
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(cacheKey, row);
    return row;
  }
}
