/** The padding symbol before a sequence's first act. */
export const NGRAM_START = "<s>";

/**
 * An act n-gram model with Witten-Bell interpolation: P(w | h) = (c(h, w) + T(h)·P(w | h′)) / (c(h) + T(h)), where
 * T(h) is the number of distinct acts seen after h and h′ drops h's oldest act; the order-0 base is add-one
 * smoothed over the vocabulary, so every act of the vocabulary keeps a positive probability.
 */
export class ActNgramModel {
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly unigrams = new Map<string, number>();
  private totalUnigrams = 0;

  /** A model of the given order (3 = trigram) over a fixed act vocabulary. */
  constructor(
    readonly vocabulary: readonly string[],
    readonly order = 3,
  ) {
    if (!Number.isInteger(order) || order < 1) throw new Error(`n-gram order must be an integer ≥ 1, got ${order}`);
    if (vocabulary.length === 0) throw new Error("n-gram vocabulary is empty");
  }

  /** Counts every n-gram (all orders) of one act sequence, padded with {@link NGRAM_START}. */
  addSequence(acts: readonly string[]): void {
    const padded = [...Array<string>(this.order - 1).fill(NGRAM_START), ...acts];
    for (let i = this.order - 1; i < padded.length; i++) {
      const act = padded[i]!;
      if (!this.vocabulary.includes(act)) throw new Error(`act "${act}" is not in the n-gram vocabulary (${this.vocabulary.join(", ")})`);
      this.unigrams.set(act, (this.unigrams.get(act) ?? 0) + 1);
      this.totalUnigrams++;
      for (let length = 1; length < this.order; length++) {
        const key = padded.slice(i - length, i).join("\u0000");
        let next = this.counts.get(key);
        if (!next) {
          next = new Map();
          this.counts.set(key, next);
        }
        next.set(act, (next.get(act) ?? 0) + 1);
      }
    }
  }

  /** P(act | the acts so far); only the last order − 1 acts matter, and a short history is start-padded. */
  probability(history: readonly string[], act: string): number {
    return this.distribution(history).get(act) ?? 0;
  }

  /** The whole next-act distribution after the history, in vocabulary order; sums to 1. */
  distribution(history: readonly string[]): Map<string, number> {
    const padded = [...Array<string>(this.order - 1).fill(NGRAM_START), ...history];
    const denominator = this.totalUnigrams + this.vocabulary.length;
    let probs = this.vocabulary.map((act) => ((this.unigrams.get(act) ?? 0) + 1) / denominator);
    for (let length = 1; length < this.order; length++) {
      const context = padded.slice(padded.length - length).join("\u0000");
      const next = this.counts.get(context);
      if (!next) continue;
      let total = 0;
      for (const count of next.values()) total += count;
      const types = next.size;
      probs = this.vocabulary.map((act, i) => ((next.get(act) ?? 0) + types * probs[i]!) / (total + types));
    }
    return new Map(this.vocabulary.map((act, i) => [act, probs[i]!]));
  }

  /** Mean negative log-likelihood per act (nats) of sequences under the model. */
  crossEntropy(sequences: readonly (readonly string[])[]): number {
    let total = 0;
    let n = 0;
    for (const sequence of sequences) {
      for (let i = 0; i < sequence.length; i++) {
        total -= Math.log(this.probability(sequence.slice(0, i), sequence[i]!));
        n++;
      }
    }
    if (n === 0) throw new Error("crossEntropy: no acts to score");
    return total / n;
  }
}
