import { Mcts, RandomMdp, TicTacToe, type GenerativeModel, type StepResult } from "@foresight/mcts-core";
import {
  baselineTreeMemory,
  timeFreshSearchesSideBySide,
  iterationsPerCpuSecond,
  TIMED_SLICES,
  timeTicTacToeSideBySide,
  TOP_VALUE_OPTIONS,
  topValueCacheMemory,
  treeMemorySideBySide,
  type CacheMemory,
  type TimedRun,
  type TreeMemory,
} from "./baseline-compare.js";
import { PreviousMcts } from "./baselines/previous-engine/index.js";
import { ArrayBoardTicTacToe } from "./baselines/array-board-tictactoe.js";
import { collectGarbage, gitCommit, machineInfo, settledMemoryInUse, type MachineInfo } from "./machine.js";

/** One line of a benchmark report. */
export interface BenchRow {
  suite: string;
  case: string;
  iterationsPerSecond: number;
  wallMs: number;
  /** Tree bytes per node: measured process memory for the memory case, the tree's arrays otherwise. */
  bytesPerNode: number;
  iterations: number;
  nodes: number;
  /** What the case measures and with which settings. */
  detail: string;
  machine: MachineInfo;
  commit: string;
  seed: number;
  /** On rows measured side by side with a baseline, and on the baseline rows: the field the report's `ratios` compares. */
  compareBy?: "iterationsPerSecond" | "bytesPerNode";
  /** On baseline rows: the engine's case they were measured side by side with. */
  baselineOf?: string;
}

/** Options of {@link runMctsSuite}. */
export interface MctsSuiteOptions {
  /** Called as each stage of the suite starts, e.g. with the CLI's progress renderer. */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Seed of every search (default 1). */
  seed?: number;
  /** Wall-clock budget per timed case, in seconds (default 2). */
  seconds?: number;
  /** Node count of the memory case (default 1,000,000). */
  memoryNodes?: number;
  /** Latency of the asynchronous model's calls, in ms (default 50). */
  asyncLatencyMs?: number;
  /** Simulations in flight in the parallel asynchronous case (default 16). */
  concurrency?: number;
  /**
   * Node count at which the engine's and the baseline's random-MDP trees (branching 8, depth 20) are compared
   * (default 200,000).
   */
  compareNodes?: number;
  /**
   * Node count at which their tic-tac-toe trees are compared (default 20,000: UCT with random rollouts adds nodes
   * ever more slowly there, about 23,000 after 100k iterations and 34,000 after 3M).
   */
  ticTacToeCompareNodes?: number;
  /** Simulations of the top-value cache memory case (default 100,000). */
  cacheSimulations?: number;
  /** Commit to report (default: `git rev-parse HEAD`). */
  commit?: string;
}

/** Iterations of each fresh search in the fresh-search comparison. */
const FRESH_ITERATIONS = 10_000;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The random MDP behind promises: each step and each leaf batch takes `latencyMs`, as an LLM or ONNX call would. */
function slowModel(mdp: RandomMdp, latencyMs: number): GenerativeModel<number, number> {
  return {
    actions: (s) => mdp.actions(s),
    step: async (s, a): Promise<StepResult<number>> => {
      const result = { ...mdp.step(s, a) };
      await delay(latencyMs);
      return result;
    },
    evaluateBatch: async (states) => {
      await delay(latencyMs);
      return states.map((s) => ((s >>> 5) % 1000) / 1000);
    },
  };
}

/**
 * Runs the MCTS speed suite: (a) tic-tac-toe from the empty board with random rollouts, (b) a synthetic random
 * MDP (branching 8, depth 20), (c) an asynchronous model with simulated latency, sequential and with simulations in
 * flight, and (d) the memory of a large tree. Case (a) is timed side by side with a conventional object-tree UCT
 * (`ObjectTreeUct`) on the same packed model and on an array board copied per move, with the same seed and budget,
 * and the trees' memory is compared at equal node counts on tic-tac-toe and on the random MDP; those rows come
 * last (`…-baseline…`, `memory-tictactoe-…`, `memory-random-mdp-…`). Returns one row per case; nothing is asserted.
 */
export async function runMctsSuite(options: MctsSuiteOptions = {}): Promise<BenchRow[]> {
  const seed = options.seed ?? 1;
  const seconds = options.seconds ?? 2;
  const memoryNodes = options.memoryNodes ?? 1_000_000;
  const latency = options.asyncLatencyMs ?? 50;
  const concurrency = options.concurrency ?? 16;
  if (!(seconds > 0)) throw new RangeError(`seconds must be positive, got ${seconds}`);
  const compareNodes = options.compareNodes ?? 200_000;
  if (!Number.isInteger(memoryNodes) || memoryNodes < 1) throw new RangeError(`memoryNodes must be a positive integer, got ${memoryNodes}`);
  const tttNodes = options.ticTacToeCompareNodes ?? 20_000;
  const cacheSimulations = options.cacheSimulations ?? 100_000;
  if (!Number.isInteger(cacheSimulations) || cacheSimulations < 1) throw new RangeError(`cacheSimulations must be a positive integer, got ${cacheSimulations}`);
  if (!Number.isInteger(compareNodes) || compareNodes < 2) throw new RangeError(`compareNodes must be an integer ≥ 2, got ${compareNodes}`);
  if (!Number.isInteger(tttNodes) || tttNodes < 2) throw new RangeError(`ticTacToeCompareNodes must be an integer ≥ 2, got ${tttNodes}`);
  const machine = machineInfo();
  const commit = options.commit ?? gitCommit();
  const rows: BenchRow[] = [];
  const row = (
    name: string,
    detail: string,
    iterations: number,
    wallMs: number,
    nodes: number,
    bytesPerNode: number,
    compareBy?: BenchRow["compareBy"],
    baselineOf?: string,
  ): void => {
    rows.push({
      suite: "mcts",
      case: name,
      iterationsPerSecond: wallMs > 0 ? Math.round((iterations / wallMs) * 1000) : 0,
      wallMs: Math.round(wallMs * 10) / 10,
      bytesPerNode: Math.round(bytesPerNode * 10) / 10,
      iterations,
      nodes,
      detail,
      machine,
      commit,
      seed,
      ...(compareBy ? { compareBy } : {}),
      ...(baselineOf ? { baselineOf } : {}),
    });
  };

  options.onProgress?.(0, 7, "tic-tac-toe side by side");
  // (a) Tic-tac-toe, UCT c = √2, uniform random rollouts to the end, two-player backups; warm-up first, then
  // timed in alternating slices with the object-tree baseline on the same domain, seed and budget. The block
  // lets both trees go before the next cases.
  let baselineA: TimedRun;
  let arrayBoardA: TimedRun;
  let previousA: TimedRun;
  let generalA: TimedRun;
  let engineA: TimedRun;
  {
    const speed = timeTicTacToeSideBySide(seed, seconds);
    const tttEngine = speed.engine;
    const a = speed.engineRun;
    engineA = a;
    baselineA = speed.baselineRun;
    arrayBoardA = speed.arrayBoardRun;
    previousA = speed.previousRun;
    generalA = speed.generalRun;
    // Heap growth per further iteration, without collecting in between (node storage growth included).
    const heapBefore = (collectGarbage(), process.memoryUsage().heapUsed);
    const extra = tttEngine.search({ iterations: 100_000 });
    const heapPerIteration = (process.memoryUsage().heapUsed - heapBefore) / extra.iterations;
    row(
      "tictactoe-random-rollouts",
      `UCT c=√2 from the empty board, random rollouts, synchronous (UCT fast path), ${TIMED_SLICES} slices rotating with the baselines; ${iterationsPerCpuSecond(a)} it/CPU-s; heap growth ${heapPerIteration.toFixed(2)} B/iteration over 100k more`,
      a.iterations,
      a.elapsedMs,
      tttEngine.nodeCount,
      tttEngine.treeBytes / tttEngine.nodeCount,
      "iterationsPerSecond",
    );
  }

  options.onProgress?.(1, 7, "random MDP");
  // (b) Random MDP, branching 8, depth 20, random rollouts to the end.
  const mdp = new RandomMdp({ branching: 8, depth: 20, seed });
  const mdpEngine = new Mcts(mdp, mdp.start, { seed });
  const b = mdpEngine.search({ timeMs: seconds * 1000 });
  row("random-mdp-b8-d20", "UCT c=√2, branching 8, depth 20, random rollouts, synchronous", b.iterations, b.elapsedMs, mdpEngine.nodeCount, mdpEngine.treeBytes / mdpEngine.nodeCount);

  options.onProgress?.(2, 7, "asynchronous model");
  // (c) Asynchronous model with latency on every step and leaf batch: sequential, then with simulations in flight.
  // The parallel row states its speed-up over the sequential one (the wall time of equal work shrinks by as much).
  const small = new RandomMdp({ branching: 8, depth: 20, seed });
  let sequentialRate = 0;
  for (const inFlight of [1, concurrency]) {
    const engine = new Mcts(slowModel(small, latency), small.start, { seed, concurrency: inFlight, batchSize: inFlight });
    const c = await engine.searchAsync({ timeMs: seconds * 1000 });
    const rate = c.elapsedMs > 0 ? (c.iterations / c.elapsedMs) * 1000 : 0;
    if (inFlight === 1) sequentialRate = rate;
    const speedUp = inFlight === 1 ? "" : `; ${sequentialRate > 0 ? (rate / sequentialRate).toFixed(1) : "n/a"}× the iterations/s of 1 in flight`;
    row(
      `async-${latency}ms-concurrency-${inFlight}`,
      `async model, ${latency} ms per step and per leaf batch, ${inFlight} simulation(s) in flight, batch ≤ ${inFlight}${speedUp}`,
      c.iterations,
      c.elapsedMs,
      engine.nodeCount,
      engine.treeBytes / engine.nodeCount,
    );
  }

  options.onProgress?.(3, 7, "memory of a large tree");
  // (d) Memory of a large tree on the random MDP (every simulation adds one node until depth 20).
  const before = await settledMemoryInUse();
  const memEngine = new Mcts(mdp, mdp.start, { seed });
  const d = memEngine.search({ iterations: memoryNodes });
  const bytes = (await settledMemoryInUse()) - before;
  row(
    `memory-${memoryNodes}-nodes`,
    `random MDP tree of ${memEngine.nodeCount} nodes: heap + array buffers settled after GC (${(bytes / 1e6).toFixed(1)} MB)`,
    d.iterations,
    d.elapsedMs,
    memEngine.nodeCount,
    bytes / memEngine.nodeCount,
  );

  options.onProgress?.(4, 7, "baseline memory and fresh searches");
  // Side-by-side baseline rows: (a)'s speed, then memory at equal node counts on tic-tac-toe and the random MDP.
  const caseA = "tictactoe-random-rollouts";
  const tttMemory = await treeMemorySideBySide(new TicTacToe(), TicTacToe.EMPTY, { seed, players: 2, nodes: tttNodes });
  const arrayMemory = await baselineTreeMemory(new ArrayBoardTicTacToe(), ArrayBoardTicTacToe.EMPTY, { seed, players: 2, nodes: tttNodes });
  const OBJECT_TREE = "conventional object-tree UCT (node objects with children and untried-move arrays, state per node, splice, parent-link backup), c=√2";
  row(
    `${caseA}-baseline`,
    `${OBJECT_TREE}, on the same packed TicTacToe model, seed and budget, slices rotating with (a); ${iterationsPerCpuSecond(baselineA)} it/CPU-s; bytes/node as measured at ${tttNodes} nodes`,
    baselineA.iterations,
    baselineA.elapsedMs,
    baselineA.nodes,
    tttMemory.baseline.bytes / tttMemory.baseline.nodes,
    "iterationsPerSecond",
    caseA,
  );
  row(
    `${caseA}-baseline-array-board`,
    `${OBJECT_TREE}, on a 9-cell array board copied on every move (fresh move arrays, line scans), same seed and budget, slices rotating with (a); ${iterationsPerCpuSecond(arrayBoardA)} it/CPU-s; bytes/node as measured at ${tttNodes} nodes`,
    arrayBoardA.iterations,
    arrayBoardA.elapsedMs,
    arrayBoardA.nodes,
    arrayMemory.bytes / arrayMemory.nodes,
    "iterationsPerSecond",
    caseA,
  );
  // Fresh 10k-iteration searches (a move decision on a modest budget): expansions and rollouts dominate.
  const fresh = timeFreshSearchesSideBySide(seed, seconds, FRESH_ITERATIONS);
  const caseF = `tictactoe-fresh-searches-${FRESH_ITERATIONS}-iterations`;
  const freshRows: [string, string, TimedRun, number, TreeMemory, string | undefined][] = [
    [caseF, "engine", fresh.engineRun, fresh.searches[0], tttMemory.engine, undefined],
    [`${caseF}-baseline`, "object-tree baseline on the packed model", fresh.baselineRun, fresh.searches[1], tttMemory.baseline, caseF],
    [`${caseF}-baseline-array-board`, "object-tree baseline on the array board", fresh.arrayBoardRun, fresh.searches[2], arrayMemory, caseF],
  ];
  for (const [name, who, run, searches, memory, baselineOf] of freshRows) {
    row(
      name,
      `${who}: ${searches} fresh searches of ${FRESH_ITERATIONS} iterations from the empty board (seeds ${seed}…${seed + searches - 1}, tree construction included), slices rotating with the others; ${iterationsPerCpuSecond(run)} it/CPU-s; nodes of the last tree; bytes/node as measured at ${tttNodes} nodes`,
      run.iterations,
      run.elapsedMs,
      run.nodes,
      memory.bytes / memory.nodes,
      "iterationsPerSecond",
      baselineOf,
    );
  }
  const mdpMemory = await treeMemorySideBySide(mdp, mdp.start, { seed, players: 1, nodes: compareNodes });
  const memoryRows: [string, string, TreeMemory, string | undefined][] = [
    [`memory-tictactoe-${tttNodes}-nodes`, "engine: tic-tac-toe", tttMemory.engine, undefined],
    [`memory-tictactoe-${tttNodes}-nodes-baseline`, "object-tree baseline: packed tic-tac-toe", tttMemory.baseline, `memory-tictactoe-${tttNodes}-nodes`],
    [`memory-tictactoe-${tttNodes}-nodes-baseline-array-board`, "object-tree baseline: array-board tic-tac-toe", arrayMemory, `memory-tictactoe-${tttNodes}-nodes`],
    [`memory-random-mdp-b8-d20-${compareNodes}-nodes`, "engine: random MDP (branching 8, depth 20)", mdpMemory.engine, undefined],
    [`memory-random-mdp-b8-d20-${compareNodes}-nodes-baseline`, "object-tree baseline: random MDP (branching 8, depth 20)", mdpMemory.baseline, `memory-random-mdp-b8-d20-${compareNodes}-nodes`],
  ];
  for (const [name, what, m, baselineOf] of memoryRows) {
    row(
      name,
      `${what} tree (UCT, random rollouts, seed ${seed}) grown to exactly ${m.nodes} nodes: heap + array buffers settled after GC (${(m.bytes / 1e6).toFixed(1)} MB)`,
      m.iterations,
      m.elapsedMs,
      m.nodes,
      m.bytes / m.nodes,
      "bytesPerNode",
      baselineOf,
    );
  }
  options.onProgress?.(5, 7, "previous engine and general path");
  // The previous engine and the engine's general simulation (fast path off), timed in the same rotations as (a)
  // and the fresh searches; all three build the same trees.
  const PREVIOUS = "previous mcts-core engine (commit 6c9e20e, kept in apps/bench/src/baselines/previous-engine), same tree";
  const GENERAL = "this engine with its UCT fast path off (the single general simulation), same tree";
  const sameTree: [string, string, TimedRun, string][] = [
    [`${caseA}-previous-engine`, `${PREVIOUS}; slices rotating with (a)`, previousA, caseA],
    [`${caseA}-general-path`, `${GENERAL}; slices rotating with (a)`, generalA, caseA],
    [`${caseF}-previous-engine`, `${PREVIOUS}; ${fresh.searches[3]} fresh searches, slices rotating with ${caseF}`, fresh.previousRun, caseF],
    [`${caseF}-general-path`, `${GENERAL}; ${fresh.searches[4]} fresh searches, slices rotating with ${caseF}`, fresh.generalRun, caseF],
  ];
  const cpuRates = new Map([
    [caseA, iterationsPerCpuSecond(engineA)],
    [caseF, iterationsPerCpuSecond(fresh.engineRun)],
  ]);
  for (const [name, detail, run, baselineOf] of sameTree) {
    const mine = iterationsPerCpuSecond(run);
    const ratio = mine > 0 ? (cpuRates.get(baselineOf)! / mine).toFixed(3) : "n/a";
    row(name, `${detail}; ${mine} it/CPU-s (engine / this by CPU time: ${ratio})`, run.iterations, run.elapsedMs, run.nodes, 0, "iterationsPerSecond", baselineOf);
  }

  options.onProgress?.(6, 7, "top-value cache memory");
  // Top-value cache memory after many simulations (SMCTS-TOD's setting, generate on every visit): evicted
  // realization slots are reused, so memory follows the live realizations; the previous engine never reused them.
  const caseM = `topvalue-cache-${cacheSimulations}-simulations`;
  const cacheRows: [string, string, CacheMemory, string | undefined][] = [
    [caseM, "engine", await topValueCacheMemory((m, r) => new Mcts(m, r, { seed, ...TOP_VALUE_OPTIONS }), seed, cacheSimulations), undefined],
    [`${caseM}-previous-engine`, "previous engine", await topValueCacheMemory((m, r) => new PreviousMcts(m, r, { seed, ...TOP_VALUE_OPTIONS }), seed, cacheSimulations), caseM],
  ];
  for (const [name, who, m, baselineOf] of cacheRows) {
    row(
      name,
      `${who}: open loop, top-value cache B=8 τ=0.5 generating on every visit, PUCT c=1.5, depth 4, stochastic random MDP (branching 4, 4 outcomes per action): ${m.live} live realizations in ${m.slots} slots, ${(m.bytes / 1e6).toFixed(2)} MB (heap + array buffers settled after GC) after ${m.simulations} simulations; bytes/node = that / ${m.nodes} nodes`,
      m.simulations,
      m.elapsedMs,
      m.nodes,
      m.bytes / m.nodes,
      "bytesPerNode",
      baselineOf,
    );
  }
  options.onProgress?.(7, 7, "done");
  return rows;
}
