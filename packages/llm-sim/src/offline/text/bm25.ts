/** BM25's parameters: term-frequency saturation `k1` and length normalisation `b`. */
export interface Bm25Parameters {
  k1: number;
  b: number;
}

/** The usual BM25 parameters, k1 = 1.2 and b = 0.75. */
export const DEFAULT_BM25: Bm25Parameters = Object.freeze({ k1: 1.2, b: 0.75 });

/** One retrieved document: its index in the order the documents were given, and its BM25 score. */
export interface Bm25Hit {
  doc: number;
  score: number;
}

/** Options of {@link Bm25Index.search}. */
export interface Bm25SearchOptions {
  /** How many hits to return at most (default 10). */
  topK?: number;
  /** Only documents whose index is in this set are scored (a pool such as "replies that followed act X"). */
  pool?: ReadonlySet<number>;
}

interface Postings {
  /** Documents containing the term, ascending. */
  docs: Int32Array;
  /** The term's BM25 score in each of them (weight 1), computed once at indexing. */
  scores: Float64Array;
  idf: number;
}

/** Keeps the k best (score, doc) pairs seen, with ties going to the lower document index. */
class TopK {
  private readonly docs: number[] = [];
  private readonly scores: number[] = [];

  constructor(private readonly k: number) {}

  private worse(i: number, j: number): boolean {
    const a = this.scores[i]!;
    const b = this.scores[j]!;
    return a < b || (a === b && this.docs[i]! > this.docs[j]!);
  }

  private swap(i: number, j: number): void {
    const doc = this.docs[i]!;
    const score = this.scores[i]!;
    this.docs[i] = this.docs[j]!;
    this.scores[i] = this.scores[j]!;
    this.docs[j] = doc;
    this.scores[j] = score;
  }

  push(doc: number, score: number): void {
    if (this.k <= 0) return;
    if (this.docs.length < this.k) {
      this.docs.push(doc);
      this.scores.push(score);
      for (let i = this.docs.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!this.worse(i, parent)) break;
        this.swap(i, parent);
        i = parent;
      }
      return;
    }
    const root = this.scores[0]!;
    if (score < root || (score === root && doc > this.docs[0]!)) return;
    this.docs[0] = doc;
    this.scores[0] = score;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.docs.length && this.worse(left, smallest)) smallest = left;
      if (right < this.docs.length && this.worse(right, smallest)) smallest = right;
      if (smallest === i) break;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  /** The worst kept score once k pairs are kept (a later, higher-index document must beat it to enter), else −∞. */
  floor(): number {
    return this.docs.length < this.k ? -Infinity : (this.scores[0] ?? Infinity);
  }

  sorted(): Bm25Hit[] {
    return this.docs.map((doc, i) => ({ doc, score: this.scores[i]! })).sort((a, b) => b.score - a.score || a.doc - b.doc);
  }
}

/**
 * An Okapi BM25 index over tokenised documents with an inverted index, built once and searched many times.
 * IDF is the non-negative form ln(1 + (N − n + 0.5) / (n + 0.5)); a query term repeated q times counts q times.
 */
export class Bm25Index {
  private readonly postings = new Map<string, Postings>();
  /** k1 · (1 − b + b · |d| / avgdl) per document, the length part of BM25's denominator. */
  private readonly lengthNorm: Float64Array;
  /** Per-document score accumulators of a search (all zero between searches). */
  private readonly scratch: Float64Array;
  readonly parameters: Bm25Parameters;

  /** Indexes the documents (each a token list); document i is found as hit `doc: i`. */
  constructor(documents: readonly (readonly string[])[], parameters: Partial<Bm25Parameters> = {}) {
    this.parameters = { ...DEFAULT_BM25, ...parameters };
    const { k1, b } = this.parameters;
    if (!(k1 >= 0) || !(b >= 0 && b <= 1)) throw new Error(`BM25 needs k1 ≥ 0 and 0 ≤ b ≤ 1, got k1=${k1} b=${b}`);
    const n = documents.length;
    this.scratch = new Float64Array(n);
    const building = new Map<string, { docs: number[]; freqs: number[] }>();
    let total = 0;
    documents.forEach((tokens, doc) => {
      total += tokens.length;
      const sorted = [...tokens].sort();
      for (let i = 0; i < sorted.length; ) {
        let j = i + 1;
        while (j < sorted.length && sorted[j] === sorted[i]) j++;
        const term = sorted[i]!;
        let list = building.get(term);
        if (!list) {
          list = { docs: [], freqs: [] };
          building.set(term, list);
        }
        list.docs.push(doc);
        list.freqs.push(j - i);
        i = j;
      }
    });
    const average = n === 0 ? 0 : total / n;
    this.lengthNorm = Float64Array.from(documents, (tokens) => k1 * (average === 0 ? 1 : 1 - b + (b * tokens.length) / average));
    for (const [term, list] of building) {
      const df = list.docs.length;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      const scores = Float64Array.from(list.docs, (doc, i) => (idf * list.freqs[i]! * (k1 + 1)) / (list.freqs[i]! + this.lengthNorm[doc]!));
      this.postings.set(term, { docs: Int32Array.from(list.docs), scores, idf });
    }
  }

  /** The number of indexed documents. */
  get size(): number {
    return this.lengthNorm.length;
  }

  /** The inverse document frequency of a term (0 for a term in no document). */
  idf(term: string): number {
    return this.postings.get(term)?.idf ?? 0;
  }

  /** The BM25 score of one document for a query. */
  score(query: readonly string[], doc: number): number {
    let total = 0;
    for (const [term, weight] of queryWeights(query)) {
      const list = this.postings.get(term);
      if (!list) continue;
      const at = list.docs.indexOf(doc);
      if (at >= 0) total += weight * list.scores[at]!;
    }
    return total;
  }

  /**
   * The documents with the highest positive score for the query, best first (ties: lower index first). Adds up the
   * postings of the query's terms only, in query order, then reads the totals back in index order and keeps the best k.
   */
  search(query: readonly string[], options: Bm25SearchOptions = {}): Bm25Hit[] {
    const top = new TopK(options.topK ?? 10);
    const pool = options.pool;
    const scores = this.scratch;
    for (const [term, weight] of queryWeights(query)) {
      const list = this.postings.get(term);
      if (!list) continue;
      const { docs, scores: termScores } = list;
      if (pool === undefined) for (let i = 0; i < docs.length; i++) scores[docs[i]!]! += weight * termScores[i]!;
      else
        for (let i = 0; i < docs.length; i++) {
          const doc = docs[i]!;
          if (pool.has(doc)) scores[doc]! += weight * termScores[i]!;
        }
    }
    // Every term score is positive: the documents with a non-zero total are the matches (read back in index order,
    // which a sequential scan does faster than keeping a list of touched documents while adding).
    let floor = top.floor();
    for (let doc = 0; doc < scores.length; doc++) {
      const score = scores[doc]!;
      if (score === 0) continue;
      scores[doc] = 0;
      // Below the worst kept score a document cannot enter (at it, the lower index kept already wins the tie).
      if (score <= floor) continue;
      top.push(doc, score);
      floor = top.floor();
    }
    return top.sorted();
  }
}

function queryWeights(query: readonly string[]): Map<string, number> {
  const weights = new Map<string, number>();
  for (const term of query) weights.set(term, (weights.get(term) ?? 0) + 1);
  return weights;
}
