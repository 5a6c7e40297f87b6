import { createHash } from "node:crypto";
import { createRng } from "@foresight/dialogue";

/** Resamples per bootstrap confidence interval. */
export const BOOTSTRAP_RESAMPLES = 2000;

/** Mean, standard error of the mean (null below two values) and a percentile-bootstrap 95 % interval. */
export interface Summary {
  n: number;
  mean: number;
  stderr: number | null;
  ci95: [number, number];
}

/** Arithmetic mean (NaN for no values). */
export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length === 0 ? Number.NaN : sum / values.length;
}

/** Standard error of the mean from the sample standard deviation (n − 1); null with fewer than two values. */
export function standardError(values: readonly number[]): number | null {
  const n = values.length;
  if (n < 2) return null;
  const m = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - m) ** 2;
  return Math.sqrt(squares / (n - 1) / n);
}

function quantileSorted(sorted: Float64Array, q: number): number {
  // Linear interpolation between closest ranks (type 7, as R's and NumPy's default).
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (position - lo);
}

/**
 * Percentile-bootstrap 95 % interval of the mean: `resamples` resamples with replacement drawn from a generator
 * seeded by `seedLabel`, so the same values and label always give the same interval.
 */
export function bootstrapCi95(values: readonly number[], seedLabel: string, resamples = BOOTSTRAP_RESAMPLES): [number, number] {
  const n = values.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  if (n === 1) return [values[0] as number, values[0] as number];
  const rng = createRng(seedLabel);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[rng.int(n)] as number;
    means[r] = sum / n;
  }
  means.sort();
  return [quantileSorted(means, 0.025), quantileSorted(means, 0.975)];
}

/** Mean, standard error and bootstrap 95 % interval of `values` (the interval seeded by `seedLabel`). */
export function summarize(values: readonly number[], seedLabel: string): Summary {
  return { n: values.length, mean: mean(values), stderr: standardError(values), ci95: bootstrapCi95(values, seedLabel) };
}

/**
 * {@link summarize} over keyed values (a pairing key each, e.g. unit and seed), with the bootstrap seeded by `label`
 * and the set of keys and resampling them in key order: the same keys and values give the same interval wherever
 * they come from (another world, suite or order), and other keys draw other resamples.
 */
export function summarizeKeyed(entries: readonly { key: string; value: number }[], label: string): Summary {
  const sorted = [...entries].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  const keys = createHash("sha256");
  for (const entry of sorted) keys.update(`${entry.key}\n`);
  return summarize(
    sorted.map((entry) => entry.value),
    `${label}|${keys.digest("hex").slice(0, 32)}`,
  );
}
