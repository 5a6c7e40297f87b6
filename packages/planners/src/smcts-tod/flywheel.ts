import { createRng } from "@foresight/dialogue";
import { COOPERATIVE_AGENDA_PERSONA, LESS_COOPERATIVE_AGENDA_PERSONA, multiWozValueActFeatures, multiWozValueStateFeatures, type AgendaPersona, type MultiWozSystemActType, type MultiWozWorldGoal } from "@foresight/llm-sim";
import {
  DEFAULT_MODEL_NAMES,
  distillValueModel,
  loadMultiWozValueModel,
  multiWozValueRows,
  saveDistilledValueModel,
  trainValueModel,
  type DistillationTarget,
  type Manifest,
  type TrainScale,
  type ValueModelMetrics,
} from "@foresight/semantic-models";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TodHistory } from "./environment.js";
import { playTodEpisode } from "./episode.js";
import { SmctsTodPlanner } from "./factories.js";
import { SMCTS_TOD_DEFAULTS, type smctsSearch, type SmctsTodSettings } from "./planner.js";
import { SEED_VALUE_MODEL_NAME, todWorld } from "./resources.js";

/** Options of {@link runValueFlywheel}. */
export interface ValueFlywheelOptions {
  rounds: number;
  /** Train goals whose planning traces feed each round (D_MCTS). */
  goalsPerRound: number;
  /** Held-out goals on which planner success is measured after each round (0: skip). */
  evalGoals: number;
  /** Simulations per planning call while collecting traces and evaluating. */
  simulations: number;
  seed: number;
  outDir: string;
  dataDir?: string;
  scale?: TrainScale;
  /** β of Eq. 29 (default 1). */
  beta?: number;
  /** Fine-tuning epochs per round (default 3, the paper's). */
  epochs?: number;
  /**
   * η of the collecting searches' leaf value (default {@link FLYWHEEL_LEAF_ROLLOUT}): with η = 0 every backed-up Q
   * is an average of V's own V̄, so distilling it teaches V nothing it did not know; rollouts bring outcomes in.
   */
  leafRollout?: number;
  command?: string;
  log?: (line: string) => void;
}

/** η with which the flywheel's searches collect (h, a, Q) (see {@link ValueFlywheelOptions.leafRollout}). */
export const FLYWHEEL_LEAF_ROLLOUT = 0.5;

/** What one flywheel round produced. */
export interface FlywheelRound {
  round: number;
  targets: number;
  before: ValueModelMetrics;
  after: ValueModelMetrics;
  mctsBrierBefore: number;
  mctsBrierAfter: number;
  /** SMCTS-TOD's success rates (ConvLab) on the held-out goals with the round's value model; null when not measured. */
  plannerSuccess: PlannerSuccess | null;
}

/**
 * The (h, a, Q_MCTS) tuples of one search (§3.7): for every node visited at least twice, each realization h in its
 * cache (closed loop: its state) with each visited act a and the edge's backed-up mean Q(s_tr(h), a).
 */
export function searchTargets(search: ReturnType<typeof smctsSearch<TodHistory, MultiWozSystemActType>>): DistillationTarget[] {
  const histories: TodHistory[] = [];
  const trace = search.mcts.trace({ describeState: (history) => histories.push(history) - 1 });
  const targets: DistillationTarget[] = [];
  for (const node of trace.nodes) {
    if (node.visits < 2) continue;
    const edges = node.edges.filter((edge) => edge.visits > 0 && edge.q !== null);
    const ids = node.realizations ? node.realizations.map((r) => r.state) : [node.state];
    for (const id of ids) {
      const history = typeof id === "number" ? histories[id] : undefined;
      if (!history || history.ended) continue;
      const state = multiWozValueStateFeatures(history.state, history.valueHistory, history.context);
      for (const edge of edges) {
        targets.push({ state, act: multiWozValueActFeatures([edge.action as MultiWozSystemActType], history.state, history.valueHistory, history.context), q: Math.min(1, Math.max(0, edge.q!)) });
      }
    }
  }
  return targets;
}

/** SMCTS-TOD's success rate (ConvLab) on held-out goals in each matched world: the cooperative user saturates it. */
export interface PlannerSuccess {
  cooperative: number;
  lessCooperative: number;
}

async function plannerSuccess(goals: readonly MultiWozWorldGoal[], settings: Partial<SmctsTodSettings>, options: ValueFlywheelOptions, seedOffset: number): Promise<PlannerSuccess> {
  const world = todWorld(options.dataDir);
  const planner = new SmctsTodPlanner("smcts-tod", { ...SMCTS_TOD_DEFAULTS, ...settings }, options.dataDir ? { dataDir: options.dataDir } : {});
  const rate = async (persona: AgendaPersona) => {
    let successes = 0;
    for (const [i, goal] of goals.entries()) {
      const episode = await playTodEpisode({ world, goal, judgePersona: persona, planner, planningPersona: persona.name, seed: options.seed * 10_007 + seedOffset + i, planOptions: { budget: { iterations: options.simulations } } });
      if (episode.success) successes += 1;
    }
    return successes / Math.max(1, goals.length);
  };
  return { cooperative: await rate(COOPERATIVE_AGENDA_PERSONA), lessCooperative: await rate(LESS_COOPERATIVE_AGENDA_PERSONA) };
}

function successLine(success: PlannerSuccess, goals: number): string {
  return `SMCTS-TOD success ${success.cooperative.toFixed(3)} (cooperative), ${success.lessCooperative.toFixed(3)} (less-cooperative) on ${goals} held-out goals`;
}

/**
 * The self-distillation flywheel (Alg. 2, Eq. 28–29). Trains the seed value model (BCE on the seed rows) and saves
 * it as `value-multiwoz-seed`; then each round plays SMCTS-TOD (with the current value model, matched cooperative
 * world) on fresh train goals, collects (h, a, Q_MCTS) at every planning root, fine-tunes V on D_seed ∪ D_MCTS with
 * L_value + β·L_distill, and measures held-out AUC/Brier and, optionally, planner success on held-out goals. The
 * last round's model is saved as `value-multiwoz` with every round's metrics.
 */
export async function runValueFlywheel(options: ValueFlywheelOptions): Promise<{ manifest: Manifest; seedManifest: Manifest; rounds: FlywheelRound[]; seedSuccess: PlannerSuccess | null }> {
  if (!(Number.isInteger(options.rounds) && options.rounds >= 1)) throw new RangeError(`rounds must be a positive integer, got ${options.rounds}`);
  const log = options.log ?? (() => {});
  const world = todWorld(options.dataDir);
  const job = { outDir: options.outDir, seed: options.seed, ...(options.dataDir ? { dataDir: options.dataDir } : {}), ...(options.scale ? { scale: options.scale } : {}), log, command: options.command ?? `foresight train value --flywheel --rounds ${options.rounds}` };
  const rows = multiWozValueRows(job, world);
  const seedManifest = await trainValueModel(job, { name: SEED_VALUE_MODEL_NAME, rows });
  const seedPath = join(options.outDir, `${SEED_VALUE_MODEL_NAME}.json`);
  let current = loadMultiWozValueModel(seedPath);
  const trainGoals = world.goals.filter((goal) => goal.split === "train");
  const evalGoals = world.goals.filter((goal) => goal.split === "test").slice(0, options.evalGoals);
  const order = [...trainGoals.keys()];
  const shuffle = createRng(`flywheel:${options.seed}`);
  for (let i = order.length - 1; i > 0; i--) {
    const j = shuffle.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const seedSuccess = evalGoals.length > 0 ? await plannerSuccess(evalGoals, { valueModel: seedPath }, options, 0) : null;
  if (seedSuccess !== null) log(`flywheel: seed model, ${successLine(seedSuccess, evalGoals.length)}`);
  const rounds: FlywheelRound[] = [];
  const beta = options.beta ?? 1;
  const epochs = options.epochs ?? 3;
  let path = seedPath;
  const collecting = { leafRollout: options.leafRollout ?? FLYWHEEL_LEAF_ROLLOUT, rolloutDepth: SMCTS_TOD_DEFAULTS.rolloutDepth, discount: SMCTS_TOD_DEFAULTS.discount, simulations: options.simulations, goalsPerRound: options.goalsPerRound };
  const dirs = options.dataDir ? { dataDir: options.dataDir } : {};
  // Intermediate rounds' models go to a scratch folder; only the seed and the final model land in `outDir`.
  const scratch = mkdtempSync(join(tmpdir(), "foresight-flywheel-"));
  for (let round = 1; round <= options.rounds; round++) {
    const goals = order.slice((round - 1) * options.goalsPerRound, round * options.goalsPerRound).map((i) => trainGoals[i % trainGoals.length]!);
    const targets: DistillationTarget[] = [];
    const planner = new SmctsTodPlanner("smcts-tod", { ...SMCTS_TOD_DEFAULTS, leafRollout: collecting.leafRollout, valueModel: path }, dirs, (search) => targets.push(...searchTargets(search)));
    for (const [i, goal] of goals.entries()) {
      await playTodEpisode({ world, goal, judgePersona: COOPERATIVE_AGENDA_PERSONA, planner, planningPersona: "cooperative", seed: options.seed * 7919 + round * 1_000 + i, planOptions: { budget: { iterations: options.simulations } } });
    }
    log(`flywheel round ${round}: ${targets.length} (h, a, Q) targets from ${goals.length} train goals`);
    const distilled = await distillValueModel({ model: current, seedRows: rows.train, targets, testRows: rows.test, beta, epochs, seed: options.seed + round, log });
    path = join(scratch, `${DEFAULT_MODEL_NAMES.value}-round${round}.json`);
    const roundInfo = { after: distilled.after, targets: targets.length };
    saveDistilledValueModel({ outDir: scratch, name: `${DEFAULT_MODEL_NAMES.value}-round${round}`, spec: distilled.spec, from: current, rounds: [...rounds.map((r) => ({ after: r.after, targets: r.targets })), roundInfo], seed: options.seed, beta, epochs, command: job.command, collecting });
    current = loadMultiWozValueModel(path);
    const success = evalGoals.length > 0 ? await plannerSuccess(evalGoals, { valueModel: path }, options, round * 100_000) : null;
    log(`flywheel round ${round}: held-out AUC ${distilled.before.auc.toFixed(4)} → ${distilled.after.auc.toFixed(4)}, Brier ${distilled.before.brier.toFixed(4)} → ${distilled.after.brier.toFixed(4)}; MCTS-target Brier ${distilled.mctsBrierBefore.toFixed(4)} → ${distilled.mctsBrierAfter.toFixed(4)}`);
    if (success !== null) log(`flywheel round ${round}: ${successLine(success, evalGoals.length)}`);
    rounds.push({ round, targets: targets.length, before: distilled.before, after: distilled.after, mctsBrierBefore: distilled.mctsBrierBefore, mctsBrierAfter: distilled.mctsBrierAfter, plannerSuccess: success });
  }
  const manifest = saveDistilledValueModel({
    outDir: options.outDir,
    name: DEFAULT_MODEL_NAMES.value,
    spec: current.spec,
    from: loadMultiWozValueModel(seedPath),
    rounds: rounds.map((r) => ({ after: r.after, targets: r.targets, extra: { mctsBrierBefore: r.mctsBrierBefore, mctsBrierAfter: r.mctsBrierAfter, ...(r.plannerSuccess !== null ? { plannerSuccess: r.plannerSuccess.cooperative, plannerSuccessLessCooperative: r.plannerSuccess.lessCooperative } : {}) } })),
    seed: options.seed,
    beta,
    epochs,
    command: job.command,
    collecting,
  });
  return { manifest, seedManifest, rounds, seedSuccess };
}
