import { compactTree } from "./compact.js";
import { LOOP_OPEN, LOOP_SAMPLED, MctsConfigError } from "./config.js";
import type { Mcts } from "./engine.js";
import { bestRealization, findOutcome } from "./realizations.js";
import { FLAG_EXPANDED, FLAG_TERMINAL, NONE } from "./tree.js";

/** @internal Tree reuse: see {@link Mcts.advance}. */
export function advanceRoot<S, A>(engine: Mcts<S, A>, action: A, observedState: S | undefined): void {
  const tree = engine.tree;
  const root = engine.root;
  if (!(tree.flags[root]! & FLAG_EXPANDED)) throw new MctsConfigError("advance", "the root has not been searched yet");
  const actions = tree.actions[root]!;
  const key = engine.cfg.actionKey;
  let index = -1;
  for (let i = 0; i < actions.length; i++) {
    if (key ? key(actions[i]!) === key(action) : actions[i] === action) {
      index = i;
      break;
    }
  }
  if (index < 0) throw new MctsConfigError("advance", "the action is not among the root's actions");
  const edge = tree.firstEdge[root]! + index;
  let next = NONE;
  if (engine.cfg.loop === LOOP_SAMPLED) {
    if (observedState !== undefined) {
      if (engine.cfg.outcomeKey) next = findOutcome(tree, edge, engine.cfg.outcomeKey(observedState));
    } else {
      let bestVisits = -1;
      for (let o = tree.edgeChild[edge]!; o >= 0; o = tree.nextOutcome[o]!) {
        if (tree.visits[o]! > bestVisits) {
          bestVisits = tree.visits[o]!;
          next = o;
        }
      }
    }
  } else {
    next = tree.edgeChild[edge]!;
  }
  if (next < 0) {
    if (observedState === undefined) {
      throw new MctsConfigError("advance", "the action's outcome is not in the tree; pass the observed state");
    }
    engine.reset(observedState);
    return;
  }
  let rootState = observedState;
  if (engine.cfg.loop === LOOP_OPEN && rootState === undefined) {
    const best = bestRealization(tree, next, engine.cfg.childFactor);
    rootState = best === NONE ? undefined : tree.realStates[best];
  }
  const compacted = compactTree(tree, next, engine.cfg.maxNodes);
  engine.tree = compacted;
  engine.root = 0;
  if (engine.cfg.loop === LOOP_OPEN) {
    while (compacted.firstReal[0]! !== NONE) compacted.removeRealization(0, compacted.firstReal[0]!);
    const state = rootState ?? compacted.states[0]!;
    compacted.states[0] = state;
    engine.rootReal = compacted.addRealization(0, state, 0, false);
    // An open-loop node's terminal flag is its first realization's; the root now stands for this realization, so
    // it is terminal only when it is known to have no action (an expansion found none).
    const expanded = (compacted.flags[0]! & FLAG_EXPANDED) !== 0;
    if (!expanded || compacted.edgeCount[0]! > 0) compacted.flags[0] = compacted.flags[0]! & ~FLAG_TERMINAL;
  } else if (observedState !== undefined) {
    compacted.states[0] = observedState;
  }
  }
