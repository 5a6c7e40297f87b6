import type { Rng } from "@foresight/dialogue";
import { GraphBuilder } from "../onnx/graph.js";
import type { ModelMessage } from "../onnx/proto.js";
import { appendMlp, appendNormalizer, mlpForward, normalizeRows, type MlpWeights, type Normalizer } from "../mlp.js";

/** How a mixture head is parameterised: M independently trained Gaussian MLPs, or one MDN with K components. */
export type MixtureKind = "ensemble" | "mdn";

/** One named vector input of a head. */
export interface HeadInput {
  name: string;
  dim: number;
}

/**
 * A head that predicts a mixture of K diagonal Gaussians over a `outDim` vector. Inputs are concatenated and
 * normalised; the networks predict the normalised residual target − Σ(residualInputs), which is de-normalised and
 * added back. Ensemble: each member outputs [μ | log σ] (2·outDim) and the mixture is uniform over members.
 * MDN: one network outputs [logits (K) | μ (K·outDim) | log σ (K·outDim)].
 */
export interface MixtureHeadSpec {
  kind: MixtureKind;
  inputs: HeadInput[];
  outDim: number;
  residualInputs: string[];
  inputNorm: Normalizer;
  targetNorm: Normalizer;
  components: number;
  networks: MlpWeights[];
  logStdMin: number;
  logStdMax: number;
}

/** Mixture parameters for a batch: means and stds [rows, K, dim], weights [rows, K]. */
export interface MixtureParams {
  rows: number;
  components: number;
  dim: number;
  mean: Float32Array;
  std: Float32Array;
  weights: Float32Array;
}

/** Checks a spec's shapes; throws naming what does not fit. */
export function validateMixtureSpec(spec: MixtureHeadSpec): void {
  const inDim = spec.inputs.reduce((s, i) => s + i.dim, 0);
  if (spec.inputNorm.mean.length !== inDim) throw new Error(`mixture head: inputNorm has ${spec.inputNorm.mean.length} dims, inputs have ${inDim}`);
  if (spec.targetNorm.mean.length !== spec.outDim) throw new Error(`mixture head: targetNorm has ${spec.targetNorm.mean.length} dims, outDim is ${spec.outDim}`);
  for (const name of spec.residualInputs) {
    const input = spec.inputs.find((i) => i.name === name);
    if (!input || input.dim !== spec.outDim) throw new Error(`mixture head: residual input "${name}" must be an input of dim ${spec.outDim}`);
  }
  const expectedOut = spec.kind === "ensemble" ? 2 * spec.outDim : spec.components * (1 + 2 * spec.outDim);
  if (spec.kind === "ensemble" && spec.networks.length !== spec.components) throw new Error(`ensemble: ${spec.networks.length} members for ${spec.components} components`);
  if (spec.kind === "mdn" && spec.networks.length !== 1) throw new Error(`mdn: expected one network, got ${spec.networks.length}`);
  for (const net of spec.networks) {
    const first = net.layers[0];
    const last = net.layers[net.layers.length - 1];
    if (!first || !last || first.inDim !== inDim || last.outDim !== expectedOut) throw new Error(`mixture head: network must map ${inDim} → ${expectedOut}`);
  }
}

/** Builds the ONNX graph: inputs by name → outputs `mean`, `std` [N, K, d] and `weights` [N, K]. */
export function buildMixtureGraph(spec: MixtureHeadSpec, docString: string): ModelMessage {
  validateMixtureSpec(spec);
  const g = new GraphBuilder();
  const d = spec.outDim;
  const k = spec.components;
  const names = spec.inputs.map((i) => g.input(i.name, ["batch", i.dim]));
  const concatenated = names.length === 1 ? (names[0] as string) : g.node("Concat", names, { axis: 1 }, "features");
  const x = appendNormalizer(g, concatenated, spec.inputNorm, "input");
  let mu: string;
  let logStd: string;
  let weights: string;
  const axis1 = g.constInt64("axis1", [1], [1]);
  if (spec.kind === "ensemble") {
    const outs = spec.networks.map((net, m) => g.node("Unsqueeze", [appendMlp(g, x, net, `member${m}`), axis1], {}, `member${m}_out`));
    const stacked = outs.length === 1 ? (outs[0] as string) : g.node("Concat", outs, { axis: 1 }, "members");
    const axis2 = g.constInt64("axis2", [1], [2]);
    mu = g.node("Slice", [stacked, g.constInt64("mu_start", [1], [0]), g.constInt64("mu_end", [1], [d]), axis2], {}, "mu");
    logStd = g.node("Slice", [stacked, g.constInt64("ls_start", [1], [d]), g.constInt64("ls_end", [1], [2 * d]), axis2], {}, "log_std_raw");
    const batch = g.node("Slice", [g.node("Shape", [concatenated]), g.constInt64("b_start", [1], [0]), g.constInt64("b_end", [1], [1])], {}, "batch_size");
    const shape = g.node("Concat", [batch, g.constInt64("k", [1], [k])], { axis: 0 }, "weights_shape");
    weights = g.node("Expand", [g.constFloat("uniform", [1, k], new Float32Array(k).fill(1 / k)), shape], {}, "weights");
  } else {
    const raw = appendMlp(g, x, spec.networks[0] as MlpWeights, "mdn");
    const slice = (stem: string, start: number, end: number) =>
      g.node("Slice", [raw, g.constInt64(`${stem}_start`, [1], [start]), g.constInt64(`${stem}_end`, [1], [end]), axis1], {}, stem);
    const shape3 = g.constInt64("shape3", [3], [-1, k, d]);
    weights = g.node("Softmax", [slice("logits", 0, k)], { axis: 1 }, "weights");
    mu = g.node("Reshape", [slice("mu_flat", k, k + k * d), shape3], {}, "mu");
    logStd = g.node("Reshape", [slice("log_std_flat", k + k * d, k + 2 * k * d), shape3], {}, "log_std_raw");
  }
  const clipped = g.node("Clip", [logStd, g.constFloat("ls_min", [], [spec.logStdMin]), g.constFloat("ls_max", [], [spec.logStdMax])], {}, "log_std");
  const targetStd = g.constFloat("target_std", [d], spec.targetNorm.std);
  const std = g.node("Mul", [g.node("Exp", [clipped]), targetStd], {}, "std");
  let mean = g.node("Add", [g.node("Mul", [mu, targetStd]), g.constFloat("target_mean", [d], spec.targetNorm.mean)], {}, "mean_residual");
  if (spec.residualInputs.length > 0) {
    const residualNames = spec.residualInputs.map((r) => names[spec.inputs.findIndex((i) => i.name === r)] as string);
    const base = residualNames.length === 1 ? (residualNames[0] as string) : g.node("Sum", residualNames, {}, "base");
    mean = g.node("Add", [mean, g.node("Unsqueeze", [base, axis1], {}, "base3")], {}, "mean_full");
  }
  g.output("mean", mean, ["batch", k, d]);
  g.output("std", std, ["batch", k, d]);
  g.output("weights", weights, ["batch", k]);
  return g.build(`${spec.kind}_head`, docString);
}

/** Concatenates named row-major inputs into one [rows, Σdim] matrix in the head's input order. */
export function concatInputs(inputs: readonly HeadInput[], values: Record<string, Float32Array>, rows: number): Float32Array {
  const total = inputs.reduce((s, i) => s + i.dim, 0);
  const out = new Float32Array(rows * total);
  let offset = 0;
  for (const input of inputs) {
    const v = values[input.name];
    if (!v || v.length !== rows * input.dim) throw new Error(`input "${input.name}": expected ${rows * input.dim} values, got ${v?.length ?? 0}`);
    for (let r = 0; r < rows; r++) out.set(v.subarray(r * input.dim, (r + 1) * input.dim), r * total + offset);
    offset += input.dim;
  }
  return out;
}

/** The same computation as the ONNX graph, in plain TypeScript (the reference for parity tests). */
export function mixtureForward(spec: MixtureHeadSpec, values: Record<string, Float32Array>, rows: number): MixtureParams {
  validateMixtureSpec(spec);
  const d = spec.outDim;
  const k = spec.components;
  const x = normalizeRows(concatInputs(spec.inputs, values, rows), rows, spec.inputNorm);
  const mean = new Float32Array(rows * k * d);
  const std = new Float32Array(rows * k * d);
  const weights = new Float32Array(rows * k);
  const set = (r: number, c: number, j: number, mu: number, ls: number) => {
    const clipped = Math.min(Math.max(ls, spec.logStdMin), spec.logStdMax);
    let base = 0;
    for (const name of spec.residualInputs) base += (values[name] as Float32Array)[r * d + j] as number;
    mean[(r * k + c) * d + j] = mu * (spec.targetNorm.std[j] as number) + (spec.targetNorm.mean[j] as number) + base;
    std[(r * k + c) * d + j] = Math.exp(clipped) * (spec.targetNorm.std[j] as number);
  };
  if (spec.kind === "ensemble") {
    spec.networks.forEach((net, c) => {
      const out = mlpForward(net, x, rows);
      for (let r = 0; r < rows; r++) {
        weights[r * k + c] = 1 / k;
        for (let j = 0; j < d; j++) set(r, c, j, out[r * 2 * d + j] as number, out[r * 2 * d + d + j] as number);
      }
    });
  } else {
    const width = k * (1 + 2 * d);
    const out = mlpForward(spec.networks[0] as MlpWeights, x, rows);
    for (let r = 0; r < rows; r++) {
      const row = r * width;
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, out[row + c] as number);
      let z = 0;
      for (let c = 0; c < k; c++) z += Math.exp((out[row + c] as number) - max);
      for (let c = 0; c < k; c++) {
        weights[r * k + c] = Math.exp((out[row + c] as number) - max) / z;
        for (let j = 0; j < d; j++) set(r, c, j, out[row + k + c * d + j] as number, out[row + k + k * d + c * d + j] as number);
      }
    }
  }
  return { rows, components: k, dim: d, mean, std, weights };
}

/** A standard normal draw (Box–Muller) from the seeded generator. */
export function normalSample(rng: Rng): number {
  let u = rng.next();
  while (u <= 1e-12) u = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** Picks a component index from weights [offset, offset + k) by inverse CDF. */
function pickComponent(weights: Float32Array, offset: number, k: number, u: number): number {
  let acc = 0;
  for (let c = 0; c < k; c++) {
    acc += weights[offset + c] as number;
    if (u < acc) return c;
  }
  return k - 1;
}

/** Fills `out` with standard normal draws (Marsaglia's polar method, both values of each pair used). */
export function fillStandardNormals(out: Float32Array, rng: Rng): void {
  for (let i = 0; i < out.length; i += 2) {
    let u = 0;
    let v = 0;
    let q = 0;
    do {
      u = 2 * rng.next() - 1;
      v = 2 * rng.next() - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const scale = Math.sqrt((-2 * Math.log(q)) / q);
    out[i] = u * scale;
    if (i + 1 < out.length) out[i + 1] = v * scale;
  }
}

/**
 * Draws `samplesPerRow` vectors per row: component c ~ weights, then x = μ_c + σ_c·ε. Returns
 * [rows · samplesPerRow, dim], samples of row r at rows r·samplesPerRow … (r+1)·samplesPerRow − 1.
 */
export function sampleMixture(params: MixtureParams, rng: Rng, samplesPerRow = 1): Float32Array {
  const { rows, components: k, dim: d } = params;
  const out = new Float32Array(rows * samplesPerRow * d);
  fillStandardNormals(out, rng);
  const { mean, std, weights } = params;
  for (let r = 0; r < rows; r++) {
    for (let s = 0; s < samplesPerRow; s++) {
      const c = pickComponent(weights, r * k, k, rng.next());
      const base = (r * k + c) * d;
      const target = (r * samplesPerRow + s) * d;
      for (let j = 0; j < d; j++) out[target + j] = (mean[base + j] as number) + (std[base + j] as number) * (out[target + j] as number);
    }
  }
  return out;
}

/** The mixture's mean per row, Σ_c w_c μ_c: [rows, dim]. */
export function mixtureMean(params: MixtureParams): Float32Array {
  const { rows, components: k, dim: d } = params;
  const out = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < k; c++) {
      const w = params.weights[r * k + c] as number;
      for (let j = 0; j < d; j++) out[r * d + j] = (out[r * d + j] as number) + w * (params.mean[(r * k + c) * d + j] as number);
    }
  }
  return out;
}
