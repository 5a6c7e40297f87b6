import { Mcts, RandomMdp, TicTacToe, type GenerativeModel, type StepResult } from "@foresight/mcts-core";
import { collectGarbage, gitCommit, machineInfo, memoryInUse, type MachineInfo } from "./machine.js";

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
}

/** Options of {@link runMctsSuite}. */
export interface MctsSuiteOptions {
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
  /** Commit to report (default: `git rev-parse HEAD`). */
  commit?: string;
}

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
 * flight, and (d) the memory of a large tree. Returns one row per case; nothing is asserted.
 */
export async function runMctsSuite(options: MctsSuiteOptions = {}): Promise<BenchRow[]> {
  const seed = options.seed ?? 1;
  const seconds = options.seconds ?? 2;
  const memoryNodes = options.memoryNodes ?? 1_000_000;
  const latency = options.asyncLatencyMs ?? 50;
  const concurrency = options.concurrency ?? 16;
  if (!(seconds > 0)) throw new RangeError(`seconds must be positive, got ${seconds}`);
  if (!Number.isInteger(memoryNodes) || memoryNodes < 1) throw new RangeError(`memoryNodes must be a positive integer, got ${memoryNodes}`);
  const machine = machineInfo();
  const commit = options.commit ?? gitCommit();
  const rows: BenchRow[] = [];
  const row = (name: string, detail: string, iterations: number, wallMs: number, nodes: number, bytesPerNode: number): void => {
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
    });
  };

  // (a) Tic-tac-toe, UCT c = √2, uniform random rollouts to the end, two-player backups. Warm-up first.
  const ttt = new TicTacToe();
  new Mcts(ttt, TicTacToe.EMPTY, { players: 2, seed }).search({ timeMs: Math.min(300, seconds * 250) });
  const tttEngine = new Mcts(ttt, TicTacToe.EMPTY, { players: 2, seed });
  const a = tttEngine.search({ timeMs: seconds * 1000 });
  // Heap growth per further iteration, without collecting in between (node storage growth included).
  const heapBefore = (collectGarbage(), process.memoryUsage().heapUsed);
  const extra = tttEngine.search({ iterations: 100_000 });
  const heapPerIteration = (process.memoryUsage().heapUsed - heapBefore) / extra.iterations;
  row(
    "tictactoe-random-rollouts",
    `UCT c=√2 from the empty board, random rollouts, synchronous; heap growth ${heapPerIteration.toFixed(2)} B/iteration over 100k more`,
    a.iterations,
    a.elapsedMs,
    tttEngine.nodeCount,
    tttEngine.treeBytes / tttEngine.nodeCount,
  );

  // (b) Random MDP, branching 8, depth 20, random rollouts to the end.
  const mdp = new RandomMdp({ branching: 8, depth: 20, seed });
  const mdpEngine = new Mcts(mdp, mdp.start, { seed });
  const b = mdpEngine.search({ timeMs: seconds * 1000 });
  row("random-mdp-b8-d20", "UCT c=√2, branching 8, depth 20, random rollouts, synchronous", b.iterations, b.elapsedMs, mdpEngine.nodeCount, mdpEngine.treeBytes / mdpEngine.nodeCount);

  // (c) Asynchronous model with latency on every step and leaf batch: sequential, then with simulations in flight.
  const small = new RandomMdp({ branching: 8, depth: 20, seed });
  for (const inFlight of [1, concurrency]) {
    const engine = new Mcts(slowModel(small, latency), small.start, { seed, concurrency: inFlight, batchSize: inFlight });
    const c = await engine.searchAsync({ timeMs: seconds * 1000 });
    row(
      `async-${latency}ms-concurrency-${inFlight}`,
      `async model, ${latency} ms per step and per leaf batch, ${inFlight} simulation(s) in flight, batch ≤ ${inFlight}`,
      c.iterations,
      c.elapsedMs,
      engine.nodeCount,
      engine.treeBytes / engine.nodeCount,
    );
  }

  // (d) Memory of a large tree on the random MDP (every simulation adds one node until depth 20).
  const before = memoryInUse();
  const memEngine = new Mcts(mdp, mdp.start, { seed });
  const d = memEngine.search({ iterations: memoryNodes });
  const bytes = memoryInUse() - before;
  row(
    `memory-${memoryNodes}-nodes`,
    `random MDP tree of ${memEngine.nodeCount} nodes: heap + array buffers after GC (${(bytes / 1e6).toFixed(1)} MB)`,
    d.iterations,
    d.elapsedMs,
    memEngine.nodeCount,
    bytes / memEngine.nodeCount,
  );
  return rows;
}
