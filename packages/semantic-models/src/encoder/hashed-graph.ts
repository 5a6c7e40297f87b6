import { GraphBuilder } from "../onnx/graph.js";
import { OnnxDataType, type ModelMessage } from "../onnx/proto.js";
import type { PackedSparseBatch } from "./features.js";

/** A learned projection of hashed features: row b of `table` ([buckets, dim]) is bucket b's embedding. */
export interface EmbeddingBagSpec {
  buckets: number;
  dim: number;
  table: Float32Array;
}

/** Smallest norm divided by when normalising (an empty text embeds to the zero vector). */
export const EMBEDDING_NORM_EPS = 1e-8;

/**
 * Builds the encoder graph: `indices` (int64) and `weights` [N, L] → Σ_l weights·table[indices] → L2-normalised
 * `embedding` [N, dim].
 */
export function buildEmbeddingBagGraph(spec: EmbeddingBagSpec, docString: string): ModelMessage {
  if (spec.table.length !== spec.buckets * spec.dim) throw new Error(`embedding table: expected ${spec.buckets * spec.dim} values, got ${spec.table.length}`);
  const g = new GraphBuilder();
  const indices = g.input("indices", ["batch", "features"], OnnxDataType.INT64);
  const weights = g.input("weights", ["batch", "features"]);
  const table = g.constFloat("table", [spec.buckets, spec.dim], spec.table);
  const gathered = g.node("Gather", [table, indices], { axis: 0 }, "gathered");
  const weighted = g.node("Mul", [gathered, g.node("Unsqueeze", [weights, g.constInt64("axis2", [1], [2])], {}, "weights3")], {}, "weighted");
  const summed = g.node("ReduceSum", [weighted, g.constInt64("axis1", [1], [1])], { keepdims: 0 }, "summed");
  const norm = g.node("ReduceL2", [summed], { axes: [1], keepdims: 1 }, "norm");
  const safe = g.node("Max", [norm, g.constFloat("eps", [], [EMBEDDING_NORM_EPS])], {}, "safe_norm");
  g.output("embedding", g.node("Div", [summed, safe], {}, "normalised"), ["batch", spec.dim]);
  return g.build("hashed_encoder", docString);
}

/** The same computation in plain TypeScript: [rows, dim]. */
export function embeddingBagForward(spec: EmbeddingBagSpec, batch: PackedSparseBatch): Float32Array {
  const out = new Float32Array(batch.rows * spec.dim);
  for (let r = 0; r < batch.rows; r++) {
    const row = out.subarray(r * spec.dim, (r + 1) * spec.dim);
    for (let l = 0; l < batch.width; l++) {
      const w = batch.weights[r * batch.width + l] as number;
      if (w === 0) continue;
      const index = Number(batch.indices[r * batch.width + l]);
      for (let j = 0; j < spec.dim; j++) row[j] = (row[j] as number) + w * (spec.table[index * spec.dim + j] as number);
    }
    let norm = 0;
    for (let j = 0; j < spec.dim; j++) norm += (row[j] as number) ** 2;
    const scale = 1 / Math.max(Math.sqrt(norm), EMBEDDING_NORM_EPS);
    for (let j = 0; j < spec.dim; j++) row[j] = (row[j] as number) * scale;
  }
  return out;
}
