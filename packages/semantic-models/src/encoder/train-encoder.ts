import { createRng } from "@foresight/dialogue";
import { ensureTfBackend, tf } from "../train/tf.js";
import { permutation } from "../train/network.js";
import type { SparseVector } from "./features.js";
import type { EmbeddingBagSpec } from "./hashed-graph.js";

/** One training pair: a context's features and the features of the utterance that followed it. */
export interface ContrastivePair {
  context: SparseVector;
  response: SparseVector;
}

/** Options for contrastive training of the hashed-feature projection. */
export interface ContrastiveOptions {
  buckets: number;
  dim: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Softmax temperature of the in-batch InfoNCE loss. */
  temperature: number;
  seed: number;
  onEpoch?: (epoch: number, loss: number) => void;
}

/** Scatters sparse rows into a dense [rows, buckets] matrix (the projection is then one matMul). */
function denseBatch(vectors: SparseVector[], buckets: number): tf.Tensor2D {
  const data = new Float32Array(vectors.length * buckets);
  vectors.forEach((v, row) => {
    for (let i = 0; i < v.indices.length; i++) data[row * buckets + (v.indices[i] as number)] = v.values[i] as number;
  });
  return tf.tensor2d(data, [vectors.length, buckets]);
}

function embedDense(table: tf.Variable, x: tf.Tensor2D): tf.Tensor2D {
  const summed = tf.matMul(x, table);
  const norm = tf.maximum(tf.sqrt(tf.sum(tf.square(summed), 1, true)), 1e-8);
  return tf.div(summed, norm);
}

/**
 * Learns the embedding table of a hashed-feature encoder with a symmetric in-batch InfoNCE loss between context
 * and next-utterance embeddings (the same table embeds both sides), Adam, seeded initialisation and shuffling.
 * Batches are scattered into dense [rows, buckets] matrices: TensorFlow.js's WASM backend has no sparse-gradient
 * kernel (UnsortedSegmentSum) and the CPU backend's is O(buckets · nnz), so one dense matMul is far faster.
 */
export async function trainContrastiveEncoder(pairs: readonly ContrastivePair[], options: ContrastiveOptions): Promise<EmbeddingBagSpec> {
  if (pairs.length < 2) throw new Error("contrastive training needs at least two pairs");
  await ensureTfBackend();
  const rng = createRng(options.seed);
  const init = new Float32Array(options.buckets * options.dim);
  const initRng = rng.fork("init");
  const scale = 1 / Math.sqrt(options.dim);
  for (let i = 0; i < init.length; i++) init[i] = (initRng.next() * 2 - 1) * scale * Math.sqrt(3);
  const table = tf.variable(tf.tensor2d(init, [options.buckets, options.dim]), true, `hashed_table_${options.seed}_${options.buckets}`);
  const optimizer = tf.train.adam(options.learningRate);
  const shuffle = rng.fork("shuffle");
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const order = permutation(pairs.length, shuffle);
      let total = 0;
      let batches = 0;
      for (let start = 0; start + 1 < pairs.length; start += options.batchSize) {
        const end = Math.min(start + options.batchSize, pairs.length);
        const rows = end - start;
        if (rows < 2) break;
        const chosen = Array.from(order.subarray(start, end), (i) => pairs[i] as ContrastivePair);
        const batch = denseBatch([...chosen.map((p) => p.context), ...chosen.map((p) => p.response)], options.buckets);
        const labels = tf.oneHot(tf.range(0, rows, 1, "int32"), rows);
        const cost = optimizer.minimize(() => {
          const embedded = embedDense(table, batch);
          const contexts = tf.slice(embedded, [0, 0], [rows, -1]);
          const responses = tf.slice(embedded, [rows, 0], [rows, -1]);
          const logits = tf.div(tf.matMul(contexts, responses, false, true), options.temperature);
          const forward = tf.losses.softmaxCrossEntropy(labels, logits);
          const backward = tf.losses.softmaxCrossEntropy(labels, tf.transpose(logits));
          return tf.mul(tf.add(forward, backward), 0.5) as tf.Scalar;
        }, true);
        total += cost ? (await cost.data())[0] ?? 0 : 0;
        batches++;
        cost?.dispose();
        labels.dispose();
        batch.dispose();
      }
      options.onEpoch?.(epoch, total / Math.max(batches, 1));
    }
    return { buckets: options.buckets, dim: options.dim, table: new Float32Array(await table.data()) };
  } finally {
    optimizer.dispose();
    table.dispose();
  }
}
