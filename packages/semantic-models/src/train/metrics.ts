/** Mean cosine similarity between corresponding rows of two [rows, dim] matrices (zero rows count as 0). */
export function meanCosine(predicted: Float32Array, actual: Float32Array, dim: number): number {
  const rows = predicted.length / dim;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    let np = 0;
    let na = 0;
    for (let j = 0; j < dim; j++) {
      const p = predicted[r * dim + j] as number;
      const a = actual[r * dim + j] as number;
      dot += p * a;
      np += p * p;
      na += a * a;
    }
    total += np > 0 && na > 0 ? dot / Math.sqrt(np * na) : 0;
  }
  return rows > 0 ? total / rows : 0;
}

/** Mean of ‖predicted_r‖ / ‖actual_r‖ over rows whose actual norm is non-zero. */
export function meanNormRatio(predicted: Float32Array, actual: Float32Array, dim: number): number {
  const rows = predicted.length / dim;
  let total = 0;
  let counted = 0;
  for (let r = 0; r < rows; r++) {
    let np = 0;
    let na = 0;
    for (let j = 0; j < dim; j++) {
      np += (predicted[r * dim + j] as number) ** 2;
      na += (actual[r * dim + j] as number) ** 2;
    }
    if (na > 0) {
      total += Math.sqrt(np / na);
      counted++;
    }
  }
  return counted > 0 ? total / counted : 0;
}

/** Coefficient of determination 1 − SS_res / SS_tot. */
export function rSquared(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  const n = actual.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += actual[i] as number;
  mean /= Math.max(n, 1);
  let res = 0;
  let tot = 0;
  for (let i = 0; i < n; i++) {
    res += ((actual[i] as number) - (predicted[i] as number)) ** 2;
    tot += ((actual[i] as number) - mean) ** 2;
  }
  return tot > 0 ? 1 - res / tot : 0;
}

/** Area under the ROC curve for binary labels (Mann–Whitney U, ties counted half). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const items = Array.from({ length: scores.length }, (_, i) => ({ s: scores[i] as number, y: (labels[i] as number) >= 0.5 ? 1 : 0 }));
  items.sort((a, b) => a.s - b.s);
  let rankSumPositive = 0;
  let positives = 0;
  let i = 0;
  while (i < items.length) {
    let j = i;
    while (j + 1 < items.length && (items[j + 1] as { s: number }).s === (items[i] as { s: number }).s) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) {
      if ((items[t] as { y: number }).y === 1) {
        rankSumPositive += averageRank;
        positives++;
      }
    }
    i = j + 1;
  }
  const negatives = items.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositive - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean squared difference between predicted probabilities and targets in [0, 1]. */
export function brierScore(probabilities: ArrayLike<number>, targets: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < targets.length; i++) total += ((probabilities[i] as number) - (targets[i] as number)) ** 2;
  return targets.length > 0 ? total / targets.length : 0;
}

/** Rounds to 4 significant decimals for manifests and reports. */
export function round4(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
