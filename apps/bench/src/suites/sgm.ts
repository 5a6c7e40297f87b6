import type { Dialogue, Turn } from "@foresight/dialogue";
import { playSopEpisode, sopdailTaskSplit } from "@foresight/llm-sim";
import { loadSopDomain, plannerFactory, sopdailTasks, type Conversation, type Planner, type SopDomain } from "@foresight/planners";
import { actionAccuracy, allowedNextActions, checkCompliance } from "@foresight/sop-graph";
import type { EpisodeOutcome, EpisodeSpec, Scale, Suite } from "./types.js";

/** The planners the suite compares: SGM and ChatSOP's two baselines. */
export const SGM_SUITE_PLANNERS = ["sgm", "cot-sop", "cot"] as const;

/** Matched: the planner's world is the judge world. Mismatched: planner on half "b", judge on half "a" of the training dialogues. */
export const SGM_SUITE_WORLDS = ["matched", "mismatched"] as const;

/** Per scale: gold dialogues per task for Acc (1000 = all held-out ones), interactive episodes per task, agent-turn limit. */
const SCALES: Record<Scale, { goldPerTask: number; episodesPerTask: number; maxAgentTurns: number }> = {
  quick: { goldPerTask: 3, episodesPerTask: 3, maxAgentTurns: 12 },
  full: { goldPerTask: 1000, episodesPerTask: 20, maxAgentTurns: 12 },
};

const domains = new Map<string, SopDomain>();
function domainOf(task: string, half: "a" | "b" | undefined, dataDir: string | undefined): SopDomain {
  const key = `${dataDir ?? ""}\u0000${task}\u0000${half ?? "all"}`;
  let domain = domains.get(key);
  if (!domain) {
    domain = loadSopDomain(task, { ...(dataDir ? { dataDir } : {}), ...(half ? { half } : {}) });
    domains.set(key, domain);
  }
  return domain;
}

async function plannerFor(spec: EpisodeSpec, dataDir: string | undefined): Promise<Planner> {
  const settings = spec.world === "mismatched" ? { half: "b" } : {};
  return plannerFactory(spec.planner).create({ settings, ...(dataDir ? { dataDir } : {}) });
}

function toConversation(turns: readonly Turn[], task: string): Conversation {
  return {
    turns: turns.map((t) => ({ speaker: t.speaker === "system" ? "agent" : "user", text: t.text, ...(typeof t.state?.sopNode === "string" ? { act: t.state.sopNode } : {}) })),
    context: { task },
  };
}

/** Acc T/C/P/D of a planner on a held-out task's gold dialogues: every agent turn predicted from the gold history. */
async function goldAccuracy(spec: EpisodeSpec, dataDir: string | undefined, goldPerTask: number): Promise<EpisodeOutcome> {
  const task = spec.unit;
  const judge = domainOf(task, undefined, dataDir);
  const planner = await plannerFor(spec, dataDir);
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
    costs: { decisions, llmCallsPerTurn: decisions ? calls / decisions : 0, wallMsPerTurn: decisions ? wallMs / decisions : 0 },
    transcript: items.map((item) => ({ gold: item.gold, predicted: item.predicted })),
  };
}

/** One interactive episode against the judge world: success, completion reward, SOP compliance, turns. */
async function interactive(spec: EpisodeSpec, dataDir: string | undefined, maxAgentTurns: number): Promise<EpisodeOutcome> {
  const task = spec.unit.split("#")[0]!;
  const judge = domainOf(task, spec.world === "mismatched" ? "a" : undefined, dataDir).world;
  const graph = domainOf(task, undefined, dataDir).graph;
  const planner = await plannerFor(spec, dataDir);
  let onSop = 0;
  let calls = 0;
  let wallMs = 0;
  const episode = await playSopEpisode(
    judge,
    async (nodes, turns) => {
      const decision = await planner.plan(toConversation(turns, task), { seed: spec.seed * 1000 + nodes.length });
      calls += decision.stats.llmCalls;
      wallMs += decision.stats.wallMs;
      if (allowedNextActions(graph, nodes).includes(decision.act!)) onSop++;
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
      turns,
    },
    // Per episode: the runner divides by the mean `turns` for its per-turn costs.
    costs: { llmCalls: calls, wallMs },
    transcript: [{ path: episode.nodes, ...(judge.marksOffSop.length ? { successMarksOffSop: judge.marksOffSop } : {}) }],
  };
}

/**
 * `sgm`: ChatSOP on SOPDAIL's held-out tasks (split by task, so the tasks are unseen by everything tuned on the
 * training tasks). Acc T/C/P/D on the held-out gold dialogues of each task (setting `mode: "gold"`), and
 * interactive episodes against the SOP judge world (`mode: "play"`): success, completion reward, compliance,
 * turns and role calls per turn, for SGM, CoT+SOP and CoT in the matched and mismatched worlds.
 */
export const sgmSuite: Suite = {
  name: "sgm",
  summary: "ChatSOP's SOP-guided MCTS vs CoT+SOP and CoT on SOPDAIL's held-out tasks: Acc T/C/P/D and interactive success",
  episodes(scale, seed) {
    const tasks = sopdailTaskSplit(sopdailTasks().map((t) => t.id)).test;
    const { episodesPerTask, goldPerTask, maxAgentTurns } = SCALES[scale];
    const out: EpisodeSpec[] = [];
    for (const world of SGM_SUITE_WORLDS) {
      for (const planner of SGM_SUITE_PLANNERS) {
        for (const task of tasks) out.push({ suite: "sgm", planner, setting: { mode: "gold", goldPerTask }, world, unit: task, seed });
        for (const task of tasks) {
          for (let i = 0; i < episodesPerTask; i++) out.push({ suite: "sgm", planner, setting: { mode: "play", maxAgentTurns }, world, unit: `${task}#${i}`, seed: seed + i });
        }
      }
    }
    return out;
  },
  async run(spec, context) {
    if (spec.setting.mode === "gold") return goldAccuracy(spec, context.dataDir, Number(spec.setting.goldPerTask ?? 1000));
    return interactive(spec, context.dataDir, Number(spec.setting.maxAgentTurns ?? 12));
  },
  comparisons: [
    { metric: "accT", a: "sgm", b: "cot-sop" },
    { metric: "accT", a: "cot-sop", b: "cot" },
    { metric: "accC", a: "sgm", b: "cot-sop" },
    { metric: "accC", a: "cot-sop", b: "cot" },
    { metric: "success", a: "sgm", b: "cot-sop" },
    { metric: "success", a: "cot-sop", b: "cot" },
    { metric: "completion", a: "sgm", b: "cot-sop" },
  ],
  plots: [
    { name: "sgm-acc", title: "Acc T on held-out SOPDAIL tasks", x: "planner", y: "accT" },
    { name: "sgm-success", title: "Interactive success against the SOP world", x: "planner", y: "success" },
  ],
  headline: { metric: "success", a: "sgm", b: "cot-sop" },
};
