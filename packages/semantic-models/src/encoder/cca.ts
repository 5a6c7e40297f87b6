import type { Rng } from "@foresight/dialogue";
import type { SparseVector } from "./features.js";
import type { ContrastivePair } from "./train-encoder.js";
import type { EmbeddingBagSpec } from "./hashed-graph.js";

/** Compressed sparse rows: row r holds entries indptr[r]…indptr[r+1]. */
interface Csr {
  rows: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

function toCsr(vectors: readonly SparseVector[], scale: Float64Array): Csr {
  const nnz = vectors.reduce((s, v) => s + v.indices.length, 0);
  const indptr = new Int32Array(vectors.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let k = 0;
  vectors.forEach((v, r) => {
    for (let i = 0; i < v.indices.length; i++) {
      const b = v.indices[i] as number;
      indices[k] = b;
      values[k++] = (v.values[i] as number) * (scale[b] as number);
    }
    indptr[r + 1] = k;
  });
  return { rows: vectors.length, indptr, indices, values };
}

/** out[rows, k] = X · V where V is [buckets, k]. */
function csrTimes(x: Csr, v: Float64Array, k: number): Float64Array {
  const out = new Float64Array(x.rows * k);
  for (let r = 0; r < x.rows; r++) {
    for (let p = x.indptr[r] as number; p < (x.indptr[r + 1] as number); p++) {
      const w = x.values[p] as number;
      const base = (x.indices[p] as number) * k;
      for (let j = 0; j < k; j++) out[r * k + j] = (out[r * k + j] as number) + w * (v[base + j] as number);
    }
  }
  return out;
}

/** out[buckets, k] += Xᵀ · Y where Y is [rows, k]. */
function csrTransposeTimesAdd(x: Csr, y: Float64Array, k: number, out: Float64Array): void {
  for (let r = 0; r < x.rows; r++) {
    for (let p = x.indptr[r] as number; p < (x.indptr[r + 1] as number); p++) {
      const w = x.values[p] as number;
      const base = (x.indices[p] as number) * k;
      for (let j = 0; j < k; j++) out[base + j] = (out[base + j] as number) + w * (y[r * k + j] as number);
    }
  }
}

/** Orthonormalises the k columns of a row-major [n, k] matrix in place (modified Gram–Schmidt). */
function orthonormalize(m: Float64Array, n: number, k: number): void {
  for (let j = 0; j < k; j++) {
    for (let i = 0; i < j; i++) {
      let dot = 0;
      for (let r = 0; r < n; r++) dot += (m[r * k + i] as number) * (m[r * k + j] as number);
      for (let r = 0; r < n; r++) m[r * k + j] = (m[r * k + j] as number) - dot * (m[r * k + i] as number);
    }
    let norm = 0;
    for (let r = 0; r < n; r++) norm += (m[r * k + j] as number) ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let r = 0; r < n; r++) m[r * k + j] = (m[r * k + j] as number) / norm;
  }
}

/** Eigen-decomposition of a small symmetric matrix [k, k] by cyclic Jacobi rotations: values and column vectors. */
export function symmetricEigen(a: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += (m[p * k + q] as number) ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = m[p * k + q] as number;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = ((m[q * k + q] as number) - (m[p * k + p] as number)) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < k; r++) {
          const mrp = m[r * k + p] as number;
          const mrq = m[r * k + q] as number;
          m[r * k + p] = c * mrp - s * mrq;
          m[r * k + q] = s * mrp + c * mrq;
        }
        for (let r = 0; r < k; r++) {
          const mpr = m[p * k + r] as number;
          const mqr = m[q * k + r] as number;
          m[p * k + r] = c * mpr - s * mqr;
          m[q * k + r] = s * mpr + c * mqr;
        }
        for (let r = 0; r < k; r++) {
          const vrp = v[r * k + p] as number;
          const vrq = v[r * k + q] as number;
          v[r * k + p] = c * vrp - s * vrq;
          v[r * k + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: k }, (_, i) => m[i * k + i] as number), vectors: v };
}

/** Options for the closed-form encoder fit. */
export interface CcaOptions {
  buckets: number;
  dim: number;
  /** Extra columns of the randomized subspace (accuracy of the top `dim`). */
  oversample: number;
  /** Subspace iterations. */
  iterations: number;
  /** Added to each feature's energy before whitening (shrinks rare features). */
  whitenPrior: number;
  /** Eigenvalue power applied to each direction's scale (0: all directions equal, 1: by correlation). */
  eigenPower: number;
}

/**
 * Fits the hashed-feature projection in closed form: a symmetric, diagonally whitened CCA between contexts and
 * their next utterances. With X̃ = X·D^(−1/2) (D = per-feature energy + prior), the projection is D^(−1/2)·U where
 * U holds the top eigenvectors of ½(X̃cᵀX̃r + X̃rᵀX̃c), found by randomized subspace iteration and Rayleigh–Ritz.
 * Features that co-occur across a turn boundary end up close, so contexts land near plausible replies.
 */
export function fitCcaEncoder(pairs: readonly ContrastivePair[], options: CcaOptions, rng: Rng): EmbeddingBagSpec & { eigenvalues: number[] } {
  const b = options.buckets;
  const energy = new Float64Array(b);
  for (const pair of pairs) {
    for (const v of [pair.context, pair.response]) for (let i = 0; i < v.indices.length; i++) energy[v.indices[i] as number] = (energy[v.indices[i] as number] as number) + (v.values[i] as number) ** 2 / 2;
  }
  const scale = energy.map((e) => 1 / Math.sqrt(e + options.whitenPrior));
  const xc = toCsr(pairs.map((p) => p.context), scale);
  const xr = toCsr(pairs.map((p) => p.response), scale);
  const k = options.dim + options.oversample;
  const apply = (q: Float64Array): Float64Array => {
    const out = new Float64Array(b * k);
    csrTransposeTimesAdd(xc, csrTimes(xr, q, k), k, out);
    csrTransposeTimesAdd(xr, csrTimes(xc, q, k), k, out);
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / 2;
    return out;
  };
  let q: Float64Array = Float64Array.from({ length: b * k }, () => rng.next() * 2 - 1);
  orthonormalize(q, b, k);
  for (let it = 0; it < options.iterations; it++) {
    q = apply(q);
    orthonormalize(q, b, k);
  }
  const mq = apply(q);
  const small = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
    let dot = 0;
    for (let r = 0; r < b; r++) dot += (q[r * k + i] as number) * (mq[r * k + j] as number);
    small[i * k + j] = dot;
  }
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) {
    const avg = ((small[i * k + j] as number) + (small[j * k + i] as number)) / 2;
    small[i * k + j] = avg;
    small[j * k + i] = avg;
  }
  const { values, vectors } = symmetricEigen(small, k);
  const order = Array.from({ length: k }, (_, i) => i).sort((x, y) => (values[y] as number) - (values[x] as number)).slice(0, options.dim);
  const table = new Float32Array(b * options.dim);
  order.forEach((col, j) => {
    const weight = Math.max(values[col] as number, 0) ** options.eigenPower;
    for (let r = 0; r < b; r++) {
      let u = 0;
      for (let i = 0; i < k; i++) u += (q[r * k + i] as number) * (vectors[i * k + col] as number);
      table[r * options.dim + j] = u * (scale[r] as number) * weight;
    }
  });
  return { buckets: b, dim: options.dim, table, eigenvalues: order.map((c) => values[c] as number) };
}
