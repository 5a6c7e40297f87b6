import type { Dialogue, Turn } from "@foresight/dialogue";
import { playSopEpisode, sopdailTaskSplit } from "@foresight/llm-sim";
import {
  plannerFactory,
  sharedSopDomain,
  sopdailTasks,
  type Conversation,
  type Decision,
  type Planner,
  type SopDomain,
} from "@foresight/planners";
import {
  SopPredictionError,
  actionAccuracy,
  allowedNextActions,
  checkCompliance,
  pathMetrics,
  predictSop,
  sopEditDistance,
  sopFromSopdailTask,
  sopdailTaskSpec,
  type SopPredictionMethod,
} from "@foresight/sop-graph";
import type { EpisodeContext, EpisodeOutcome, EpisodeSpec, Scale, Suite } from "./types.js";

/** The planners the suite compares: SGM and ChatSOP's two baselines. */
export const SGM_SUITE_PLANNERS = ["sgm", "cot-sop", "cot"] as const;

/** Matched: the planner's world is the judge world. Mismatched: planner on half "b", judge on half "a" of the training dialogues. */
export const SGM_SUITE_WORLDS = ["matched", "mismatched"] as const;

/**
 * Full scale only, interactive episodes: SGM with more roll-outs than the paper's N = 3 and with summed instead of
 * averaged future rewards, reported as sensitivities (the paper's defaults stay SGM's).
 */
export const SGM_SUITE_SENSITIVITIES: readonly { label: string; setting: { rollouts?: number; returns?: "sum" } }[] = [
  { label: "sgm@rollouts=9", setting: { rollouts: 9 } },
  { label: "sgm@rollouts=27", setting: { rollouts: 27 } },
  { label: "sgm@returns=sum", setting: { returns: "sum" } },
];

/** ChatSOP's two SOP prediction methods, compared in live mode (they need an LLM). */
export const SGM_SUITE_PREDICTORS: readonly SopPredictionMethod[] = ["dal", "tcot"];

/** What an episode plays in live mode: these overrides, or nothing (`false`); absent: the same as offline. */
type LiveSetting = false | { goldPerTask?: number; maxAgentTurns?: number };

/**
 * Per scale: gold dialogues per task for Acc (1000 = all held-out ones), interactive episodes per task, agent-turn
 * limit, and what a live run plays. SGM sends a few dozen requests per decision, so quick's 240 episodes live would
 * be tens of thousands: live, quick plays only its first `tasks` held-out tasks, with `goldPerTask` gold dialogues
 * and one episode of at most `maxAgentTurns` agent turns per planner, world and task (the rest record nothing).
 */
const SCALES: Record<
  Scale,
  { goldPerTask: number; episodesPerTask: number; maxAgentTurns: number; sensitivities: boolean; live?: { tasks: number; goldPerTask: number; maxAgentTurns: number } }
> = {
  quick: { goldPerTask: 3, episodesPerTask: 3, maxAgentTurns: 12, sensitivities: false, live: { tasks: 2, goldPerTask: 1, maxAgentTurns: 4 } },
  full: { goldPerTask: 1000, episodesPerTask: 20, maxAgentTurns: 12, sensitivities: true },
};

function domainOf(task: string, half: "a" | "b" | undefined, dataDir: string | undefined): SopDomain {
  return sharedSopDomain(task, { ...(dataDir ? { dataDir } : {}), ...(half ? { half } : {}) });
}

/**
 * The episode's planner (`name`, default the spec's, less any `@setting`) from the registry: offline roles, or
 * ChatSOP's prompts on the live LLM (never an endpoint from the environment); a sensitivity's `returns` is a setting.
 */
async function plannerFor(spec: EpisodeSpec, context: EpisodeContext, name = spec.planner.split("@")[0]!): Promise<Planner> {
  const settings = { ...(spec.world === "mismatched" ? { half: "b" } : {}), ...(typeof spec.setting.returns === "string" ? { returns: spec.setting.returns } : {}) };
  return plannerFactory(name).create({ settings, llm: context.llm ?? null, ...(context.dataDir ? { dataDir: context.dataDir } : {}) });
}

/** Requests and counted parser fallbacks of live decisions (absent offline). */
class LiveTally {
  requests = 0;
  fallbacks = 0;
  readonly counters: Record<string, number> = {};

  add(decision: Decision): void {
    const counters = decision.stats.counters ?? {};
    for (const [name, n] of Object.entries(counters)) this.counters[name] = (this.counters[name] ?? 0) + n;
    // SGM counts its requests; a baseline's decision is one request.
    this.requests += counters.requests ?? (decision.planner === "sgm" ? 0 : 1);
    const { requests: _r, tokens: _t, noSopAction: _n, ...fallbacks } = counters;
    this.fallbacks += Object.values(fallbacks).reduce((sum, n) => sum + n, 0);
  }

  /** Costs for summary.json (token counts do not replay identically, so they stay in the transcript). */
  costs(): Record<string, number> {
    return { requests: this.requests, parserFallbacks: this.fallbacks };
  }
}

function toConversation(turns: readonly Turn[], task: string): Conversation {
  return {
    turns: turns.map((t) => ({ speaker: t.speaker === "system" ? "agent" : "user", text: t.text, ...(typeof t.state?.sopNode === "string" ? { act: t.state.sopNode } : {}) })),
    context: { task },
  };
}

/** Acc T/C/P/D of a planner on a held-out task's gold dialogues: every agent turn predicted from the gold history. */
async function goldAccuracy(spec: EpisodeSpec, context: EpisodeContext, goldPerTask: number): Promise<EpisodeOutcome> {
  const task = spec.unit;
  const judge = domainOf(task, undefined, context.dataDir);
  const planner = await plannerFor(spec, context);
  const live = new LiveTally();
  const dialogues: Dialogue[] = judge.world.test.slice(0, goldPerTask);
  const items = [];
  let calls = 0;
  let decisions = 0;
  let wallMs = 0;
  for (const dialogue of dialogues) {
    const gold: string[] = [];
    const predicted: string[] = [];
    for (let i = 0; i < dialogue.turns.length; i++) {
      const turn = dialogue.turns[i]!;
      const node = turn.state?.sopNode;
      if (turn.speaker !== "system" || typeof node !== "string" || !judge.world.agentNodes.includes(node)) continue;
      const decision = await planner.plan(toConversation(dialogue.turns.slice(0, i), task), { seed: spec.seed + i });
      live.add(decision);
      gold.push(node);
      predicted.push(decision.act!);
      calls += decision.stats.llmCalls;
      wallMs += decision.stats.wallMs;
      decisions++;
    }
    items.push({ gold, predicted, sop: judge.graph });
  }
  const acc = actionAccuracy(items);
  const metrics: Record<string, number> = {};
  if (acc.turn.total > 0) metrics.accT = acc.turn.accuracy;
  if (acc.controllable.total > 0) metrics.accC = acc.controllable.accuracy;
  if (acc.proactive.total > 0) metrics.accP = acc.proactive.accuracy;
  if (acc.dialogue.total > 0) metrics.accD = acc.dialogue.accuracy;
  return {
    metrics,
    costs: { decisions, llmCallsPerTurn: decisions ? calls / decisions : 0, wallMsPerTurn: decisions ? wallMs / decisions : 0, ...(context.llm ? live.costs() : {}) },
    transcript: [...items.map((item) => ({ gold: item.gold, predicted: item.predicted })), ...(context.llm ? [{ counters: live.counters }] : [])],
  };
}

/**
 * One interactive episode against the judge world: success, completion reward, SOP compliance, turns; for SGM
 * offline also `agreesWithCot`, the share of its decisions that are CoT's choice after the same history.
 */
async function interactive(spec: EpisodeSpec, context: EpisodeContext, maxAgentTurns: number): Promise<EpisodeOutcome> {
  const task = spec.unit.split("#")[0]!;
  const judge = domainOf(task, spec.world === "mismatched" ? "a" : undefined, context.dataDir).world;
  const graph = domainOf(task, undefined, context.dataDir).graph;
  const planner = await plannerFor(spec, context);
  // CoT beside SGM (offline only: live it would be a request per turn) to count how often the search departs from it.
  const cot = spec.planner.startsWith("sgm") && !context.llm ? await plannerFor(spec, context, "cot") : undefined;
  const rollouts = typeof spec.setting.rollouts === "number" ? { budget: { iterations: spec.setting.rollouts } } : {};
  const live = new LiveTally();
  let onSop = 0;
  let agreesWithCot = 0;
  let calls = 0;
  let wallMs = 0;
  const episode = await playSopEpisode(
    judge,
    async (nodes, turns) => {
      const conversation = toConversation(turns, task);
      const seed = spec.seed * 1000 + nodes.length;
      const decision = await planner.plan(conversation, { seed, ...rollouts });
      live.add(decision);
      calls += decision.stats.llmCalls;
      wallMs += decision.stats.wallMs;
      if (allowedNextActions(graph, nodes).includes(decision.act!)) onSop++;
      if (cot && (await cot.plan(conversation, { seed })).act === decision.act) agreesWithCot++;
      return decision.act!;
    },
    { seed: `${spec.seed}\u0000${spec.unit}`, maxAgentTurns },
  );
  const turns = episode.agentTurns;
  const compliance = checkCompliance(graph, episode.nodes);
  return {
    metrics: {
      success: episode.success ? 1 : 0,
      completion: (episode.success ? 0.7 : 0) + (episode.ended ? 0.3 : 0),
      // The path's compliance (a user answering what was not asked breaks it) and the agent's own steps' alone.
      compliant: compliance.compliant ? 1 : 0,
      agentCompliant: compliance.agentCompliant ? 1 : 0,
      onSopActions: turns ? onSop / turns : 0,
      ...(cot && turns ? { agreesWithCot: agreesWithCot / turns } : {}),
      turns,
    },
    // Per episode: the runner divides by the mean `turns` for its per-turn costs.
    costs: { llmCalls: calls, wallMs, ...(context.llm ? live.costs() : {}) },
    transcript: [
      {
        path: episode.nodes,
        ...(compliance.violations.length ? { violations: compliance.violations } : {}),
        ...(judge.marksOffSop.length ? { successMarksOffSop: judge.marksOffSop } : {}),
        ...(context.llm ? { counters: live.counters } : {}),
      },
    ],
  };
}

/**
 * ChatSOP's SOP prediction on a held-out task (live only): the SOP's vertices are given and the LLM predicts the
 * edges by DAL or TCoT at the paper's decoding; scored by GEDR and Start→End path P/R/F1 against the gold SOP. An
 * answer that never reads as an SOP scores as an empty prediction (GEDR 1, F1 0), counted as `unreadable`.
 */
async function predictionEpisode(spec: EpisodeSpec, context: EpisodeContext): Promise<EpisodeOutcome> {
  if (!context.llm) return { metrics: {}, costs: {}, transcript: [{ skipped: "SOP prediction needs an LLM (live mode)" }] };
  const task = sopdailTasks(context.dataDir).find((t) => t.id === spec.unit);
  if (!task) throw new Error(`sgm suite: unknown task "${spec.unit}"`);
  const gold = sopFromSopdailTask(task).graph;
  const method = spec.setting.method as SopPredictionMethod;
  const requestsOf = (attempts: number) => attempts + (method === "tcot" ? 1 : 0);
  try {
    const prediction = await predictSop(context.llm, sopdailTaskSpec(task), { method, gloss: gold.glossTable, ...(context.signal ? { signal: context.signal } : {}) });
    const ged = sopEditDistance(prediction.graph, gold);
    const paths = pathMetrics(prediction.graph, gold);
    const f = prediction.fallbacks;
    return {
      metrics: { unreadable: 0, gedr: ged.ratio, pathPrecision: paths.precision, pathRecall: paths.recall, pathF1: paths.f1, valid: prediction.ok ? 1 : 0 },
      costs: { requests: requestsOf(prediction.attempts), parserFallbacks: f.renamedNodes + f.unknownNodes + f.mermaid + f.repairs },
      transcript: [{ fallbacks: f, gedExact: ged.exact, tokens: prediction.usage, answers: prediction.answers.map((a) => a.slice(0, 2000)) }],
    };
  } catch (error) {
    if (!(error instanceof SopPredictionError)) throw error;
    return {
      metrics: { unreadable: 1, gedr: 1, pathPrecision: 0, pathRecall: 0, pathF1: 0, valid: 0 },
      costs: { requests: requestsOf(error.answers.length), parserFallbacks: error.answers.length },
      transcript: [{ error: error.message, answers: error.answers.map((a) => a.slice(0, 2000)) }],
    };
  }
}

/**
 * `sgm`: ChatSOP on SOPDAIL's held-out tasks (split by task, so the tasks are unseen by everything tuned on the
 * training tasks). Acc T/C/P/D on the held-out gold dialogues of each task (setting `mode: "gold"`), and
 * interactive episodes against the SOP judge world (`mode: "play"`): success, completion reward, compliance,
 * turns and role calls per turn, for SGM, CoT+SOP and CoT in the matched and mismatched worlds. With a live LLM
 * the planners play ChatSOP's prompts on it and DAL/TCoT predict each task's SOP (`mode: "predict"`).
 */
export const sgmSuite: Suite = {
  name: "sgm",
  summary: "ChatSOP's SOP-guided MCTS vs CoT+SOP and CoT on SOPDAIL's held-out tasks: Acc T/C/P/D and interactive success",
  episodes(scale, seed, dataDir) {
    const config = SCALES[scale];
    if (!config) throw new Error(`sgm suite: unknown scale "${scale}" (known: ${Object.keys(SCALES).join(", ")})`);
    const { episodesPerTask, goldPerTask, maxAgentTurns, sensitivities } = config;
    const tasks = sopdailTaskSplit(sopdailTasks(dataDir).map((t) => t.id)).test;
    const liveOf = (task: string, episode: number, overrides: Exclude<LiveSetting, false>): { live?: LiveSetting } => {
      if (!config.live) return {};
      return { live: episode === 0 && tasks.indexOf(task) < config.live.tasks ? overrides : false };
    };
    const out: EpisodeSpec[] = [];
    for (const world of SGM_SUITE_WORLDS) {
      for (const planner of SGM_SUITE_PLANNERS) {
        for (const task of tasks) {
          out.push({ suite: "sgm", planner, setting: { mode: "gold", goldPerTask, ...liveOf(task, 0, { goldPerTask: config.live?.goldPerTask ?? goldPerTask }) }, world, unit: task, seed });
        }
        for (const task of tasks) {
          for (let i = 0; i < episodesPerTask; i++) {
            const live = liveOf(task, i, { maxAgentTurns: config.live?.maxAgentTurns ?? maxAgentTurns });
            out.push({ suite: "sgm", planner, setting: { mode: "play", maxAgentTurns, ...live }, world, unit: `${task}#${i}`, seed: seed + i });
          }
        }
      }
    }
    if (sensitivities) {
      for (const world of SGM_SUITE_WORLDS) {
        for (const { label, setting } of SGM_SUITE_SENSITIVITIES) {
          for (const task of tasks) {
            for (let i = 0; i < episodesPerTask; i++) out.push({ suite: "sgm", planner: label, setting: { mode: "play", maxAgentTurns, ...setting }, world, unit: `${task}#${i}`, seed: seed + i });
          }
        }
      }
    }
    // SOP prediction does not depend on the planning world: one episode per method and task (live only; offline it records nothing).
    for (const method of SGM_SUITE_PREDICTORS) {
      for (const task of tasks) out.push({ suite: "sgm", planner: method, setting: { mode: "predict", method, ...liveOf(task, 0, {}) }, world: "matched", unit: task, seed });
    }
    return out;
  },
  async run(spec, context) {
    const live = context.llm ? (spec.setting.live as LiveSetting | undefined) : undefined;
    if (live === false) return { metrics: {}, costs: {}, transcript: [{ skipped: "not in this scale's live subset" }] };
    const setting: Record<string, unknown> = { ...spec.setting, ...(live ?? {}) };
    if (setting.mode === "predict") return predictionEpisode(spec, context);
    if (setting.mode === "gold") return goldAccuracy(spec, context, Number(setting.goldPerTask ?? 1000));
    return interactive(spec, context, Number(setting.maxAgentTurns ?? 12));
  },
  comparisons: [
    { metric: "accT", a: "sgm", b: "cot-sop" },
    { metric: "accT", a: "cot-sop", b: "cot" },
    { metric: "accC", a: "sgm", b: "cot-sop" },
    { metric: "accC", a: "cot-sop", b: "cot" },
    { metric: "success", a: "sgm", b: "cot-sop" },
    { metric: "success", a: "cot-sop", b: "cot" },
    { metric: "completion", a: "sgm", b: "cot-sop" },
    // SGM against the corpus' own most likely action, and the sensitivities against the paper's defaults (full only).
    { metric: "accT", a: "sgm", b: "cot" },
    { metric: "success", a: "sgm", b: "cot" },
    ...SGM_SUITE_SENSITIVITIES.map(({ label }) => ({ metric: "success", a: label, b: "sgm" })),
    { metric: "gedr", a: "tcot", b: "dal" },
    { metric: "pathF1", a: "tcot", b: "dal" },
  ],
  plots: [
    { name: "sgm-acc", title: "Acc T on held-out SOPDAIL tasks", x: "planner", y: "accT" },
    { name: "sgm-success", title: "Interactive success against the SOP world", x: "planner", y: "success" },
  ],
  headline: { metric: "success", a: "sgm", b: "cot-sop" },
};
