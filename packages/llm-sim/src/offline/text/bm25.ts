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
  pool?: ReadonlySet<number> | Uint8Array;
}

interface Postings {
  docs: number[];
  freqs: number[];
}

function inPool(pool: Bm25SearchOptions["pool"], doc: number): boolean {
  if (pool === undefined) return true;
  return pool instanceof Uint8Array ? pool[doc] === 1 : pool.has(doc);
}

/**
 * An Okapi BM25 index over tokenised documents with an inverted index, built once and searched many times.
 * IDF is the non-negative form ln(1 + (N − n + 0.5) / (n + 0.5)); a query term repeated q times counts q times.
 */
export class Bm25Index {
  private readonly postings = new Map<string, Postings>();
  private readonly lengths: Float64Array;
  private readonly averageLength: number;
  private readonly scratch: Float64Array;
  readonly parameters: Bm25Parameters;

  /** Indexes the documents (each a token list); document i is found as hit `doc: i`. */
  constructor(documents: readonly (readonly string[])[], parameters: Partial<Bm25Parameters> = {}) {
    this.parameters = { ...DEFAULT_BM25, ...parameters };
    if (!(this.parameters.k1 >= 0) || !(this.parameters.b >= 0 && this.parameters.b <= 1)) {
      throw new Error(`BM25 needs k1 ≥ 0 and 0 ≤ b ≤ 1, got k1=${this.parameters.k1} b=${this.parameters.b}`);
    }
    this.lengths = new Float64Array(documents.length);
    this.scratch = new Float64Array(documents.length);
    let total = 0;
    documents.forEach((tokens, doc) => {
      this.lengths[doc] = tokens.length;
      total += tokens.length;
      const counts = new Map<string, number>();
      for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
      for (const [term, freq] of counts) {
        let list = this.postings.get(term);
        if (!list) {
          list = { docs: [], freqs: [] };
          this.postings.set(term, list);
        }
        list.docs.push(doc);
        list.freqs.push(freq);
      }
    });
    this.averageLength = documents.length === 0 ? 0 : total / documents.length;
  }

  /** The number of indexed documents. */
  get size(): number {
    return this.lengths.length;
  }

  /** The inverse document frequency of a term (0 for a term in no document). */
  idf(term: string): number {
    const n = this.postings.get(term)?.docs.length ?? 0;
    if (n === 0) return 0;
    return Math.log(1 + (this.size - n + 0.5) / (n + 0.5));
  }

  /** The BM25 score of one document for a query. */
  score(query: readonly string[], doc: number): number {
    let total = 0;
    for (const [term, weight] of queryWeights(query)) {
      const list = this.postings.get(term);
      if (!list) continue;
      const at = list.docs.indexOf(doc);
      if (at >= 0) total += weight * this.termScore(term, list.freqs[at]!, doc);
    }
    return total;
  }

  /** The documents with the highest positive score for the query, best first (ties: lower index first). */
  search(query: readonly string[], options: Bm25SearchOptions = {}): Bm25Hit[] {
    const topK = options.topK ?? 10;
    const touched: number[] = [];
    const scores = this.scratch;
    for (const [term, weight] of queryWeights(query)) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = this.idf(term);
      for (let i = 0; i < list.docs.length; i++) {
        const doc = list.docs[i]!;
        if (!inPool(options.pool, doc)) continue;
        if (scores[doc] === 0) touched.push(doc);
        scores[doc]! += weight * idf * this.saturate(list.freqs[i]!, doc);
      }
    }
    const hits = touched.map((doc) => ({ doc, score: scores[doc]! }));
    for (const doc of touched) scores[doc] = 0;
    hits.sort((a, b) => b.score - a.score || a.doc - b.doc);
    return hits.filter((hit) => hit.score > 0).slice(0, topK);
  }

  private termScore(term: string, freq: number, doc: number): number {
    return this.idf(term) * this.saturate(freq, doc);
  }

  private saturate(freq: number, doc: number): number {
    const { k1, b } = this.parameters;
    const norm = this.averageLength === 0 ? 1 : 1 - b + (b * this.lengths[doc]!) / this.averageLength;
    return (freq * (k1 + 1)) / (freq + k1 * norm);
  }
}

function queryWeights(query: readonly string[]): Map<string, number> {
  const weights = new Map<string, number>();
  for (const term of query) weights.set(term, (weights.get(term) ?? 0) + 1);
  return weights;
}
