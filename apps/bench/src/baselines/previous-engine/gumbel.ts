/**
 * The visit counts Sequential Halving considers at each simulation index (Karnin et al. 2013, as used by Gumbel
 * MuZero): the considered actions are visited round-robin, each phase gets ⌊n / (⌈log₂ m⌉ · considered)⌋ rounds
 * (at least one), and the number of considered actions halves (down to two) after every phase.
 */
export function consideredVisitSequence(maxConsidered: number, simulations: number): number[] {
  if (maxConsidered <= 1) return Array.from({ length: simulations }, (_, i) => i);
  const log2max = Math.ceil(Math.log2(maxConsidered));
  const sequence: number[] = [];
  const visits = new Array<number>(maxConsidered).fill(0);
  let considered = maxConsidered;
  while (sequence.length < simulations) {
    const extra = Math.max(1, Math.floor(simulations / (log2max * considered)));
    for (let round = 0; round < extra; round++) {
      for (let i = 0; i < considered; i++) sequence.push(visits[i]!);
      for (let i = 0; i < considered; i++) visits[i]! += 1;
    }
    considered = Math.max(2, Math.floor(considered / 2));
  }
  return sequence.slice(0, simulations);
}

/**
 * Gumbel MuZero's final choice: among the most-visited root actions, the one with the highest
 * g + logits + σ(completed q). Returns the index into the given arrays.
 */
export function gumbelFinalIndex(gumbel: ArrayLike<number>, logits: ArrayLike<number>, q: ArrayLike<number>, visits: ArrayLike<number>): number {
  let maxVisit = -Infinity;
  let maxLogit = -Infinity;
  for (let i = 0; i < visits.length; i++) {
    if (visits[i]! > maxVisit) maxVisit = visits[i]!;
    if (logits[i]! > maxLogit) maxLogit = logits[i]!;
  }
  let best = 0;
  let bestScore = -Infinity;
  for (let i = 0; i < visits.length; i++) {
    if (visits[i] !== maxVisit) continue;
    const g = i < gumbel.length ? gumbel[i]! : 0;
    const score = Math.max(-1e9, g + logits[i]! - maxLogit + q[i]!);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}
