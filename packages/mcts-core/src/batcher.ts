import { MctsModelError } from "./tree.js";
import type { MaybePromise, StepRequest, StepResult } from "./types.js";

interface Waiter<R> {
  resolve(value: R): void;
  reject(error: unknown): void;
}

/** Checks that a model value is a finite number, naming the method otherwise. */
export function checkedValue(method: string, value: unknown): number {
  if (typeof value !== "number" || !(value > -Infinity && value < Infinity)) {
    throw new MctsModelError(method, `value is ${String(value)}, not a finite number`);
  }
  return value;
}

/** Checks a step result (an object with a finite reward), naming `method` otherwise. */
export function checkStep<S>(result: StepResult<S>, method = "step"): StepResult<S> {
  if (result === null || typeof result !== "object") throw new MctsModelError(method, `must return {state, reward, terminal}, got ${String(result)}`);
  const reward = result.reward;
  if (!(reward > -Infinity && reward < Infinity)) throw new MctsModelError(method, `reward is ${String(reward)}, not a finite number`);
  return result;
}

/** Checks and copies a step result at once, since models may reuse one result object. */
export function copyStep<S>(result: StepResult<S>, method = "step"): StepResult<S> {
  checkStep(result, method);
  return { state: result.state, reward: result.reward, terminal: result.terminal === true };
}

/**
 * Gathers single requests into batched model calls: `request` queues one item and resolves with its answer once
 * `flush` has sent its batch (at most `size` items) to `run`. `check` turns a batch's raw answers into checked
 * ones, throwing (naming the method) when they do not fit.
 */
export class RequestBatcher<T, R> {
  private items: T[] = [];
  private waiters: Waiter<R>[] = [];

  /** A batcher calling `run` with at most `size` items at a time. */
  constructor(
    private readonly run: (items: readonly T[]) => MaybePromise<ArrayLike<unknown>>,
    readonly size: number,
    private readonly check: (answers: ArrayLike<unknown> | undefined, count: number) => R[],
  ) {}

  /** Number of items waiting for the next batch. */
  get pending(): number {
    return this.items.length;
  }

  /** Queues an item; resolves with its answer once its batch is answered. */
  request(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.items.push(item);
      this.waiters.push({ resolve, reject });
    });
  }

  /** Sends up to `size` queued items to the model. */
  flush(): void {
    const items = this.items.splice(0, this.size);
    const waiters = this.waiters.splice(0, this.size);
    if (items.length === 0) return;
    Promise.resolve()
      .then(() => this.run(items))
      .then((answers) => {
        const checked = this.check(answers, items.length);
        for (let i = 0; i < waiters.length; i++) waiters[i]!.resolve(checked[i]!);
      })
      .catch((error: unknown) => {
        for (const waiter of waiters) waiter.reject(error);
      });
  }
}

/** Gathers leaf evaluations into batches for `evaluateBatch`. */
export class LeafBatcher<S> extends RequestBatcher<S, number> {
  /** A batcher calling `evaluate` with at most `size` states at a time. */
  constructor(evaluate: (states: readonly S[]) => ArrayLike<number> | PromiseLike<ArrayLike<number>>, size: number) {
    super(evaluate, size, (values, count) => {
      if (!values || values.length !== count) throw new MctsModelError("evaluateBatch", `returned ${values?.length ?? "no"} values for ${count} states`);
      return Array.from({ length: count }, (_, i) => checkedValue("evaluateBatch", values[i]));
    });
  }
}

/** Gathers steps into batches for `stepBatch` (results are checked and copied). */
export class StepBatcher<S, A> extends RequestBatcher<StepRequest<S, A>, StepResult<S>> {
  /** A batcher calling `stepBatch` with at most `size` requests at a time. */
  constructor(stepBatch: (requests: readonly StepRequest<S, A>[]) => MaybePromise<ArrayLike<StepResult<S>>>, size: number) {
    super(stepBatch, size, (results, count) => {
      if (!results || results.length !== count) throw new MctsModelError("stepBatch", `returned ${results?.length ?? "no"} results for ${count} requests`);
      return Array.from({ length: count }, (_, i) => copyStep(results[i] as StepResult<S>, "stepBatch"));
    });
  }
}
