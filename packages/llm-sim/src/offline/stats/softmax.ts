/** A fitted multinomial logistic (softmax) regression: P(y = c | x) ∝ exp(w_c · x); include a constant 1 feature. */
export interface SoftmaxModel {
  /** One weight row per class. */
  weights: number[][];
  /** Newton steps taken. */
  iterations: number;
}

/** Options of {@link fitSoftmaxRegression}. */
export interface SoftmaxFitOptions {
  /** L2 penalty on every weight but the first feature's (the intercept), default 1. */
  l2?: number;
  /** Newton steps at most (default 50). */
  maxIterations?: number;
  /** Stop when the largest weight change is below this (default 1e-7). */
  tolerance?: number;
  /** Weights to start Newton's method from (default all zero), e.g. the fit at a nearby penalty. */
  initial?: readonly (readonly number[])[];
}

/** The class probabilities of one feature row. */
export function predictSoftmax(model: SoftmaxModel, features: readonly number[]): number[] {
  const d = model.weights[0]!.length;
  if (features.length !== d) throw new Error(`expected ${d} features, got ${features.length}`);
  const z = model.weights.map((row) => row.reduce((sum, w, j) => sum + w * features[j]!, 0));
  const hi = Math.max(...z);
  const e = z.map((v) => Math.exp(v - hi));
  const total = e.reduce((sum, v) => sum + v, 0);
  return e.map((v) => v / total);
}

/** Solves A x = b (A symmetric positive definite) by Cholesky decomposition. */
function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new Error("softmax regression: the Hessian is not positive definite (increase l2)");
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / l[j * n + j]!;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * y[k]!;
    y[i] = sum / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return x;
}

/**
 * Fits an L2-penalised softmax regression by Newton's method (the objective is convex; a handful of steps reach the
 * optimum for the few dozen features used here). The intercepts get a tiny penalty (1e-6) so that the
 * over-parameterised softmax has a unique optimum. `labels` are class indexes in [0, classes).
 */
export function fitSoftmaxRegression(
  features: readonly (readonly number[])[],
  labels: readonly number[],
  classes: number,
  options: SoftmaxFitOptions = {},
): SoftmaxModel {
  const n = features.length;
  if (n === 0) throw new Error("softmax regression: no examples");
  if (labels.length !== n) throw new Error(`softmax regression: ${n} feature rows but ${labels.length} labels`);
  const d = features[0]!.length;
  for (let i = 0; i < n; i++) {
    if (features[i]!.length !== d) throw new Error(`softmax regression: row ${i} has ${features[i]!.length} features, expected ${d}`);
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) throw new Error(`softmax regression: label ${label} of row ${i} is not a class index below ${classes}`);
  }
  const l2 = options.l2 ?? 1;
  const tolerance = options.tolerance ?? 1e-7;
  const m = classes * d;
  const penalty = (j: number) => (j === 0 ? 1e-6 : l2);
  const initial = options.initial;
  if (initial && (initial.length !== classes || initial.some((row) => row.length !== d))) throw new Error(`softmax regression: initial weights must be ${classes} rows of ${d}`);
  let weights = initial ? initial.map((row) => [...row]) : Array.from({ length: classes }, () => new Array<number>(d).fill(0));
  let iterations = 0;
  for (; iterations < (options.maxIterations ?? 50); iterations++) {
    const gradient = new Float64Array(m);
    const hessian = new Float64Array(m * m);
    for (let c = 0; c < classes; c++) {
      for (let j = 0; j < d; j++) {
        gradient[c * d + j] = penalty(j) * weights[c]![j]!;
        hessian[(c * d + j) * m + c * d + j] = penalty(j);
      }
    }
    const model = { weights, iterations };
    for (let i = 0; i < n; i++) {
      const x = features[i]!;
      const p = predictSoftmax(model, x);
      for (let c = 0; c < classes; c++) {
        const r = p[c]! - (labels[i] === c ? 1 : 0);
        for (let j = 0; j < d; j++) gradient[c * d + j]! += r * x[j]!;
        for (let c2 = c; c2 < classes; c2++) {
          const w = c === c2 ? p[c]! * (1 - p[c]!) : -p[c]! * p[c2]!;
          if (w === 0) continue;
          for (let j = 0; j < d; j++) {
            const xj = w * x[j]!;
            if (xj === 0) continue;
            const rowBase = (c * d + j) * m + c2 * d;
            for (let k = 0; k < d; k++) hessian[rowBase + k]! += xj * x[k]!;
          }
        }
      }
    }
    // Mirror the blocks computed for c ≤ c2 into c > c2.
    for (let c = 0; c < classes; c++) {
      for (let c2 = c + 1; c2 < classes; c2++) {
        for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) hessian[(c2 * d + k) * m + c * d + j] = hessian[(c * d + j) * m + c2 * d + k]!;
      }
    }
    const step = solveSpd(hessian, gradient, m);
    weights = weights.map((row, c) => row.map((w, j) => w - step[c * d + j]!));
    let largest = 0;
    for (const s of step) largest = Math.max(largest, Math.abs(s));
    if (largest < tolerance) return { weights, iterations: iterations + 1 };
  }
  return { weights, iterations };
}
