import { createRng, isPromiseLike, type GenerativeModel, type Rng, type StepResult } from "@foresight/mcts-core";

/**
 * One node of the conventional object tree: its own copy of the state (board), the move that led to it, a
 * children array and the moves not tried yet, plus the visit count and the summed returns of the player who moved
 * into it.
 */
export class UctNode<S, A> {
  /** Children expanded so far, in expansion order. */
  readonly children: UctNode<S, A>[] = [];
  /** Visits N. */
  visits = 0;
  /** Summed returns, from the perspective of the player who made `move`. */
  total = 0;

  /** Creates a node; `untried` is this node's own array of legal moves, emptied as children are expanded. */
  constructor(
    readonly parent: UctNode<S, A> | null,
    readonly move: A | undefined,
    readonly state: S,
    readonly reward: number,
    readonly terminal: boolean,
    readonly untried: A[],
  ) {}
}

/** Options of {@link ObjectTreeUct}. */
export interface ObjectTreeUctOptions {
  /** Seed of the search's generator (default 0). */
  seed?: number | string;
  /** UCB1 exploration constant (default √2). */
  c?: number;
  /** 1 = single agent, 2 = two-player zero-sum (returns flip sign between plies). Default 1. */
  players?: 1 | 2;
}

/** When {@link ObjectTreeUct.search} stops: an iteration count, a wall-clock budget, or both (first reached). */
export interface BaselineBudget {
  iterations?: number;
  timeMs?: number;
}

/** What {@link ObjectTreeUct.search} returns. */
export interface BaselineResult<A> {
  /** The root move with the most visits. */
  move: A;
  iterations: number;
  elapsedMs: number;
  nodeCount: number;
}

/** The clock is read once every this many iterations (about 0.1 ms of tic-tac-toe simulations). */
const CLOCK_STRIDE = 64;

/**
 * A conventional object-tree UCT, written the way typical JavaScript MCTS libraries are: one `UctNode` object per
 * node with a children array and an untried-moves array, the state stored in every node, one random untried move
 * expanded per iteration, a uniform random rollout to the end of the episode, UCB1 selection with c = √2 and a
 * backup that walks the parent links. It runs on the same `GenerativeModel` (and seeded generator) as the engine,
 * so it is the side-by-side baseline of the speed suite.
 */
export class ObjectTreeUct<S, A> {
  /** The root node. */
  readonly root: UctNode<S, A>;
  private readonly rng: Rng;
  private readonly c: number;
  private readonly players: 1 | 2;
  private nodes = 1;

  /** Creates a tree rooted at `rootState` over a synchronous model. */
  constructor(
    private readonly model: GenerativeModel<S, A>,
    rootState: S,
    options: ObjectTreeUctOptions = {},
  ) {
    this.rng = createRng(options.seed ?? 0);
    this.c = options.c ?? Math.SQRT2;
    this.players = options.players ?? 1;
    if (!(this.c >= 0)) throw new RangeError(`c must be a non-negative number, got ${this.c}`);
    this.root = new UctNode<S, A>(null, undefined, rootState, 0, false, this.legalMoves(rootState));
  }

  /** Number of nodes in the tree, the root included. */
  get nodeCount(): number {
    return this.nodes;
  }

  /** Runs iterations until the budget ends; returns the most-visited root move. */
  search(budget: BaselineBudget): BaselineResult<A> {
    const maxIterations = budget.iterations ?? Infinity;
    if (budget.iterations === undefined && budget.timeMs === undefined) throw new RangeError("a budget needs iterations or timeMs");
    if (!(maxIterations >= 0)) throw new RangeError(`iterations must be non-negative, got ${budget.iterations}`);
    if (budget.timeMs !== undefined && !(budget.timeMs >= 0)) throw new RangeError(`timeMs must be non-negative, got ${budget.timeMs}`);
    const start = performance.now();
    const deadline = budget.timeMs === undefined ? Infinity : start + budget.timeMs;
    let iterations = 0;
    while (iterations < maxIterations) {
      if (iterations % CLOCK_STRIDE === 0 && deadline !== Infinity && performance.now() >= deadline) break;
      this.iterate();
      iterations++;
    }
    return { move: this.bestMove(), iterations, elapsedMs: performance.now() - start, nodeCount: this.nodes };
  }

  /** The root move with the most visits (the first such child on ties). */
  bestMove(): A {
    let best: UctNode<S, A> | undefined;
    for (const child of this.root.children) if (best === undefined || child.visits > best.visits) best = child;
    if (best === undefined) throw new Error("the root has no expanded move: search first (or the root is terminal)");
    return best.move as A;
  }

  /** One iteration: select by UCB1, expand one untried move, roll out, back up. */
  private iterate(): void {
    let node = this.root;
    while (node.untried.length === 0 && node.children.length > 0) node = this.selectChild(node);
    if (node.untried.length > 0) {
      const move = node.untried.splice(this.rng.int(node.untried.length), 1)[0]!;
      const result = this.model.step(node.state, move, this.rng);
      if (isPromiseLike(result)) throw new TypeError("ObjectTreeUct needs a synchronous model: step() returned a promise");
      const state = result.state;
      const terminal = result.terminal;
      const child = new UctNode<S, A>(node, move, state, result.reward, terminal, terminal ? [] : this.legalMoves(state));
      node.children.push(child);
      this.nodes++;
      node = child;
    }
    let value = node.terminal || node.untried.length + node.children.length === 0 ? 0 : this.rollout(node.state);
    for (let n: UctNode<S, A> | null = node; n !== null; n = n.parent) {
      n.visits++;
      if (n.parent === null) break;
      const ret = n.reward + (this.players === 2 ? -value : value);
      n.total += ret;
      value = ret;
    }
  }

  /** The child maximising Q + c·√(ln N / n) (all children are visited once before any is selected). */
  private selectChild(node: UctNode<S, A>): UctNode<S, A> {
    const logN = Math.log(node.visits);
    let best = node.children[0]!;
    let bestScore = -Infinity;
    for (const child of node.children) {
      const score = child.total / child.visits + this.c * Math.sqrt(logN / child.visits);
      if (score > bestScore) {
        bestScore = score;
        best = child;
      }
    }
    return best;
  }

  /** Uniform random playout from `state` to the end; the return for the player to move at `state`. */
  private rollout(state: S): number {
    let current = state;
    let total = 0;
    let sign = 1;
    for (;;) {
      const moves = this.model.actions(current, this.rng) as readonly A[];
      if (moves.length === 0) return total;
      const result = this.model.step(current, moves[this.rng.int(moves.length)]!, this.rng) as StepResult<S>;
      total += sign * result.reward;
      if (this.players === 2) sign = -sign;
      if (result.terminal) return total;
      current = result.state;
    }
  }

  private legalMoves(state: S): A[] {
    const moves = this.model.actions(state, this.rng);
    if (!Array.isArray(moves)) throw new TypeError("ObjectTreeUct needs a synchronous model: actions() returned a promise");
    return moves.slice() as A[];
  }
}
