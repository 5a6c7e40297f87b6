import type { Rng } from "@foresight/dialogue";

/** A mean with its standard error (sample standard deviation / √n). */
export interface MeanWithError {
  mean: number;
  standardError: number;
  n: number;
}

/** The arithmetic mean; throws on an empty sample. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error("mean of an empty sample");
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Mean ± standard error with the n − 1 sample variance (standard error 0 for a single value). */
export function meanWithStandardError(values: readonly number[]): MeanWithError {
  const m = mean(values);
  if (values.length === 1) return { mean: m, standardError: 0, n: 1 };
  const variance = values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1);
  return { mean: m, standardError: Math.sqrt(variance / values.length), n: values.length };
}

/** Formats `mean ± se` with a fixed number of decimals, e.g. `0.734 ± 0.012`. */
export function formatMeanWithError(value: MeanWithError, digits = 3): string {
  return `${value.mean.toFixed(digits)} ± ${value.standardError.toFixed(digits)}`;
}

/** Options of {@link bootstrapConfidenceInterval}. */
export interface BootstrapOptions {
  /** The seeded generator that draws the resamples. */
  rng: Rng;
  /** Number of resamples (default 1000). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  level?: number;
  /** The statistic (default the mean). */
  statistic?: (sample: readonly number[]) => number;
}

/** A bootstrap confidence interval around the statistic of the full sample. */
export interface ConfidenceInterval {
  estimate: number;
  lower: number;
  upper: number;
  level: number;
}

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/**
 * Percentile bootstrap: draw `resamples` samples of size n with replacement, take the statistic of each, and
 * return the (1−level)/2 and (1+level)/2 quantiles (linear interpolation). Same generator state, same interval.
 */
export function bootstrapConfidenceInterval(values: readonly number[], options: BootstrapOptions): ConfidenceInterval {
  if (values.length === 0) throw new Error("bootstrap of an empty sample");
  const statistic = options.statistic ?? mean;
  const resamples = options.resamples ?? 1000;
  const level = options.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`bootstrap resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be in (0, 1), got ${level}`);
  const bad = values.findIndex((value) => !Number.isFinite(value));
  if (bad >= 0) throw new RangeError(`bootstrap values must be finite numbers, but values[${bad}] is ${values[bad]}`);
  const stats: number[] = [];
  const sample = new Array<number>(values.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < values.length; i++) sample[i] = values[options.rng.int(values.length)]!;
    stats.push(statistic(sample));
  }
  stats.sort((a, b) => a - b);
  return {
    estimate: statistic(values),
    lower: quantile(stats, (1 - level) / 2),
    upper: quantile(stats, (1 + level) / 2),
    level,
  };
}
