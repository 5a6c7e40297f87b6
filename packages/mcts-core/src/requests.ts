/**
 * @internal The model calls a simulation asks its driver for. The simulation (`simulation.ts`) is written once as
 * a generator that yields these requests; the synchronous driver answers them at once, the asynchronous one awaits
 * them and gathers steps and evaluations of many simulations into batches.
 */

/** `model.actions(state, rng)` → readonly A[]. */
export const REQ_ACTIONS = 0;
/** `model.step(state, action, rng)` → StepResult (read before the next request: models may reuse the object). */
export const REQ_STEP = 1;
/** Several steps from one state, one per entry of `actions` → StepResult[] (copied). */
export const REQ_STEPS = 2;
/** Leaf value of `state` by the model's value function → number. */
export const REQ_EVALUATE = 3;
/** Any other caller function (`call`, named `method` in errors) → its value. */
export const REQ_CALL = 4;
/** Waits for another simulation in flight (asynchronous driver only) → nothing. */
export const REQ_WAIT = 5;

/** One request; a simulation reuses a single object, so a driver reads the fields before answering. */
export interface Request<S, A> {
  kind: number;
  state: S;
  action: A;
  actions: readonly A[];
  method: string;
  call: () => unknown;
  wait: PromiseLike<unknown> | undefined;
}

/** A fresh request object. */
export function newRequest<S, A>(): Request<S, A> {
  return {
    kind: REQ_ACTIONS,
    state: undefined as S,
    action: undefined as A,
    actions: [],
    method: "",
    call: () => undefined,
    wait: undefined,
  };
}
