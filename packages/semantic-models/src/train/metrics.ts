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

/** Average ranks (1-based, ties share their mean rank). */
function ranks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number));
  const out = new Float64Array(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1] as number] === values[order[i] as number]) j++;
    for (let k = i; k <= j; k++) out[order[k] as number] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}

/** Spearman's rank correlation (Pearson correlation of average ranks); 0 when either side is constant. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`spearman: ${a.length} vs ${b.length} values`);
  const ra = ranks(a);
  const rb = ranks(b);
  const n = ra.length;
  const mean = (n + 1) / 2;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    const x = (ra[i] as number) - mean;
    const y = (rb[i] as number) - mean;
    cov += x * y;
    va += x * x;
    vb += y * y;
  }
  return va === 0 || vb === 0 ? 0 : cov / Math.sqrt(va * vb);
}

/**
 * Mean within-group Spearman correlation: a and b are ranked only against the other rows of their group (e.g. the
 * candidates of one context), a group where either is constant counts 0; groups of one row are skipped.
 */
export function meanGroupSpearman(a: ArrayLike<number>, b: ArrayLike<number>, groups: ArrayLike<number>): number {
  const members = new Map<number, number[]>();
  for (let i = 0; i < groups.length; i++) {
    const list = members.get(groups[i] as number) ?? [];
    list.push(i);
    members.set(groups[i] as number, list);
  }
  let sum = 0;
  let count = 0;
  for (const rows of members.values()) {
    if (rows.length < 2) continue;
    sum += spearman(rows.map((r) => a[r] as number), rows.map((r) => b[r] as number));
    count++;
  }
  return count === 0 ? 0 : sum / count;
}

/**
 * Mean negative log-likelihood per dimension of targets [rows, d] under a mixture of diagonal Gaussians
 * (means/stds [rows, k, d], weights [rows, k]), in the targets' own units.
 */
export function mixtureNll(params: { rows: number; components: number; dim: number; mean: Float32Array; std: Float32Array; weights: Float32Array }, target: Float32Array): number {
  const { rows, components: k, dim: d } = params;
  const half = 0.5 * Math.log(2 * Math.PI);
  let total = 0;
  const logs = new Float64Array(k);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let lp = Math.log(Math.max(params.weights[r * k + c] as number, 1e-30));
      const base = (r * k + c) * d;
      for (let j = 0; j < d; j++) {
        const s = params.std[base + j] as number;
        const z = ((target[r * d + j] as number) - (params.mean[base + j] as number)) / s;
        lp -= 0.5 * z * z + Math.log(s) + half;
      }
      logs[c] = lp;
      if (lp > max) max = lp;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp((logs[c] as number) - max);
    total -= max + Math.log(sum);
  }
  return total / (rows * d);
}

/** A single diagonal Gaussian per row (means [rows, d], one std per dimension) as mixture parameters for {@link mixtureNll}. */
export function gaussianParams(mean: Float32Array, std: Float32Array, rows: number, d: number) {
  const stds = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) stds.set(std, r * d);
  return { rows, components: 1, dim: d, mean, std: stds, weights: new Float32Array(rows).fill(1) };
}
