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

/** An MDN output [logits (K) | μ (K·d) | log σ (K·d)] split into its parts (log σ clipped as the exported graph does). */
function mdnParts(output: tf.Tensor2D, components: number, dim: number, logStdMin: number, logStdMax: number) {
  const k = components;
  return {
    logWeights: tf.logSoftmax(tf.slice(output, [0, 0], [-1, k])),
    mu: tf.reshape(tf.slice(output, [0, k], [-1, k * dim]), [-1, k, dim]),
    logStd: tf.clipByValue(tf.reshape(tf.slice(output, [0, k + k * dim], [-1, k * dim]), [-1, k, dim]), logStdMin, logStdMax),
  };
}

/** log N(y; μ_k, σ_k²) per row and component [B, K] for diagonal Gaussians μ, log σ [B, K, d] and y [B, d]. */
function componentLogLikelihood(y: tf.Tensor, mu: tf.Tensor, logStd: tf.Tensor, dim: number): tf.Tensor {
  const z = tf.div(tf.sub(tf.expandDims(y, 1), mu), tf.exp(logStd));
  return tf.neg(tf.add(tf.sum(tf.add(logStd, tf.mul(tf.square(z), 0.5)), 2), HALF_LOG_2PI * dim));
}

/**
 * Negative log-likelihood of a mixture of K diagonal Gaussians whose network output is
 * [logits (K) | μ (K·d) | log σ (K·d)]: −log Σ_k softmax(logits)_k · N(y; μ_k, σ_k²).
 */
export function mdnNllLoss(components: number, dim: number, logStdMin: number, logStdMax: number): LossFn {
  return (output, target) => {
    const { logWeights, mu, logStd } = mdnParts(output, components, dim, logStdMin, logStdMax);
    return tf.neg(tf.mean(tf.logSumExp(tf.add(logWeights, componentLogLikelihood(target, mu, logStd, dim)), 1))) as tf.Scalar;
  };
}

/** Keeps the harm variance u^T Σ_k u away from zero (numerical guard only; far below any fitted variance). */
export const HARM_VARIANCE_FLOOR = 1e-10;

/**
 * SCOPE's auxiliary-loss MDN (paper Eq. 13–15): the joint likelihood of the next state and of its harmfulness
 * score, −log Σ_k φ_k N(y; μ_k, Σ_k) N(h; u·μ_k, uᵀΣ_k u). The harm head is linear in the state, so in the MDN's
 * normalised residual units it is h = c + u·y with a per-row offset c: targets are [y (d) | h − c] and `harmDirection`
 * is u (d). The harm of component k then has mean u·μ_k and variance Σ_j u_j² σ_kj² (Eq. 15 with a diagonal Σ_k).
 */
export function mdnHarmNllLoss(components: number, dim: number, harmDirection: Float32Array, logStdMin: number, logStdMax: number): LossFn {
  if (harmDirection.length !== dim) throw new Error(`harm direction has ${harmDirection.length} values, the state has ${dim}`);
  const direction = Array.from(harmDirection);
  const squared = direction.map((v) => v * v);
  return (output, target) => {
    const { logWeights, mu, logStd } = mdnParts(output, components, dim, logStdMin, logStdMax);
    const y = tf.slice(target, [0, 0], [-1, dim]);
    const harm = tf.slice(target, [0, dim], [-1, 1]);
    const harmMean = tf.sum(tf.mul(mu, tf.tensor1d(direction)), 2);
    const harmVariance = tf.add(tf.sum(tf.mul(tf.exp(tf.mul(logStd, 2)), tf.tensor1d(squared)), 2), HARM_VARIANCE_FLOOR);
    const harmLog = tf.neg(tf.add(tf.add(tf.div(tf.mul(tf.square(tf.sub(harm, harmMean)), 0.5), harmVariance), tf.mul(tf.log(harmVariance), 0.5)), HALF_LOG_2PI));
    const joint = tf.add(tf.add(logWeights, componentLogLikelihood(y, mu, logStd, dim)), harmLog);
    return tf.neg(tf.mean(tf.logSumExp(joint, 1))) as tf.Scalar;
  };
}
