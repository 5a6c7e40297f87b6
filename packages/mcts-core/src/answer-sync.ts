/*
 * Synchronous answers to a simulation's model requests (see `requests.ts`): the model is called at once and a
 * promise is an error naming the method.
 */
import { checkedValue, checkStep, copyStep } from "./batcher.js";
import type { SearchContext } from "./context.js";
import { isPromiseLike } from "./core.js";
import { REQ_ACTIONS, REQ_CALL, REQ_EVALUATE, REQ_STEP, REQ_STEPS, type Request } from "./requests.js";
import { MctsModelError } from "./tree.js";
import type { StepResult } from "./types.js";

/** The error for a promise met by the synchronous search; the promise's own failure is silenced (it is moot). */
function syncOnly(method: string, promise: PromiseLike<unknown>): MctsModelError {
  Promise.resolve(promise).catch(() => {});
  return new MctsModelError(method, "returned a promise; use searchAsync() for asynchronous models");
}

/** @internal Calls a caller function synchronously; a promise is an error naming `method`. */
export function callSync<T>(method: string, fn: () => T | PromiseLike<T>): T {
  const value = fn();
  if (isPromiseLike(value)) throw syncOnly(method, value);
  return value;
}

/** @internal The model's legal actions at `state`, synchronously. */
export function actionsSync<S, A>(ctx: SearchContext<S, A>, state: S): readonly A[] {
  const actions = ctx.model.actions(state, ctx.rng);
  if (isPromiseLike(actions)) throw syncOnly("actions", actions);
  return actions;
}

/** @internal One synchronous, checked model step (the result may be the model's reused object). */
export function stepSync<S, A>(ctx: SearchContext<S, A>, state: S, action: A): StepResult<S> {
  const result = ctx.model.step(state, action, ctx.rng);
  if (isPromiseLike(result)) throw syncOnly("step", result);
  return checkStep(result);
}

/** @internal The value function's value of `state`, synchronously (checked finite). */
export function evaluateSync<S, A>(ctx: SearchContext<S, A>, state: S): number {
  const model = ctx.model;
  if (model.evaluate !== undefined) {
    const v = model.evaluate(state);
    if (isPromiseLike(v)) throw syncOnly("evaluate", v);
    return checkedValue("evaluate", v);
  }
  const batch = model.evaluateBatch!([state]);
  if (isPromiseLike(batch)) throw syncOnly("evaluateBatch", batch);
  return checkedValue("evaluateBatch", batch[0]);
}

/** @internal Answers one request with a synchronous model call; a promise is an error naming the method. */
export function answerSync<S, A>(ctx: SearchContext<S, A>, req: Request<S, A>): unknown {
  switch (req.kind) {
    case REQ_ACTIONS:
      return actionsSync(ctx, req.state);
    case REQ_STEP:
      return stepSync(ctx, req.state, req.action);
    case REQ_STEPS: {
      const state = req.state;
      return req.actions.map((action) => copyStep(stepSync(ctx, state, action)));
    }
    case REQ_EVALUATE:
      return evaluateSync(ctx, req.state);
    case REQ_CALL:
      return callSync(req.method, req.call);
    default:
      throw new Error("mcts: a synchronous search has no simulations in flight to wait for");
  }
}
