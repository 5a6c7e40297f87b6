import { tokenizeForMetrics } from "./tokenize.js";

/** Options of {@link corpusBleu}. */
export interface BleuOptions {
  /** Highest n-gram order (default 4); uniform weights 1/N. */
  maxOrder?: number;
  /** Tokeniser applied to hypotheses and references (default {@link tokenizeForMetrics}). */
  tokenize?: (text: string) => string[];
}

/** Corpus BLEU with its parts. */
export interface BleuResult {
  /** BLEU in [0, 1] (multiply by 100 for the usual percentage). */
  bleu: number;
  /** Modified n-gram precisions p₁ … p_N. */
  precisions: number[];
  brevityPenalty: number;
  hypothesisLength: number;
  referenceLength: number;
}

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join("\u0000");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Corpus-level BLEU (Papineni et al. 2002): clipped n-gram matches and hypothesis n-gram totals are summed over the
 * corpus before dividing; BLEU = BP · exp(Σ (1/N) log pₙ) with no smoothing (0 when any pₙ is 0); the brevity
 * penalty BP = exp(1 − r/c) when c < r, r summing each sentence's closest reference length (the shorter on ties).
 * Each hypothesis has one or more references.
 */
export function corpusBleu(
  hypotheses: readonly string[],
  references: readonly (string | readonly string[])[],
  options: BleuOptions = {},
): BleuResult {
  if (hypotheses.length !== references.length) {
    throw new Error(`corpusBleu: ${hypotheses.length} hypotheses but ${references.length} reference sets`);
  }
  const maxOrder = options.maxOrder ?? 4;
  const tokenize = options.tokenize ?? tokenizeForMetrics;
  const matches = new Array<number>(maxOrder).fill(0);
  const totals = new Array<number>(maxOrder).fill(0);
  let hypothesisLength = 0;
  let referenceLength = 0;
  hypotheses.forEach((hypothesis, i) => {
    const hyp = tokenize(hypothesis);
    const refsRaw = references[i]!;
    const refs = (typeof refsRaw === "string" ? [refsRaw] : refsRaw).map(tokenize);
    if (refs.length === 0) throw new Error(`corpusBleu: hypothesis ${i} has no reference`);
    hypothesisLength += hyp.length;
    referenceLength += refs
      .map((ref) => ref.length)
      .reduce((best, len) => {
        const d = Math.abs(len - hyp.length);
        const bd = Math.abs(best - hyp.length);
        return d < bd || (d === bd && len < best) ? len : best;
      });
    for (let n = 1; n <= maxOrder; n++) {
      const hypCounts = ngramCounts(hyp, n);
      const maxRef = new Map<string, number>();
      for (const ref of refs) {
        for (const [gram, count] of ngramCounts(ref, n)) maxRef.set(gram, Math.max(maxRef.get(gram) ?? 0, count));
      }
      for (const [gram, count] of hypCounts) {
        matches[n - 1]! += Math.min(count, maxRef.get(gram) ?? 0);
        totals[n - 1]! += count;
      }
    }
  });
  const precisions = matches.map((m, i) => (totals[i]! === 0 ? 0 : m / totals[i]!));
  const brevityPenalty =
    hypothesisLength === 0 ? 0 : hypothesisLength < referenceLength ? Math.exp(1 - referenceLength / hypothesisLength) : 1;
  const bleu = precisions.some((p) => p === 0)
    ? 0
    : brevityPenalty * Math.exp(precisions.reduce((sum, p) => sum + Math.log(p), 0) / maxOrder);
  return { bleu, precisions, brevityPenalty, hypothesisLength, referenceLength };
}
