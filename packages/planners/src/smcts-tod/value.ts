import { RecentMap } from "@foresight/dialogue";
import { multiWozValueActFeatures, multiWozValueStateFeatures, MULTIWOZ_VALUE_ACT_DIM, MULTIWOZ_VALUE_STATE_DIM, type MultiWozSystemActType } from "@foresight/llm-sim";
import { scalarForward, type ScalarHeadSpec } from "@foresight/semantic-models";
import { chargeValueBatch, type TodCosts, type TodHistory } from "./environment.js";

/** softmax(x / τ) of a vector (τ > 0). */
export function softmaxWithTemperature(values: ArrayLike<number>, temperature: number): number[] {
  if (!(temperature > 0)) throw new RangeError(`temperature must be > 0, got ${temperature}`);
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) hi = Math.max(hi, values[i]!);
  const exps = Array.from(values, (v) => Math.exp((v - hi) / temperature));
  const z = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / z);
}

/** V̄(h) = Σ_a π_eval(a|h)·V(h, a) with π_eval = softmax(V/τ_eval) (Eq. 10–11). */
export function stateValue(actionValues: ArrayLike<number>, tauEval: number): number {
  if (actionValues.length === 0) return 0;
  const pi = softmaxWithTemperature(actionValues, tauEval);
  return pi.reduce((sum, p, i) => sum + p * actionValues[i]!, 0);
}

/** P(a|h) = λ·P_θ(a|h) + (1 − λ)·softmax(V(h, a)/τ_v) (Eq. 13–14). */
export function mixedPrior(basePrior: ArrayLike<number>, actionValues: ArrayLike<number>, lambda: number, tauV: number): number[] {
  if (!(lambda >= 0 && lambda <= 1)) throw new RangeError(`lambda must be in [0, 1], got ${lambda}`);
  if (basePrior.length !== actionValues.length) throw new RangeError(`prior has ${basePrior.length} entries, values ${actionValues.length}`);
  const valuePrior = lambda === 1 ? Array.from(basePrior, () => 0) : softmaxWithTemperature(actionValues, tauV);
  return Array.from(basePrior, (p, i) => lambda * p + (1 - lambda) * valuePrior[i]!);
}

/**
 * V(h, a) computed once per history and act: the mixed prior of a node and its V̄ (Eq. 10–15) ask for the same
 * history, a realization drawn again from a cache is the same history, and an open-loop node asks each
 * realization's prior over the node's acts, which may differ from the realization's own. The acts not known yet are
 * computed in one batch (`compute` gets only those).
 */
export function valuesPerHistory<H extends object, A>(compute: (history: H, acts: readonly A[]) => ArrayLike<number>): (history: H, acts: readonly A[]) => number[] {
  const cache = new WeakMap<H, Map<A, number>>();
  return (history, acts) => {
    let known = cache.get(history);
    if (!known) {
      known = new Map();
      cache.set(history, known);
    }
    const missing = acts.filter((act) => !known.has(act));
    if (missing.length > 0) {
      const values = compute(history, missing);
      missing.forEach((act, i) => known.set(act, values[i]!));
    }
    return acts.map((act) => known.get(act)!);
  };
}

/** A feature vector as an exact map key (its bytes). */
function featureKey(features: Float32Array): string {
  return Buffer.from(features.buffer, features.byteOffset, features.byteLength).toString("latin1");
}

/**
 * V by a row's state and act features, per value model: histories that other replies and other planning calls reach
 * often read the same (a best-of-K step's candidates differ in their texts), and the network gives a row the same
 * value in any batch. The latest {@link VALUE_CACHE_ROWS} rows of a model are kept.
 */
const valuesByFeatures = new WeakMap<ScalarHeadSpec, RecentMap<string, number>>();
const VALUE_CACHE_ROWS = 1 << 15;

/** V_φ(h, a) over MultiWOZ value features, evaluated in TypeScript from the model's head; one batch per history. */
export class TodValueFunction {
  /** V(h, a) for each act type (one model batch for the acts not valued at `h` yet, charged to the costs). */
  readonly actionValues: (history: TodHistory, types: readonly MultiWozSystemActType[]) => number[];
  private readonly byFeatures: RecentMap<string, number>;

  constructor(
    readonly spec: ScalarHeadSpec,
    private readonly costs: () => TodCosts,
  ) {
    this.actionValues = valuesPerHistory((history: TodHistory, types: readonly MultiWozSystemActType[]) => this.compute(history, types));
    let byFeatures = valuesByFeatures.get(spec);
    if (!byFeatures) {
      byFeatures = new RecentMap(VALUE_CACHE_ROWS);
      valuesByFeatures.set(spec, byFeatures);
    }
    this.byFeatures = byFeatures;
  }

  private compute(history: TodHistory, types: readonly MultiWozSystemActType[]): number[] {
    const stateFeatures = multiWozValueStateFeatures(history.state, history.valueHistory, history.context);
    const stateKey = featureKey(stateFeatures);
    const rows = types.map((type) => {
      const act = multiWozValueActFeatures([type], history.state, history.valueHistory, history.context);
      return { key: stateKey + featureKey(act), act };
    });
    const known = rows.map((row) => this.byFeatures.get(row.key));
    const missing = [...new Map(rows.filter((_, i) => known[i] === undefined).map((row) => [row.key, row])).values()];
    if (missing.length > 0) {
      const state = new Float32Array(missing.length * MULTIWOZ_VALUE_STATE_DIM);
      const act = new Float32Array(missing.length * MULTIWOZ_VALUE_ACT_DIM);
      missing.forEach((row, i) => {
        state.set(stateFeatures, i * MULTIWOZ_VALUE_STATE_DIM);
        act.set(row.act, i * MULTIWOZ_VALUE_ACT_DIM);
      });
      const values = scalarForward(this.spec, { state, act }, missing.length);
      missing.forEach((row, i) => this.byFeatures.set(row.key, values[i]!));
    }
    // Charged as the model batch an uncached evaluation would run.
    chargeValueBatch(this.costs(), types.length);
    // A row computed here is among the latest kept (a history has at most a dozen acts).
    return rows.map((row, i) => known[i] ?? this.byFeatures.get(row.key)!);
  }
}
