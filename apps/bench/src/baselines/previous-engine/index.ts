/**
 * The previous mcts-core engine (commit 6c9e20e, before the single-descent rewrite), kept verbatim as a baseline
 * so the bench measures the current engine against it in the same run. Not used outside apps/bench.
 */
export { Mcts as PreviousMcts } from "./engine.js";
