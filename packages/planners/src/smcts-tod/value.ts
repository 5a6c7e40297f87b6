import { multiWozValueActFeatures, multiWozValueStateFeatures, MULTIWOZ_VALUE_ACT_DIM, MULTIWOZ_VALUE_STATE_DIM, type MultiWozSystemActType } from "@foresight/llm-sim";
import { scalarForward, type ScalarHeadSpec } from "@foresight/semantic-models";
import type { TodCosts, TodHistory } from "./environment.js";

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

/** V_φ(h, a) over MultiWOZ value features, evaluated in TypeScript from the model's head; caches per history. */
export class TodValueFunction {
  private readonly cache = new WeakMap<TodHistory, Float32Array>();

  constructor(
    readonly spec: ScalarHeadSpec,
    private readonly costs: () => TodCosts,
  ) {}

  /** V(h, a) for each act type (one model batch). */
  actionValues(history: TodHistory, types: readonly MultiWozSystemActType[]): Float32Array {
    const cached = this.cache.get(history);
    if (cached && cached.length === types.length) return cached;
    const stateFeatures = multiWozValueStateFeatures(history.state, history.valueHistory, history.context);
    const state = new Float32Array(types.length * MULTIWOZ_VALUE_STATE_DIM);
    const act = new Float32Array(types.length * MULTIWOZ_VALUE_ACT_DIM);
    types.forEach((type, i) => {
      state.set(stateFeatures, i * MULTIWOZ_VALUE_STATE_DIM);
      act.set(multiWozValueActFeatures([type], history.state, history.valueHistory, history.context), i * MULTIWOZ_VALUE_ACT_DIM);
    });
    const values = types.length === 0 ? new Float32Array(0) : scalarForward(this.spec, { state, act }, types.length);
    const costs = this.costs();
    costs.modelCalls += 1;
    costs.modelRows += types.length;
    costs.roleCalls.value = (costs.roleCalls.value ?? 0) + 1;
    this.cache.set(history, values);
    return values;
  }
}
