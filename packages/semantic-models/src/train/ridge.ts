import type { MlpWeights } from "../mlp.js";

/** Solves the symmetric positive-definite system A·X = B in place by Cholesky (A [n, n], B [n, m], float64). */
function choleskySolve(a: Float64Array, b: Float64Array, n: number, m: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j] as number;
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] as number) * (l[j * n + k] as number);
      if (i === j) {
        if (sum <= 0) throw new Error("ridge: matrix is not positive definite; increase the penalty");
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / (l[j * n + j] as number);
    }
  }
  const x = new Float64Array(n * m);
  for (let c = 0; c < m; c++) {
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = b[i * m + c] as number;
      for (let k = 0; k < i; k++) sum -= (l[i * n + k] as number) * (y[k] as number);
      y[i] = sum / (l[i * n + i] as number);
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = y[i] as number;
      for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] as number) * (x[k * m + c] as number);
      x[i * m + c] = sum / (l[i * n + i] as number);
    }
  }
  return x;
}

/**
 * Closed-form ridge regression Y ≈ X·W + b minimising ‖Y − XW − b‖² + λ‖W‖² (intercept unpenalised, fitted by
 * centring). X [rows, inDim], Y [rows, outDim], row-major. Returned as a one-layer linear MLP.
 */
export function fitRidge(x: Float32Array, y: Float32Array, rows: number, inDim: number, outDim: number, lambda: number): MlpWeights {
  const xMean = new Float64Array(inDim);
  const yMean = new Float64Array(outDim);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < inDim; i++) xMean[i] = (xMean[i] as number) + (x[r * inDim + i] as number) / rows;
    for (let o = 0; o < outDim; o++) yMean[o] = (yMean[o] as number) + (y[r * outDim + o] as number) / rows;
  }
  const xtx = new Float64Array(inDim * inDim);
  const xty = new Float64Array(inDim * outDim);
  const xc = new Float64Array(inDim);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < inDim; i++) xc[i] = (x[r * inDim + i] as number) - (xMean[i] as number);
    for (let i = 0; i < inDim; i++) {
      const xi = xc[i] as number;
      if (xi === 0) continue;
      for (let j = 0; j <= i; j++) xtx[i * inDim + j] = (xtx[i * inDim + j] as number) + xi * (xc[j] as number);
      for (let o = 0; o < outDim; o++) xty[i * outDim + o] = (xty[i * outDim + o] as number) + xi * ((y[r * outDim + o] as number) - (yMean[o] as number));
    }
  }
  for (let i = 0; i < inDim; i++) {
    for (let j = 0; j < i; j++) xtx[j * inDim + i] = xtx[i * inDim + j] as number;
    xtx[i * inDim + i] = (xtx[i * inDim + i] as number) + lambda;
  }
  const w = choleskySolve(xtx, xty, inDim, outDim);
  const bias = new Float32Array(outDim);
  for (let o = 0; o < outDim; o++) {
    let b = yMean[o] as number;
    for (let i = 0; i < inDim; i++) b -= (xMean[i] as number) * (w[i * outDim + o] as number);
    bias[o] = b;
  }
  return { layers: [{ inDim, outDim, weight: Float32Array.from(w), bias, activation: "linear" }] };
}
