import { createRng, type Rng } from "@foresight/dialogue";
import { initMlp, type Activation, type MlpWeights } from "../mlp.js";
import { ensureTfBackend, tf } from "./tf.js";

/** A loss over a batch: network output [B, out] and targets [B, t] → scalar. */
export type LossFn = (output: tf.Tensor2D, target: tf.Tensor2D) => tf.Scalar;

/** Options for training one MLP with Adam on row-major data. */
export interface TrainNetworkOptions {
  /** Layer sizes [in, hidden…, out]. */
  sizes: number[];
  hidden: Activation;
  loss: LossFn;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Decoupled L2 penalty on weights (added to the loss as weightDecay·Σw²/2). */
  weightDecay?: number;
  seed: number | string;
  /** Start from these weights instead of a fresh initialisation (fine-tuning). */
  init?: MlpWeights;
  /** Called after each epoch with the mean training loss (and the validation loss when `validation` is given). */
  onEpoch?: (epoch: number, loss: number, validationLoss?: number) => void;
  /**
   * Early stopping: after each epoch the loss on these rows is measured; training stops after `patience`
   * epochs without improvement and the weights of the best epoch are returned.
   */
  validation?: TrainData;
  /** Epochs without a better validation loss before stopping (default 1). */
  patience?: number;
}

/** Training data: inputs [rows, in] and targets [rows, t], row-major. */
export interface TrainData {
  rows: number;
  inputs: Float32Array;
  targets: Float32Array;
}

let variableCounter = 0;

/** A Fisher–Yates permutation of 0…n−1 from the seeded generator. */
export function permutation(n: number, rng: Rng): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}

/** Copies rows `order[start…end)` of a row-major matrix. */
export function gatherRows(data: Float32Array, width: number, order: Uint32Array, start: number, end: number): Float32Array {
  const out = new Float32Array((end - start) * width);
  for (let i = start; i < end; i++) {
    const r = order[i] as number;
    out.set(data.subarray(r * width, (r + 1) * width), (i - start) * width);
  }
  return out;
}

/** The MLP's forward pass on tfjs variables (same semantics as `mlpForward`). */
export function tfMlpForward(vars: Array<{ w: tf.Variable; b: tf.Variable; activation: Activation }>, x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  for (const layer of vars) {
    h = tf.add(tf.matMul(h, layer.w), layer.b);
    if (layer.activation === "relu") h = tf.relu(h);
    else if (layer.activation === "tanh") h = tf.tanh(h);
  }
  return h;
}

/**
 * Trains an MLP with Adam and seeded initialisation and shuffling (TensorFlow.js autodiff; WASM backend where it
 * loads). Returns the trained weights as plain arrays.
 */
export async function trainNetwork(data: TrainData, options: TrainNetworkOptions): Promise<MlpWeights> {
  await ensureTfBackend();
  const rng = createRng(options.seed);
  const inDim = options.sizes[0] as number;
  const targetDim = data.targets.length / data.rows;
  if (data.inputs.length !== data.rows * inDim) throw new Error(`trainNetwork: inputs have ${data.inputs.length} values, expected ${data.rows}×${inDim}`);
  if (!Number.isInteger(targetDim)) throw new Error(`trainNetwork: ${data.targets.length} targets do not divide into ${data.rows} rows`);
  const variableId = ++variableCounter;
  const init = options.init ?? initMlp(options.sizes, options.hidden, rng.fork("init"));
  const vars = init.layers.map((layer, i) => ({
    w: tf.variable(tf.tensor2d(layer.weight, [layer.inDim, layer.outDim]), true, `mlp${variableId}_w${i}`),
    b: tf.variable(tf.tensor1d(layer.bias), true, `mlp${variableId}_b${i}`),
    activation: layer.activation,
  }));
  const optimizer = tf.train.adam(options.learningRate);
  const shuffle = rng.fork("shuffle");
  const snapshot = () => Promise.all(vars.map(async (v) => ({ w: new Float32Array(await v.w.data()), b: new Float32Array(await v.b.data()) })));
  let best: { loss: number; weights: Array<{ w: Float32Array; b: Float32Array }> } | undefined;
  let sinceBest = 0;
  try {
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      const order = permutation(data.rows, shuffle);
      let total = 0;
      let batches = 0;
      for (let start = 0; start < data.rows; start += options.batchSize) {
        const end = Math.min(start + options.batchSize, data.rows);
        const x = tf.tensor2d(gatherRows(data.inputs, inDim, order, start, end), [end - start, inDim]);
        const y = tf.tensor2d(gatherRows(data.targets, targetDim, order, start, end), [end - start, targetDim]);
        const cost = optimizer.minimize(() => {
          const loss = options.loss(tfMlpForward(vars, x), y);
          if (!options.weightDecay) return loss;
          const penalty = vars.reduce<tf.Scalar>((acc, v) => tf.add(acc, tf.sum(tf.square(v.w))), tf.scalar(0));
          return tf.add(loss, tf.mul(penalty, options.weightDecay / 2));
        }, true);
        total += cost ? (await cost.data())[0] ?? 0 : 0;
        batches++;
        cost?.dispose();
        x.dispose();
        y.dispose();
      }
      const validationLoss = options.validation ? await datasetLoss(vars, options.validation, inDim, options) : undefined;
      options.onEpoch?.(epoch, total / Math.max(batches, 1), validationLoss);
      if (validationLoss !== undefined) {
        if (!best || validationLoss < best.loss) {
          best = { loss: validationLoss, weights: await snapshot() };
          sinceBest = 0;
        } else if (++sinceBest >= (options.patience ?? 1)) break;
      }
    }
    const final = best?.weights ?? (await snapshot());
    const layers = final.map((v, i) => ({ ...(init.layers[i] as MlpWeights["layers"][number]), weight: v.w, bias: v.b }));
    return { layers };
  } finally {
    optimizer.dispose();
    for (const v of vars) {
      v.w.dispose();
      v.b.dispose();
    }
  }
}

/** The mean loss over a whole data set, in batches (no gradients). */
async function datasetLoss(vars: Array<{ w: tf.Variable; b: tf.Variable; activation: Activation }>, data: TrainData, inDim: number, options: TrainNetworkOptions): Promise<number> {
  const targetDim = data.targets.length / data.rows;
  let total = 0;
  const step = Math.max(options.batchSize, 1024);
  for (let start = 0; start < data.rows; start += step) {
    const end = Math.min(start + step, data.rows);
    const value = tf.tidy(() => {
      const x = tf.tensor2d(data.inputs.subarray(start * inDim, end * inDim), [end - start, inDim]);
      const y = tf.tensor2d(data.targets.subarray(start * targetDim, end * targetDim), [end - start, targetDim]);
      return tf.mul(options.loss(tfMlpForward(vars, x), y), end - start);
    });
    total += (await value.data())[0] ?? 0;
    value.dispose();
  }
  return total / Math.max(data.rows, 1);
}
