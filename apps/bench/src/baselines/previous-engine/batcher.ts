import { MctsModelError } from "./tree.js";
import type { StepResult } from "./types.js";

interface Waiter {
  resolve(value: number): void;
  reject(error: unknown): void;
}

/** Checks that a model value is a finite number, naming the method otherwise. */
export function checkedValue(method: string, value: unknown): number {
  if (typeof value !== "number" || !(value > -Infinity && value < Infinity)) {
    throw new MctsModelError(method, `value is ${String(value)}, not a finite number`);
  }
  return value;
}

/** Gathers leaf evaluations into batches for `evaluateBatch`. */
export class LeafBatcher<S> {
  private states: S[] = [];
  private waiters: Waiter[] = [];

  /** A batcher calling `evaluate` with at most `size` states at a time. */
  constructor(
    private readonly evaluate: (states: readonly S[]) => ArrayLike<number> | PromiseLike<ArrayLike<number>>,
    readonly size: number,
  ) {}

  /** Number of states waiting for the next batch. */
  get pending(): number {
    return this.states.length;
  }

  /** Queues a state; resolves with its value once its batch is evaluated. */
  request(state: S): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.states.push(state);
      this.waiters.push({ resolve, reject });
    });
  }

  /** Sends up to `size` queued states to the model. */
  flush(): void {
    const states = this.states.splice(0, this.size);
    const waiters = this.waiters.splice(0, this.size);
    if (states.length === 0) return;
    Promise.resolve()
      .then(() => this.evaluate(states))
      .then((values) => {
        if (!values || values.length !== states.length) {
          throw new MctsModelError("evaluateBatch", `returned ${values?.length ?? "no"} values for ${states.length} states`);
        }
        const checked = Array.from({ length: states.length }, (_, i) => checkedValue("evaluateBatch", values[i]));
        for (let i = 0; i < waiters.length; i++) waiters[i]!.resolve(checked[i]!);
      })
      .catch((error: unknown) => {
        for (const waiter of waiters) waiter.reject(error);
      });
  }
}

/** Copies a step result at once, since models may reuse one result object. */
export function copyStep<S>(result: StepResult<S>): StepResult<S> {
  if (result === null || typeof result !== "object") throw new MctsModelError("step", `must return {state, reward, terminal}, got ${String(result)}`);
  const reward = result.reward;
  if (!(reward > -Infinity && reward < Infinity)) throw new MctsModelError("step", `reward is ${String(reward)}, not a finite number`);
  return { state: result.state, reward, terminal: result.terminal === true };
}

