import type { Mcts } from "./engine.js";
import type { StepResult } from "./types.js";

/**
 * @internal Asynchronous leaf value of a non-terminal state: a rollout with the default policy to the configured
 * depth (rewards signed per ply in two-player games), bootstrapped by `evaluate` when the episode has not ended.
 * Returns 0 as soon as `cancelled()` turns true.
 */
export async function rolloutValue<S, A>(
  engine: Mcts<S, A>,
  state: S,
  cancelled: () => boolean,
  step: (state: S, action: A) => Promise<StepResult<S>>,
  evaluate: ((state: S) => Promise<number>) | undefined,
): Promise<number> {
  const cfg = engine.cfg;
  const model = engine.model;
  const rng = engine.rng;
  let total = 0;
  let discount = 1;
  let sign = 1;
  let current = state;
  let ended = false;
  for (let d = 0; d < cfg.rolloutDepth; d++) {
    const actions = await model.actions(current);
    if (cancelled()) return 0;
    if (actions.length === 0) {
      ended = true;
      break;
    }
    const action = cfg.rolloutPolicy ? await cfg.rolloutPolicy(current, actions, rng) : actions[Math.floor(rng.next() * actions.length)]!;
    if (cancelled()) return 0;
    const result = await step(current, action);
    if (cancelled()) return 0;
    total += sign * discount * result.reward;
    discount *= cfg.discount;
    if (cfg.players === 2) sign = -sign;
    current = result.state;
    if (result.terminal) {
      ended = true;
      break;
    }
  }
  if (!ended && evaluate) total += sign * discount * (await evaluate(current));
  return total;
}
