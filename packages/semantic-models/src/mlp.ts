import { z } from "zod";
import type { Rng } from "@foresight/dialogue";
import type { GraphBuilder } from "./onnx/graph.js";

/** Activation applied after a dense layer. */
export const ActivationSchema = z.enum(["relu", "tanh", "linear"]);
export type Activation = z.infer<typeof ActivationSchema>;

/** One dense layer y = act(x·W + b); `weight` is row-major [inDim, outDim]. */
export interface DenseLayer {
  inDim: number;
  outDim: number;
  weight: Float32Array;
  bias: Float32Array;
  activation: Activation;
}

/** A multilayer perceptron: dense layers applied in order. */
export interface MlpWeights {
  layers: DenseLayer[];
}

/** Per-dimension affine normalisation x̂ = (x − mean) / std. */
export interface Normalizer {
  mean: Float32Array;
  std: Float32Array;
}

/** Checks that consecutive layers fit together and arrays have the declared sizes. */
export function validateMlp(mlp: MlpWeights, label = "mlp"): void {
  if (mlp.layers.length === 0) throw new Error(`${label}: no layers`);
  mlp.layers.forEach((layer, i) => {
    if (layer.weight.length !== layer.inDim * layer.outDim) throw new Error(`${label}.layers[${i}].weight: expected ${layer.inDim * layer.outDim} values, got ${layer.weight.length}`);
    if (layer.bias.length !== layer.outDim) throw new Error(`${label}.layers[${i}].bias: expected ${layer.outDim} values, got ${layer.bias.length}`);
    const next = mlp.layers[i + 1];
    if (next && next.inDim !== layer.outDim) throw new Error(`${label}.layers[${i + 1}].inDim ${next.inDim} does not match previous outDim ${layer.outDim}`);
  });
}

function activate(value: number, activation: Activation): number {
  if (activation === "relu") return value > 0 ? value : 0;
  if (activation === "tanh") return Math.tanh(value);
  return value;
}

/** Runs the MLP in plain TypeScript on a row-major batch [rows, inDim]; returns [rows, outDim]. */
export function mlpForward(mlp: MlpWeights, input: Float32Array, rows: number): Float32Array {
  let current = input;
  for (const layer of mlp.layers) {
    if (current.length !== rows * layer.inDim) throw new Error(`mlpForward: expected ${rows * layer.inDim} inputs, got ${current.length}`);
    const out = new Float32Array(rows * layer.outDim);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < layer.outDim; o++) {
        let sum = layer.bias[o] as number;
        for (let i = 0; i < layer.inDim; i++) sum += (current[r * layer.inDim + i] as number) * (layer.weight[i * layer.outDim + o] as number);
        out[r * layer.outDim + o] = activate(sum, layer.activation);
      }
    }
    current = out;
  }
  return current;
}

/** Applies (x − mean) / std to a row-major batch. */
export function normalizeRows(input: Float32Array, rows: number, norm: Normalizer): Float32Array {
  const dim = norm.mean.length;
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dim; j++) out[r * dim + j] = ((input[r * dim + j] as number) - (norm.mean[j] as number)) / (norm.std[j] as number);
  }
  return out;
}

/**
 * Column means and standard deviations of a row-major matrix. A column whose std is below `minStd` (constant in
 * the training data) keeps std 1 so that an unseen value at inference is not blown up.
 */
export function fitNormalizer(data: Float32Array, rows: number, dim: number, minStd = 1e-4): Normalizer {
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dim; j++) mean[j] = (mean[j] as number) + (data[r * dim + j] as number);
  }
  for (let j = 0; j < dim; j++) mean[j] = (mean[j] as number) / Math.max(rows, 1);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < dim; j++) {
      const d = (data[r * dim + j] as number) - (mean[j] as number);
      sq[j] = (sq[j] as number) + d * d;
    }
  }
  const std = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    const sd = Math.sqrt((sq[j] as number) / Math.max(rows - 1, 1));
    std[j] = sd < minStd ? 1 : sd;
  }
  return { mean: Float32Array.from(mean), std };
}

/** Appends normalisation nodes (Sub, Div) for `input` and returns the normalised value's name. */
export function appendNormalizer(graph: GraphBuilder, input: string, norm: Normalizer, stem: string): string {
  const mean = graph.constFloat(`${stem}_mean`, [norm.mean.length], norm.mean);
  const std = graph.constFloat(`${stem}_std`, [norm.std.length], norm.std);
  return graph.node("Div", [graph.node("Sub", [input, mean], {}, `${stem}_centred`), std], {}, `${stem}_normalised`);
}

/** Appends the MLP as Gemm + activation nodes after `input` ([N, inDim]) and returns the output's name. */
export function appendMlp(graph: GraphBuilder, input: string, mlp: MlpWeights, stem: string): string {
  validateMlp(mlp, stem);
  let current = input;
  mlp.layers.forEach((layer, i) => {
    const w = graph.constFloat(`${stem}_w${i}`, [layer.inDim, layer.outDim], layer.weight);
    const b = graph.constFloat(`${stem}_b${i}`, [layer.outDim], layer.bias);
    current = graph.node("Gemm", [current, w, b], {}, `${stem}_dense${i}`);
    if (layer.activation === "relu") current = graph.node("Relu", [current], {}, `${stem}_relu${i}`);
    else if (layer.activation === "tanh") current = graph.node("Tanh", [current], {}, `${stem}_tanh${i}`);
  });
  return current;
}

/** Number of parameters of an MLP. */
export function mlpParameterCount(mlp: MlpWeights): number {
  return mlp.layers.reduce((sum, l) => sum + l.weight.length + l.bias.length, 0);
}

/** Glorot-uniform weights and zero biases for layer sizes [in, h1, …, out]; hidden layers use `hidden`. */
export function initMlp(sizes: readonly number[], hidden: Activation, rng: Rng, output: Activation = "linear"): MlpWeights {
  if (sizes.length < 2) throw new Error("initMlp: need at least input and output sizes");
  const layers: DenseLayer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const inDim = sizes[i] as number;
    const outDim = sizes[i + 1] as number;
    const limit = Math.sqrt(6 / (inDim + outDim));
    const weight = new Float32Array(inDim * outDim);
    for (let j = 0; j < weight.length; j++) weight[j] = (rng.next() * 2 - 1) * limit;
    layers.push({ inDim, outDim, weight, bias: new Float32Array(outDim), activation: i + 2 === sizes.length ? output : hidden });
  }
  return { layers };
}
