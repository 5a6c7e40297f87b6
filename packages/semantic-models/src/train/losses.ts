import type { LossFn } from "./network.js";
import { tf } from "./tf.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Mean squared error. */
export const mseLoss: LossFn = (output, target) => tf.mean(tf.square(tf.sub(output, target)));

/** Binary cross-entropy on logits with soft targets in [0, 1] (numerically stable form). */
export const bceWithLogitsLoss: LossFn = (logits, target) =>
  tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, target)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));

/**
 * Negative log-likelihood of a diagonal Gaussian whose network output is [μ (d) | log σ (d)]; log σ is clipped to
 * [logStdMin, logStdMax] exactly as the exported graph does.
 */
export function gaussianNllLoss(dim: number, logStdMin: number, logStdMax: number): LossFn {
  return (output, target) => {
    const mu = tf.slice(output, [0, 0], [-1, dim]);
    const logStd = tf.clipByValue(tf.slice(output, [0, dim], [-1, dim]), logStdMin, logStdMax);
    const z = tf.div(tf.sub(target, mu), tf.exp(logStd));
    return tf.add(tf.mean(tf.sum(tf.add(logStd, tf.mul(tf.square(z), 0.5)), 1)), HALF_LOG_2PI * dim);
  };
}

/**
 * Negative log-likelihood of a mixture of K diagonal Gaussians whose network output is
 * [logits (K) | μ (K·d) | log σ (K·d)]: −log Σ_k softmax(logits)_k · N(y; μ_k, σ_k²).
 */
export function mdnNllLoss(components: number, dim: number, logStdMin: number, logStdMax: number): LossFn {
  return (output, target) => {
    const k = components;
    const logits = tf.slice(output, [0, 0], [-1, k]);
    const mu = tf.reshape(tf.slice(output, [0, k], [-1, k * dim]), [-1, k, dim]);
    const logStd = tf.clipByValue(tf.reshape(tf.slice(output, [0, k + k * dim], [-1, k * dim]), [-1, k, dim]), logStdMin, logStdMax);
    const z = tf.div(tf.sub(tf.expandDims(target, 1), mu), tf.exp(logStd));
    const logComponent = tf.neg(tf.add(tf.sum(tf.add(logStd, tf.mul(tf.square(z), 0.5)), 2), HALF_LOG_2PI * dim));
    const logWeights = tf.logSoftmax(logits);
    return tf.neg(tf.mean(tf.logSumExp(tf.add(logWeights, logComponent), 1))) as tf.Scalar;
  };
}
