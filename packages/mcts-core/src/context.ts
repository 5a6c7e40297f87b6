import type { Config } from "./config.js";
import type { Rng } from "./rng.js";
import type { Selector } from "./select.js";
import type { Tree } from "./tree.js";
import type { GenerativeModel } from "./types.js";

/**
 * @internal What the parts of a search share: the model, the resolved options, the generator, the selector and
 * the tree with its root. `Mcts` implements it; the modules below it depend on this interface, never on the engine.
 */
export interface SearchContext<S, A> {
  readonly model: GenerativeModel<S, A>;
  readonly cfg: Config<S, A>;
  readonly rng: Rng;
  readonly selector: Selector<S, A>;
  tree: Tree<S, A>;
  root: number;
  /** The root's realization (open loop), else NONE. */
  rootReal: number;
  /** Root priors before Dirichlet noise (so noise is drawn afresh per search, never compounded); reset by `advance`. */
  rootCleanPrior: Float64Array | undefined;
  /** Discards the tree and starts again from `rootState`. */
  reset(rootState: S): void;
}
