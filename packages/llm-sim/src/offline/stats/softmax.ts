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
  return softmaxProbabilities(model.weights, features);
}

/**
 * The class probabilities of a row, with plain loops: the hot path of fitting (once per row per Newton step). Each
 * sum runs from 0 in feature order, so the result is the same to the bit as the obvious map/reduce.
 */
function softmaxProbabilities(weights: readonly ArrayLike<number>[], features: ArrayLike<number>): number[] {
  const classes = weights.length;
  const d = features.length;
  const z = new Array<number>(classes);
  let hi = -Infinity;
  for (let c = 0; c < classes; c++) {
    const row = weights[c]!;
    let sum = 0;
    for (let j = 0; j < d; j++) sum += row[j]! * features[j]!;
    z[c] = sum;
    hi = Math.max(hi, sum);
  }
  let total = 0;
  for (let c = 0; c < classes; c++) total += z[c] = Math.exp(z[c]! - hi);
  for (let c = 0; c < classes; c++) z[c] = z[c]! / total;
  return z;
}

/** Solves A x = b (A symmetric positive definite) by Cholesky decomposition. */
export function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
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
 * Adds one row's terms to the Hessian's upper blocks, kept as `pairs[(j · d + k) · blocks + b]` for block b = (c, c2),
 * c ≤ c2 (the blocks of one feature pair side by side): each entry gains (w_b · x_j) · x_k, over the row's nonzero
 * features, k ≥ j, and k < j where neither is an indicator (see {@link fitSoftmaxRegression}).
 */
function addRowToHessian(pairs: Float64Array, d: number, w: Float64Array, wx: Float64Array, nz: Int32Array, values: Float64Array, gen: Int32Array, genValues: Float64Array, indicator: Uint8Array): void {
  const blocks = w.length;
  for (let a = 0; a < nz.length; a++) {
    const j = nz[a]!;
    const xj = values[a]!;
    for (let b = 0; b < blocks; b++) wx[b] = w[b]! * xj;
    for (let t = a; t < nz.length; t++) {
      const base = (j * d + nz[t]!) * blocks;
      const xk = values[t]!;
      for (let b = 0; b < blocks; b++) pairs[base + b]! += wx[b]! * xk;
    }
    if (indicator[j]) continue;
    for (let g = 0; g < gen.length && gen[g]! < j; g++) {
      const base = (j * d + gen[g]!) * blocks;
      const xk = genValues[g]!;
      for (let b = 0; b < blocks; b++) pairs[base + b]! += wx[b]! * xk;
    }
  }
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
  // Typed rows throughout (the same doubles): arrays whose element kind changes from integers to doubles would make
  // the optimised loops bail out.
  let weights = initial ? initial.map((row) => Float64Array.from(row)) : Array.from({ length: classes }, () => new Float64Array(d));
  // The Hessian sums run over each row's nonzero features only (most are indicators or counts that are 0): a skipped
  // term is a finite number times 0, whose addition leaves every entry unchanged (entries are never −0). And where
  // feature j or k is an indicator (0 or 1 in every row), the terms of entries (j, k) and (k, j) are the same numbers
  // ((w · 1) · x = (w · x) · 1), so only one of the two is summed and then copied. Each entry still sums the same
  // terms in row order, so the fit is the same to the bit as with dense sums.
  const rows = features.map((x) => Float64Array.from(x));
  const indicator = new Uint8Array(d).fill(1);
  rows.forEach((x, i) => {
    for (let j = 0; j < d; j++) {
      const v = x[j]!;
      if (!Number.isFinite(v)) throw new Error(`softmax regression: row ${i} has a feature that is not a finite number`);
      if (v !== 0 && v !== 1) indicator[j] = 0;
    }
  });
  const nonzero = rows.map((x) => Int32Array.from(x.keys()).filter((j) => x[j] !== 0));
  const nonzeroValues = rows.map((x, i) => Float64Array.from(nonzero[i]!, (j) => x[j]!));
  const general = nonzero.map((nz) => nz.filter((j) => !indicator[j]));
  const generalValues = rows.map((x, i) => Float64Array.from(general[i]!, (j) => x[j]!));
  const blockClasses: [number, number][] = [];
  for (let c = 0; c < classes; c++) for (let c2 = c; c2 < classes; c2++) blockClasses.push([c, c2]);
  const blocks = blockClasses.length;
  const w = new Float64Array(blocks);
  const wx = new Float64Array(blocks);
  let iterations = 0;
  for (; iterations < (options.maxIterations ?? 50); iterations++) {
    const gradient = new Float64Array(m);
    const pairs = new Float64Array(d * d * blocks);
    for (let c = 0; c < classes; c++) for (let j = 0; j < d; j++) gradient[c * d + j] = penalty(j) * weights[c]![j]!;
    blockClasses.forEach(([c, c2], b) => {
      if (c === c2) for (let j = 0; j < d; j++) pairs[(j * d + j) * blocks + b] = penalty(j);
    });
    for (let i = 0; i < n; i++) {
      const x = rows[i]!;
      const p = softmaxProbabilities(weights, x);
      for (let c = 0; c < classes; c++) {
        const r = p[c]! - (labels[i] === c ? 1 : 0);
        for (let j = 0; j < d; j++) gradient[c * d + j]! += r * x[j]!;
      }
      blockClasses.forEach(([c, c2], b) => (w[b] = c === c2 ? p[c]! * (1 - p[c]!) : -p[c]! * p[c2]!));
      addRowToHessian(pairs, d, w, wx, nonzero[i]!, nonzeroValues[i]!, general[i]!, generalValues[i]!, indicator);
    }
    // The full Hessian: entry (j, k), k < j, of an indicator from (k, j); the blocks c > c2 mirror c < c2.
    const hessian = new Float64Array(m * m);
    blockClasses.forEach(([c, c2], b) => {
      for (let j = 0; j < d; j++) {
        for (let k = 0; k < d; k++) {
          const value = k < j && (indicator[j] || indicator[k]) ? pairs[(k * d + j) * blocks + b]! : pairs[(j * d + k) * blocks + b]!;
          hessian[(c * d + j) * m + c2 * d + k] = value;
          if (c !== c2) hessian[(c2 * d + k) * m + c * d + j] = value;
        }
      }
    });
    const step = solveSpd(hessian, gradient, m);
    weights = weights.map((row, c) => row.map((w, j) => w - step[c * d + j]!));
    let largest = 0;
    for (const s of step) largest = Math.max(largest, Math.abs(s));
    if (largest < tolerance) return { weights: weights.map((row) => Array.from(row)), iterations: iterations + 1 };
  }
  return { weights: weights.map((row) => Array.from(row)), iterations };
}
