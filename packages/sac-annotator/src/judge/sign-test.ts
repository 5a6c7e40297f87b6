function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  const high = Math.max(a, b);
  return high + Math.log1p(Math.exp(Math.min(a, b) - high));
}

/** log P(X ≤ k) for X ~ Binomial(n, 1/2), summed exactly term by term in log space (no overflow for large n). */
export function logBinomialLowerTail(k: number, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  if (k < 0) return Number.NEGATIVE_INFINITY;
  if (k >= n) return 0;
  let logTerm = -n * Math.LN2; // log P(X = 0)
  let total = logTerm;
  for (let i = 0; i < k; i++) {
    logTerm += Math.log(n - i) - Math.log(i + 1); // P(X = i + 1) from P(X = i)
    total = logAddExp(total, logTerm);
  }
  return Math.min(0, total);
}

/**
 * Two-sided exact sign test of wins against losses (ties excluded): p = min(1, 2·P(X ≤ min(w, l))) with
 * X ~ Binomial(w + l, 1/2). 1 when there are no decisive comparisons.
 */
export function signTest(wins: number, losses: number): number {
  for (const [name, value] of [["wins", wins], ["losses", losses]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
  const n = wins + losses;
  if (n === 0) return 1;
  return Math.min(1, 2 * Math.exp(logBinomialLowerTail(Math.min(wins, losses), n)));
}
