import { Mcts, RandomMdp, TicTacToe, type GenerativeModel, type StepResult } from "@foresight/mcts-core";
import { ArrayBoardTicTacToe } from "./baselines/array-board-tictactoe.js";
import { ObjectTreeUct } from "./baselines/object-tree-uct.js";
import { PreviousMcts } from "./baselines/previous-engine/index.js";
import { settledMemoryInUse } from "./machine.js";

/** Iterations and wall time one contestant spent in a timed comparison, and the size of its tree. */
export interface TimedRun {
  iterations: number;
  elapsedMs: number;
  nodes: number;
  /** Process CPU time (user + system) spent in this contestant's slices, in ms: robust to the machine's load. */
  cpuMs: number;
}

/** The process's CPU time so far (user + system), in ms. */
function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** Iterations per CPU-second of a run (0 when no CPU time was measured). */
export function iterationsPerCpuSecond(run: TimedRun): number {
  return run.cpuMs > 0 ? Math.round((run.iterations / run.cpuMs) * 1000) : 0;
}

/** What {@link timeTicTacToeSideBySide} measured. */
export interface SideBySideSpeed {
  /** The engine's search, kept so that further measurements can continue its tree. */
  engine: Mcts<number, number>;
  engineRun: TimedRun;
  /** The object-tree baseline on the same packed `TicTacToe` model. */
  baselineRun: TimedRun;
  /** The object-tree baseline on {@link ArrayBoardTicTacToe} (board copied on every move). */
  arrayBoardRun: TimedRun;
  /** The previous engine (commit 6c9e20e, kept verbatim in `baselines/previous-engine`); builds the same tree. */
  previousRun: TimedRun;
  /** The engine with its UCT fast path off (the single general simulation); builds the same tree. */
  generalRun: TimedRun;
}

/** The engine on tic-tac-toe with its fast path off, so the general simulation runs (the same tree). */
function generalPathEngine(seed: number): Mcts<number, number> {
  const engine = new Mcts(new TicTacToe(), TicTacToe.EMPTY, { players: 2, seed });
  engine.fastPath = false;
  return engine;
}

/** Slices per contestant in the side-by-side timings (many short slices average out a loaded machine). */
export const TIMED_SLICES = 20;

interface Contestant {
  run: TimedRun;
  slice(timeMs: number): void;
}

function contestant(search: { search(budget: { timeMs: number }): { iterations: number; elapsedMs: number }; readonly nodeCount: number }): Contestant {
  const run: TimedRun = { iterations: 0, elapsedMs: 0, nodes: search.nodeCount, cpuMs: 0 };
  return {
    run,
    slice(timeMs) {
      const cpu = cpuMs();
      const r = search.search({ timeMs });
      run.cpuMs += cpuMs() - cpu;
      run.iterations += r.iterations;
      run.elapsedMs += r.elapsedMs;
      run.nodes = search.nodeCount;
    },
  };
}

/**
 * Times the engine, two object-tree baselines (on the same packed model, and on an array board copied per move),
 * the previous engine and the engine's general simulation (fast path off) on tic-tac-toe from the empty board (UCT c = √2, random rollouts, two players, the same seed), each for
 * `seconds` in total, in `slices` slices whose order rotates (engine first, then the next, …) so that a change in
 * the machine's load falls on all alike. Each continues its own tree from slice to slice, as one search of the
 * whole budget would. Everything is warmed up first.
 */
export function timeTicTacToeSideBySide(seed: number, seconds: number, slices = TIMED_SLICES): SideBySideSpeed {
  const ttt = new TicTacToe();
  const board = new ArrayBoardTicTacToe();
  const warmMs = Math.min(300, seconds * 250);
  new Mcts(ttt, TicTacToe.EMPTY, { players: 2, seed }).search({ timeMs: warmMs });
  new ObjectTreeUct(ttt, TicTacToe.EMPTY, { players: 2, seed }).search({ timeMs: warmMs });
  new ObjectTreeUct(board, ArrayBoardTicTacToe.EMPTY, { players: 2, seed }).search({ timeMs: warmMs });
  new PreviousMcts(ttt, TicTacToe.EMPTY, { players: 2, seed }).search({ timeMs: warmMs });
  generalPathEngine(seed).search({ timeMs: warmMs });
  const engine = new Mcts(ttt, TicTacToe.EMPTY, { players: 2, seed });
  const all = [
    contestant(engine),
    contestant(new ObjectTreeUct(ttt, TicTacToe.EMPTY, { players: 2, seed })),
    contestant(new ObjectTreeUct(board, ArrayBoardTicTacToe.EMPTY, { players: 2, seed })),
    contestant(new PreviousMcts(ttt, TicTacToe.EMPTY, { players: 2, seed })),
    contestant(generalPathEngine(seed)),
  ];
  const sliceMs = (seconds * 1000) / slices;
  for (let i = 0; i < slices; i++) {
    for (let j = 0; j < all.length; j++) all[(i + j) % all.length]!.slice(sliceMs);
  }
  const [engineRun, baselineRun, arrayBoardRun, previousRun, generalRun] = all.map((c) => c.run) as [TimedRun, TimedRun, TimedRun, TimedRun, TimedRun];
  return { engine, engineRun, baselineRun, arrayBoardRun, previousRun, generalRun };
}

/** The three contestants' runs in {@link timeFreshSearchesSideBySide}. */
export interface FreshSearchSpeed {
  engineRun: TimedRun;
  baselineRun: TimedRun;
  arrayBoardRun: TimedRun;
  previousRun: TimedRun;
  generalRun: TimedRun;
  /** Whole searches each contestant completed (engine, baselines, previous engine, general path). */
  searches: [number, number, number, number, number];
}

/**
 * Times many fresh searches of `iterationsPerSearch` iterations each from the empty board — a move decision on a
 * modest budget, where expansions and rollouts dominate — for the engine, both object-tree baselines, the previous
 * engine and the engine's general simulation, each for
 * `seconds` in total in rotating slices as in {@link timeTicTacToeSideBySide}. Search k of every contestant uses
 * seed `seed + k`; construction of the tree counts in the time.
 */
export function timeFreshSearchesSideBySide(seed: number, seconds: number, iterationsPerSearch: number, slices = TIMED_SLICES): FreshSearchSpeed {
  const ttt = new TicTacToe();
  const board = new ArrayBoardTicTacToe();
  const makers: ((seed: number) => { search(b: { iterations: number }): unknown; readonly nodeCount: number })[] = [
    (s) => new Mcts(ttt, TicTacToe.EMPTY, { players: 2, seed: s }),
    (s) => new ObjectTreeUct(ttt, TicTacToe.EMPTY, { players: 2, seed: s }),
    (s) => new ObjectTreeUct(board, ArrayBoardTicTacToe.EMPTY, { players: 2, seed: s }),
    (s) => new PreviousMcts(ttt, TicTacToe.EMPTY, { players: 2, seed: s }),
    generalPathEngine,
  ];
  for (const make of makers) make(seed).search({ iterations: Math.min(iterationsPerSearch, 20_000) });
  const runs = makers.map((): TimedRun => ({ iterations: 0, elapsedMs: 0, nodes: 0, cpuMs: 0 }));
  const searches: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  const sliceMs = (seconds * 1000) / slices;
  for (let i = 0; i < slices; i++) {
    for (let j = 0; j < makers.length; j++) {
      const k = (i + j) % makers.length;
      const start = performance.now();
      const cpu = cpuMs();
      let now = start;
      do {
        const tree = makers[k]!(seed + searches[k]!);
        tree.search({ iterations: iterationsPerSearch });
        searches[k]!++;
        runs[k]!.iterations += iterationsPerSearch;
        runs[k]!.nodes = tree.nodeCount;
        now = performance.now();
      } while (now - start < sliceMs);
      runs[k]!.elapsedMs += now - start;
      runs[k]!.cpuMs += cpuMs() - cpu;
    }
  }
  return { engineRun: runs[0]!, baselineRun: runs[1]!, arrayBoardRun: runs[2]!, previousRun: runs[3]!, generalRun: runs[4]!, searches };
}

/**
 * Runs `run(k)` (k iterations) until `nodeCount()` reaches `target` exactly; each iteration adds at most one node,
 * so asking for the missing count never overshoots. Returns the iterations spent; throws when the tree stops
 * growing (more than 100 iterations per node).
 */
export function growToNodes(name: string, target: number, nodeCount: () => number, run: (iterations: number) => void): number {
  let iterations = 0;
  while (nodeCount() < target) {
    const missing = target - nodeCount();
    run(missing);
    iterations += missing;
    if (iterations > 100 * target) {
      throw new Error(`${name}: the tree stopped growing at ${nodeCount()} of ${target} nodes after ${iterations} iterations (ask for fewer nodes)`);
    }
  }
  return iterations;
}

/** Memory of one tree grown to an exact node count. */
export interface TreeMemory {
  nodes: number;
  iterations: number;
  elapsedMs: number;
  /** Heap plus array buffers once settled after a full collection, minus the same before the tree was created. */
  bytes: number;
}

/**
 * Memory of the engine's and the baseline's trees on `model` from `root` (UCT c = √2, random rollouts, the same
 * seed and player count) at exactly `nodes` nodes each, measured one after the other the same way (heap + array
 * buffers once settled after a full GC, before and after growing the tree).
 */
export async function treeMemorySideBySide<S, A>(
  model: GenerativeModel<S, A>,
  root: S,
  options: { seed: number; players: 1 | 2; nodes: number },
): Promise<{ engine: TreeMemory; baseline: TreeMemory }> {
  const { seed, players, nodes } = options;
  if (!Number.isInteger(nodes) || nodes < 2) throw new RangeError(`nodes must be an integer ≥ 2, got ${nodes}`);
  const engine = await measureTree(() => {
    const search = new Mcts(model, root, { players, seed });
    return { nodeCount: () => search.nodeCount, run: (k: number) => void search.search({ iterations: k }) };
  }, "engine", nodes);
  return { engine, baseline: await baselineTreeMemory(model, root, options) };
}

/** Memory of the object-tree baseline's tree on `model` grown to exactly `nodes` nodes (see {@link treeMemorySideBySide}). */
export function baselineTreeMemory<S, A>(
  model: GenerativeModel<S, A>,
  root: S,
  options: { seed: number; players: 1 | 2; nodes: number },
): Promise<TreeMemory> {
  const { seed, players, nodes } = options;
  if (!Number.isInteger(nodes) || nodes < 2) throw new RangeError(`nodes must be an integer ≥ 2, got ${nodes}`);
  return measureTree(() => {
    const search = new ObjectTreeUct(model, root, { players, seed });
    return { nodeCount: () => search.nodeCount, run: (k: number) => void search.search({ iterations: k }) };
  }, "baseline", nodes);
}

async function measureTree(create: () => { nodeCount: () => number; run: (k: number) => void }, name: string, nodes: number): Promise<TreeMemory> {
  const before = await settledMemoryInUse();
  const tree = create();
  const start = performance.now();
  const iterations = growToNodes(name, nodes, tree.nodeCount, tree.run);
  const elapsedMs = performance.now() - start;
  const bytes = (await settledMemoryInUse()) - before;
  // Read the tree after the measurement so that it is certainly alive during it.
  return { nodes: tree.nodeCount(), iterations, elapsedMs, bytes };
}

/** What {@link topValueCacheMemory} measured. */
export interface CacheMemory {
  simulations: number;
  elapsedMs: number;
  nodes: number;
  /** Realizations held by the caches at the end. */
  live: number;
  /** Realization slots the tree's arrays hold. */
  slots: number;
  /** Heap plus array buffers once settled after a full collection, minus the same before the search. */
  bytes: number;
}

/** The stochastic model of {@link topValueCacheMemory}, typed so that both engines (and their `Rng`s) accept it. */
export interface CacheModel {
  actions(state: number): readonly number[];
  step(state: number, action: number, rng: { int(n: number): number }): StepResult<number>;
  evaluate(state: number): number;
}

/**
 * Memory of an open-loop search with a top-value cache that generates on every visit (SMCTS-TOD's setting:
 * capacity B = 8, τ_H = 0.5, depth 4) after `simulations` simulations on a stochastic random MDP (branching 4, four
 * outcomes per action, a hashed value function), for `create` — the engine or the previous engine.
 */
export async function topValueCacheMemory(
  create: (model: CacheModel, root: number) => { search(b: { iterations: number }): { elapsedMs: number }; readonly nodeCount: number; readonly tree: { realLive: number; realCapacity: number } },
  seed: number,
  simulations: number,
): Promise<CacheMemory> {
  const mdp = new RandomMdp({ branching: 4, depth: 20, seed });
  const model: CacheModel = {
    actions: (s) => mdp.actions(s),
    step: (s, a, rng) => mdp.step(s, a + 4 * rng.int(4)),
    evaluate: (s) => ((s >>> 5) % 1000) / 1000,
  };
  const before = await settledMemoryInUse();
  const search = create(model, mdp.start);
  const result = search.search({ iterations: simulations });
  const bytes = (await settledMemoryInUse()) - before;
  return { simulations, elapsedMs: result.elapsedMs, nodes: search.nodeCount, live: search.tree.realLive, slots: search.tree.realCapacity, bytes };
}

/** The search options of {@link topValueCacheMemory}. */
export const TOP_VALUE_OPTIONS = {
  maxDepth: 4,
  selection: { kind: "puct", c: 1.5 },
  loop: { kind: "open", cache: { kind: "topValue", capacity: 8, temperature: 0.5, generate: "always" } },
} as const;
