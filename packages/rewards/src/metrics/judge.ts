/** A judge's verdict on one ordering of a pair: the response shown first wins, the second wins, or a tie. */
export type PairVerdict = "first" | "second" | "tie";

/** One comparison of A against B, judged twice: A shown first, then B shown first. */
export interface SwappedJudgement {
  aFirst: PairVerdict;
  bFirst: PairVerdict;
}

/** Outcome of one comparison from A's point of view, or `inconsistent` when the two orders disagree. */
export type ComparisonOutcome = "win" | "tie" | "loss" | "inconsistent";

/** Resolves both orders to A's outcome; the verdict counts only when both orders agree. */
export function resolveSwappedJudgement(judgement: SwappedJudgement): ComparisonOutcome {
  const fromA = (verdict: PairVerdict, aIsFirst: boolean): "win" | "tie" | "loss" =>
    verdict === "tie" ? "tie" : (verdict === "first") === aIsFirst ? "win" : "loss";
  const one = fromA(judgement.aFirst, true);
  const two = fromA(judgement.bFirst, false);
  return one === two ? one : "inconsistent";
}

/** Win/tie/loss counts of A against B with position-swap consistency. */
export interface WinTieLoss {
  wins: number;
  ties: number;
  losses: number;
  /** Comparisons whose two orders disagreed; excluded from the rates. */
  inconsistent: number;
  total: number;
  /** Rates over the consistent comparisons (NaN when there are none). */
  winRate: number;
  tieRate: number;
  lossRate: number;
  /** Share of comparisons whose orders agreed. */
  consistency: number;
}

/** Counts wins, ties and losses of A over position-swapped judgements, excluding inconsistent ones. */
export function winTieLoss(judgements: readonly SwappedJudgement[]): WinTieLoss {
  const counts = { win: 0, tie: 0, loss: 0, inconsistent: 0 };
  for (const judgement of judgements) counts[resolveSwappedJudgement(judgement)]++;
  const consistent = counts.win + counts.tie + counts.loss;
  const rate = (n: number): number => (consistent === 0 ? Number.NaN : n / consistent);
  return {
    wins: counts.win,
    ties: counts.tie,
    losses: counts.loss,
    inconsistent: counts.inconsistent,
    total: judgements.length,
    winRate: rate(counts.win),
    tieRate: rate(counts.tie),
    lossRate: rate(counts.loss),
    consistency: judgements.length === 0 ? Number.NaN : consistent / judgements.length,
  };
}
