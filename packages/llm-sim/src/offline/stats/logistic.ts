/** A fitted logistic regression: P(y = 1 | x) = σ(w · x); include a constant 1 feature for an intercept. */
export interface LogisticModel {
  weights: number[];
  /** Newton iterations run until the step fell under the tolerance. */
  iterations: number;
}

/** Options of {@link fitLogisticRegression}. */
export interface LogisticFitOptions {
  /** L2 penalty on every weight but the first (the intercept), default 1. */
  l2?: number;
  /** Per-example weights (default 1 each). */
  sampleWeights?: readonly number[];
  maxIterations?: number;
  /** Stop when the largest weight change is below this (default 1e-8). */
  tolerance?: number;
}

/** The logistic function 1 / (1 + e^−z). */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** σ(w · x) of a fitted model. */
export function predictLogistic(model: LogisticModel, features: readonly number[]): number {
  if (features.length !== model.weights.length) {
    throw new Error(`expected ${model.weights.length} features, got ${features.length}`);
  }
  let z = 0;
  for (let i = 0; i < features.length; i++) z += model.weights[i]! * features[i]!;
  return sigmoid(z);
}

/** Solves A x = b in place by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(a[row]![col]!) > Math.abs(a[pivot]![col]!)) pivot = row;
    if (Math.abs(a[pivot]![col]!) < 1e-12) throw new Error("logistic regression: singular Hessian (add L2 or drop a constant feature)");
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    for (let row = col + 1; row < n; row++) {
      const factor = a[row]![col]! / a[col]![col]!;
      for (let k = col; k < n; k++) a[row]![k]! -= factor * a[col]![k]!;
      b[row]! -= factor * b[col]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let row = n - 1; row >= 0; row--) {
    let sum = b[row]!;
    for (let k = row + 1; k < n; k++) sum -= a[row]![k]! * x[k]!;
    x[row] = sum / a[row]![row]!;
  }
  return x;
}

/**
 * Fits a weighted, L2-penalised logistic regression by Newton's method (iteratively reweighted least squares),
 * which converges in a handful of steps for the few features used here.
 */
export function fitLogisticRegression(features: readonly (readonly number[])[], labels: readonly number[], options: LogisticFitOptions = {}): LogisticModel {
  const n = features.length;
  if (n === 0) throw new Error("logistic regression: no examples");
  if (labels.length !== n) throw new Error(`logistic regression: ${n} feature rows but ${labels.length} labels`);
  const d = features[0]!.length;
  const l2 = options.l2 ?? 1;
  const sampleWeights = options.sampleWeights ?? new Array<number>(n).fill(1);
  const tolerance = options.tolerance ?? 1e-8;
  let weights = new Array<number>(d).fill(0);
  let iterations = 0;
  for (; iterations < (options.maxIterations ?? 100); iterations++) {
    const gradient = weights.map((w, j) => (j === 0 ? 0 : l2 * w));
    const hessian = weights.map((_, j) => weights.map((__, k) => (j === k && j !== 0 ? l2 : 0)));
    for (let i = 0; i < n; i++) {
      const x = features[i]!;
      if (x.length !== d) throw new Error(`logistic regression: row ${i} has ${x.length} features, expected ${d}`);
      const p = predictLogistic({ weights, iterations }, x);
      const s = sampleWeights[i]!;
      const r = s * (p - labels[i]!);
      const c = s * p * (1 - p);
      for (let j = 0; j < d; j++) {
        gradient[j]! += r * x[j]!;
        for (let k = 0; k < d; k++) hessian[j]![k]! += c * x[j]! * x[k]!;
      }
    }
    const step = solve(hessian, gradient);
    weights = weights.map((w, j) => w - step[j]!);
    if (Math.max(...step.map(Math.abs)) < tolerance) {
      iterations++;
      break;
    }
  }
  return { weights, iterations };
}

/**
 * The area under the ROC curve: the probability that a random positive scores above a random negative, ties
 * counting one half (the Mann–Whitney statistic). Throws when either class is absent.
 */
export function areaUnderRoc(scores: readonly number[], labels: readonly number[]): number {
  if (scores.length !== labels.length) throw new Error("AUC: scores and labels differ in length");
  const order = scores.map((score, i) => ({ score, label: labels[i]! })).sort((a, b) => a.score - b.score);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j]!.score === order[i]!.score) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (order[k]!.label === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) throw new Error("AUC needs at least one positive and one negative example");
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
