import { GraphBuilder } from "../onnx/graph.js";
import type { ModelMessage } from "../onnx/proto.js";
import { appendMlp, appendNormalizer, mlpForward, normalizeRows, type MlpWeights, type Normalizer } from "../mlp.js";
import { concatInputs, type HeadInput } from "./mixture.js";

/**
 * How the network's single output becomes the head's value: `affine` de-normalises a regression target
 * (y = o·std + mean), `sigmoid` gives a probability in [0, 1].
 */
export type ScalarOutput = { kind: "affine"; mean: number; std: number } | { kind: "sigmoid" };

/** A head that maps named vector inputs (concatenated, normalised) to one number per row. */
export interface ScalarHeadSpec {
  inputs: HeadInput[];
  inputNorm: Normalizer;
  network: MlpWeights;
  output: ScalarOutput;
  outputName: string;
}

/** Checks a spec's shapes; throws naming what does not fit. */
export function validateScalarSpec(spec: ScalarHeadSpec): void {
  const inDim = spec.inputs.reduce((s, i) => s + i.dim, 0);
  if (spec.inputNorm.mean.length !== inDim) throw new Error(`scalar head: inputNorm has ${spec.inputNorm.mean.length} dims, inputs have ${inDim}`);
  const first = spec.network.layers[0];
  const last = spec.network.layers[spec.network.layers.length - 1];
  if (!first || !last || first.inDim !== inDim || last.outDim !== 1) throw new Error(`scalar head: network must map ${inDim} → 1`);
}

/** Builds the ONNX graph: inputs by name → output `outputName` of shape [N]. */
export function buildScalarGraph(spec: ScalarHeadSpec, docString: string): ModelMessage {
  validateScalarSpec(spec);
  const g = new GraphBuilder();
  const names = spec.inputs.map((i) => g.input(i.name, ["batch", i.dim]));
  const features = names.length === 1 ? (names[0] as string) : g.node("Concat", names, { axis: 1 }, "features");
  const raw = appendMlp(g, appendNormalizer(g, features, spec.inputNorm, "input"), spec.network, "net");
  const flat = g.node("Squeeze", [raw, g.constInt64("axis1", [1], [1])], {}, "flat");
  const value =
    spec.output.kind === "sigmoid"
      ? g.node("Sigmoid", [flat], {}, "probability")
      : g.node("Add", [g.node("Mul", [flat, g.constFloat("target_std", [], [spec.output.std])]), g.constFloat("target_mean", [], [spec.output.mean])], {}, "denormalised");
  g.output(spec.outputName, value, ["batch"]);
  return g.build(`${spec.outputName}_head`, docString);
}

/** The same computation in plain TypeScript. */
export function scalarForward(spec: ScalarHeadSpec, values: Record<string, Float32Array>, rows: number): Float32Array {
  validateScalarSpec(spec);
  const out = mlpForward(spec.network, normalizeRows(concatInputs(spec.inputs, values, rows), rows, spec.inputNorm), rows);
  const output = spec.output;
  return out.map((o) => (output.kind === "sigmoid" ? 1 / (1 + Math.exp(-o)) : o * output.std + output.mean));
}

/**
 * The coefficients of a linear head (one linear layer, affine output) in the input's own units: value =
 * bias + Σ_j weights_j · x_j. Throws for any other head (the harm auxiliary loss needs F_H linear, Eq. 15).
 */
export function linearHeadCoefficients(spec: ScalarHeadSpec): { weights: Float32Array; bias: number } {
  validateScalarSpec(spec);
  const [layer, ...rest] = spec.network.layers;
  if (!layer || rest.length > 0 || layer.activation !== "linear" || spec.output.kind !== "affine") throw new Error("expected a linear head (one linear layer, affine output)");
  const { mean: outMean, std: outStd } = spec.output;
  const weights = new Float32Array(layer.inDim);
  let bias = (layer.bias[0] as number) * outStd + outMean;
  for (let j = 0; j < layer.inDim; j++) {
    const w = ((layer.weight[j] as number) / (spec.inputNorm.std[j] as number)) * outStd;
    weights[j] = w;
    bias -= w * (spec.inputNorm.mean[j] as number);
  }
  return { weights, bias };
}
