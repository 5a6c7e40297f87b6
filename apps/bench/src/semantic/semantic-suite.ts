import { createRng } from "@foresight/dialogue";
import { loadDefaultWorldModel, type SemanticWorldModel } from "@foresight/semantic-models";
import { gitCommit, machineInfo, type MachineInfo } from "../machine.js";

/** One measured case of the semantic world-model benchmark. */
export interface SemanticBenchRow {
  /** e.g. `ensemble step batch 256`. */
  case: string;
  heads: "ensemble" | "mdn";
  /** "step": transition sample + reward F_R(s̃′) − F_R(s̃); "rollout": action sample, then step. */
  kind: "step" | "rollout";
  batch: number;
  /** State transitions (rows) completed per second. */
  transitionsPerSecond: number;
  /** Mean wall time of one batched call, ms. */
  msPerBatch: number;
  batches: number;
  wallMs: number;
  threads: number;
  machine: MachineInfo;
  commit: string;
  seed: number;
}

/** Options of the semantic benchmark. */
export interface SemanticSuiteOptions {
  /** Called as each head variant starts, e.g. with the CLI's progress renderer. */
  onProgress?: (done: number, total: number, label: string) => void;
  seed: number;
  /** Wall-clock budget per case, seconds. */
  seconds: number;
  batches: number[];
  /** onnxruntime intra-op threads (default 1: at these sizes a second thread costs more than it saves). */
  threads?: number;
  modelsDir?: string;
}

const CONTEXTS = [
  ["Hi! How was your weekend?", "It was great, we went hiking in the mountains."],
  ["Excuse me, is this seat taken?"],
  ["Have you heard of the charity Save the Children?", "No, what do they do?"],
  ["I'm looking for a cheap restaurant in the centre.", "There are several. Do you prefer Italian or Chinese?"],
  ["I can't believe the exam is tomorrow.", "Me neither. Have you started studying?", "Not really, I was working all week."],
];

function tile(states: Float32Array, rows: number, batch: number, dim: number): Float32Array {
  const out = new Float32Array(batch * dim);
  for (let i = 0; i < batch; i++) out.set(states.subarray((i % rows) * dim, (i % rows + 1) * dim), i * dim);
  return out;
}

async function timeCase(seconds: number, run: () => Promise<void>): Promise<{ batches: number; wallMs: number }> {
  for (let i = 0; i < 3; i++) await run();
  const start = performance.now();
  let batches = 0;
  while (performance.now() - start < seconds * 1000) {
    await run();
    batches++;
  }
  return { batches, wallMs: performance.now() - start };
}

async function measure(world: SemanticWorldModel, heads: "ensemble" | "mdn", options: SemanticSuiteOptions, machine: MachineInfo, commit: string): Promise<SemanticBenchRow[]> {
  const rows: SemanticBenchRow[] = [];
  const base = await world.embedContexts(CONTEXTS);
  const d = world.dim;
  for (const batch of options.batches) {
    const rng = createRng(options.seed).fork(`${heads}-${batch}`);
    let states = tile(base, CONTEXTS.length, batch, d);
    const actions = await world.sampleActions(states, batch, 1, rng);
    let stateRewards = await world.stateRewards(states, batch);
    const initial = states;
    let depth = 0;
    // Rollouts restart from the root every 6 steps (SCOPE's depth), so states stay in distribution.
    const advance = async (out: { next: Float32Array; nextRewards: Float32Array }) => {
      depth++;
      if (depth % 6 === 0) {
        states = initial;
        stateRewards = await world.stateRewards(states, batch);
      } else {
        states = out.next;
        stateRewards = out.nextRewards;
      }
    };
    const step = await timeCase(options.seconds, async () => {
      await advance(await world.step(states, actions, batch, rng, stateRewards));
    });
    states = initial;
    stateRewards = await world.stateRewards(states, batch);
    const rollout = await timeCase(options.seconds, async () => {
      const a = await world.sampleActions(states, batch, 1, rng);
      await advance(await world.step(states, a, batch, rng, stateRewards));
    });
    for (const [kind, t] of [["step", step], ["rollout", rollout]] as const) {
      rows.push({
        case: `${heads} ${kind} batch ${batch}`,
        heads,
        kind,
        batch,
        transitionsPerSecond: Math.round((t.batches * batch) / (t.wallMs / 1000)),
        msPerBatch: Math.round((t.wallMs / Math.max(t.batches, 1)) * 1000) / 1000,
        batches: t.batches,
        wallMs: Math.round(t.wallMs),
        threads: options.threads ?? 1,
        machine,
        commit,
        seed: options.seed,
      });
    }
  }
  return rows;
}

/**
 * Measures the default semantic world model (ONNX on CPU): state transitions per second for `step` (transition
 * sample + reward difference, SCOPE's per-depth work given an action) and `rollout` (action sample first) at each
 * batch size, for the ensemble and MDN heads. Rollouts restart from the root every 6 steps (depth 6).
 */
export async function runSemanticSuite(options: SemanticSuiteOptions): Promise<SemanticBenchRow[]> {
  const machine = machineInfo();
  const commit = gitCommit();
  const rows: SemanticBenchRow[] = [];
  const variants = ["ensemble", "mdn"] as const;
  for (const [index, heads] of variants.entries()) {
    options.onProgress?.(index, variants.length, heads);
    const world = await loadDefaultWorldModel({
      heads,
      ...(options.modelsDir ? { modelsDir: options.modelsDir } : {}),
      intraOpThreads: options.threads ?? 1,
    });
    rows.push(...(await measure(world, heads, options, machine, commit)));
  }
  options.onProgress?.(variants.length, variants.length, "done");
  return rows;
}

/** A fixed-width table of the rows with the machine underneath. */
export function formatSemanticTable(rows: SemanticBenchRow[]): string {
  const header = ["case", "transitions/s", "ms/batch", "batches"];
  const body = rows.map((r) => [r.case, r.transitionsPerSecond.toLocaleString("en-US"), r.msPerBatch.toFixed(3), String(r.batches)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((line) => (line[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
  const out = [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)];
  const first = rows[0];
  if (first) {
    const m = first.machine;
    out.push("", `machine: ${m.cpu} (${m.cores} cores, ${m.platform}, node ${m.node}, load ${m.loadAverage}), onnxruntime threads: ${first.threads}`, `commit: ${first.commit}  seed: ${first.seed}`);
  }
  return out.join("\n");
}

/** The JSON report: suite name, machine, commit, seed and rows. */
export function semanticReport(rows: SemanticBenchRow[]): Record<string, unknown> {
  const first = rows[0];
  return { suite: "semantic", machine: first?.machine, commit: first?.commit, seed: first?.seed, rows: rows.map(({ machine: _m, commit: _c, ...rest }) => rest) };
}
