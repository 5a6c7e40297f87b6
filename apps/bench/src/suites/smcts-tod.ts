import { agendaPersona, AGENDA_PERSONA_NAMES, type AgendaPersona } from "@foresight/llm-sim";
import { plannerFactory, playSgdEpisode, playTodEpisode, sgdWorld, todWorld, type Planner, type TodEpisodeTurn } from "@foresight/planners";
import { diversity } from "@foresight/rewards";
import type { EpisodeOutcome, EpisodeSpec, Scale, Suite } from "./types.js";

const SUITE = "smcts-tod";
const PERSONAS = AGENDA_PERSONA_NAMES;

/** The planners compared with SMCTS-TOD, and its ablations. */
const MAIN = ["smcts-tod", "smcts-tod-prompting", "smcts-tod-prior-only", "smcts-tod-greedy-v"] as const;

const ABLATIONS = ["smcts-tod-closed-loop", "smcts-tod-no-best-of-k", "smcts-tod-seed-value", "smcts-tod-prompt-value"] as const;

/**
 * Episodes per scale: held-out goals and simulations per turn (S); `ablationGoals` of those goals for the ablations
 * (all of them when absent); `sgdGoals` held-out SGD goals (services only the test schema has) for SMCTS-TOD,
 * prior-only and the baselines. Every planner plays every world (paired comparisons).
 */
const SCALES: Record<Scale | "full-sgd" | "paper", { goals: number; simulations: number; sgdGoals: number; ablationGoals?: number }> = {
  quick: { goals: 3, simulations: 16, sgdGoals: 6 },
  // Reduced from the paper's S = 64 on every held-out goal to fit the shared 2-core machine (512 MultiWOZ + 768 SGD
  // episodes; an SGD episode costs about a fiftieth of a MultiWOZ one).
  full: { goals: 16, simulations: 32, sgdGoals: 48 },
  // The full scale's SGD episodes alone (the same specs): re-runs them (about a CPU-minute) when only the SGD side
  // changed, without the MultiWOZ rows.
  "full-sgd": { goals: 0, simulations: 32, sgdGoals: 48 },
  // The paper's scale for the main comparisons: S = 64 on every held-out goal (121 MultiWOZ, 108 SGD), the four main
  // planners only (about 12 CPU-minutes). The ablations stay at the full scale's 16 goals: on every goal they would add
  // about 54 CPU-minutes (47 of them the prompt-judged value's rollouts; scripts/smcts-tod-turn-cost.mjs).
  paper: { goals: Number.POSITIVE_INFINITY, simulations: 64, sgdGoals: Number.POSITIVE_INFINITY, ablationGoals: 0 },
};

/** The SGD worlds' label prefix: `sgd:<persona>/<matched|mismatched>`. */
const SGD_PREFIX = "sgd:";

function otherPersona(persona: AgendaPersona["name"]): AgendaPersona["name"] {
  return persona === "cooperative" ? "less-cooperative" : "cooperative";
}

/** World label: the judge's persona and whether the planner simulates with it (`matched`) or with the other one. */
function worldLabel(persona: AgendaPersona["name"], matched: boolean): string {
  return `${persona}/${matched ? "matched" : "mismatched"}`;
}

function parseWorld(world: string): { judge: AgendaPersona["name"]; planning: AgendaPersona["name"] } {
  const [persona, kind] = world.replace(SGD_PREFIX, "").split("/") as [AgendaPersona["name"], string];
  agendaPersona(persona);
  return { judge: persona, planning: kind === "matched" ? persona : otherPersona(persona) };
}


/**
 * An episode's metrics: Inform, Success, Book, Combined = ½·Inform + ¼·(Success + Book) with an undefined Inform or
 * Book (nothing requested / nothing to book) counted as 1; diversity of the system side; costs per episode.
 */
function outcome(score: { inform?: number | null | undefined; book?: number | null | undefined; success: boolean; complete: boolean }, played: readonly TodEpisodeTurn[], transcript: EpisodeOutcome["transcript"]): EpisodeOutcome {
  const inform = score.inform ?? 1;
  const book = score.book ?? 1;
  const success = score.success ? 1 : 0;
  const div = diversity(played.map((turn) => turn.reply));
  const turns = Math.max(1, played.length);
  const sum = (pick: (turn: TodEpisodeTurn) => number) => played.reduce((total, turn) => total + pick(turn), 0);
  return {
    metrics: {
      inform,
      success,
      book,
      combined: 0.5 * inform + 0.25 * (success + book),
      complete: score.complete ? 1 : 0,
      turns: played.length,
      uni: div.distinctUnigrams,
      tri: div.distinctTrigrams,
      cbe: div.conditionalBigramEntropy,
      // For the success-vs-tokens Pareto plot (a metric, so it is not divided again).
      tokensPerTurn: sum((t) => t.tokens) / turns,
    },
    // Costs are per episode; the runner reports them per turn (it divides by the `turns` metric).
    costs: {
      llmCalls: sum((t) => t.llmCalls),
      tokens: sum((t) => t.tokens),
      wallMs: sum((t) => t.wallMs),
      modelCalls: sum((t) => t.decision.stats.modelCalls),
      simulations: sum((t) => t.decision.stats.simulations),
    },
    ...(transcript ? { transcript } : {}),
  };
}

const planners = new Map<string, Promise<Planner>>();

function plannerFor(name: string, dataDir: string | undefined): Promise<Planner> {
  const key = `${name}\u0000${dataDir ?? ""}`;
  let planner = planners.get(key);
  if (!planner) {
    planner = plannerFactory(name).create(dataDir ? { dataDir } : {});
    planners.set(key, planner);
  }
  return planner;
}

/**
 * SMCTS-TOD on held-out MultiWOZ goals (test side of the deduplicated split) and held-out SGD goals (services only
 * SGD's test schema lists; worlds `sgd:…`, SMCTS-TOD, prior-only and the baselines), interactive: both user personas ×
 * matched / mismatched planning worlds (the planner simulates with the judge's persona or the other one), scored by
 * ConvLab's evaluator: Inform (F1), Success, Book (rate) and Combined = ½·Inform + ¼·(Success + Book) with an
 * undefined Inform or Book (nothing requested / nothing to book) counted as 1; diversity of the system side
 * (#uni, #tri, conditional bigram entropy, per episode); costs per turn (offline role calls and tokens as LLM roles
 * would spend them, model calls, wall time).
 */
export const smctsTodSuite: Suite = {
  name: SUITE,
  summary: "SMCTS-TOD vs prompting, prior-only and greedy-on-V on held-out MultiWOZ and SGD goals, two personas × matched/mismatched worlds, plus ablations",
  episodes(scale: string, seed: number, dataDir?: string): EpisodeSpec[] {
    const config = (SCALES as Record<string, (typeof SCALES)[Scale] | undefined>)[scale];
    if (!config) throw new Error(`${SUITE}: unknown scale "${scale}" (${Object.keys(SCALES).join(", ")})`);
    const goals = todWorld(dataDir).goals.filter((goal) => goal.split === "test").slice(0, config.goals);
    const out: EpisodeSpec[] = [];
    for (const persona of PERSONAS) {
      for (const matched of [true, false]) {
        const world = worldLabel(persona, matched);
        for (const planner of MAIN) {
          for (const goal of goals) out.push({ suite: SUITE, planner, setting: { simulations: config.simulations }, world, unit: goal.id, seed });
        }
        for (const planner of ABLATIONS) {
          for (const goal of goals.slice(0, config.ablationGoals)) out.push({ suite: SUITE, planner, setting: { simulations: config.simulations }, world, unit: goal.id, seed });
        }
      }
    }
    const sgdGoals = sgdWorld(dataDir).goals.filter((goal) => goal.split === "test").slice(0, config.sgdGoals);
    for (const persona of PERSONAS) {
      for (const matched of [true, false]) {
        for (const planner of MAIN) {
          for (const goal of sgdGoals) out.push({ suite: SUITE, planner, setting: { simulations: config.simulations }, world: `${SGD_PREFIX}${worldLabel(persona, matched)}`, unit: goal.id, seed });
        }
      }
    }
    return out;
  },
  async run(spec: EpisodeSpec, context: { signal?: AbortSignal; dataDir?: string }): Promise<EpisodeOutcome> {
    const { judge, planning } = parseWorld(spec.world);
    // Both worlds play the registry's planner objects, one plan call per system turn with S simulations.
    const planner = await plannerFor(spec.planner, context.dataDir);
    const simulations = Number(spec.setting.simulations ?? 64);
    const played = { judgePersona: agendaPersona(judge), planner, planningPersona: planning, seed: spec.seed, planOptions: { budget: { iterations: simulations, ...(context.signal ? { signal: context.signal } : {}) } } };
    if (spec.world.startsWith(SGD_PREFIX)) {
      const world = sgdWorld(context.dataDir);
      const goal = world.goals.find((g) => g.id === spec.unit);
      if (!goal) throw new Error(`${SUITE}: no SGD goal "${spec.unit}"`);
      const episode = await playSgdEpisode({ world, goal, ...played });
      return outcome({ inform: episode.inform, book: episode.book, success: episode.success, complete: episode.success }, episode.turns, episode.dialogue);
    }
    const world = todWorld(context.dataDir);
    const goal = world.goals.find((g) => g.id === spec.unit);
    if (!goal) throw new Error(`${SUITE}: no MultiWOZ goal "${spec.unit}"`);
    const episode = await playTodEpisode({ world, goal, ...played });
    const transcript = episode.dialogue.map((turn) => ({ speaker: turn.speaker, text: turn.text, ...(turn.metadata?.actType ? { act: String(turn.metadata.actType) } : {}) }));
    return outcome({ inform: episode.inform, book: episode.book, success: episode.success, complete: episode.complete }, episode.turns, transcript);
  },
  comparisons: [
    ...["success", "combined"].flatMap((metric) => [
      { metric, a: "smcts-tod", b: "smcts-tod-prompting" },
      { metric, a: "smcts-tod", b: "smcts-tod-prior-only" },
      { metric, a: "smcts-tod", b: "smcts-tod-greedy-v" },
    ]),
    ...ABLATIONS.map((b) => ({ metric: "success", a: "smcts-tod", b })),
  ],
  plots: [
    { name: "success-vs-tokens", title: "SMCTS-TOD: success vs tokens per turn (Pareto)", x: "tokensPerTurn", y: "success" },
    { name: "combined-by-planner", title: "SMCTS-TOD: Combined by planner", x: "planner", y: "combined" },
  ],
  // Combined (the paper's Comb.) rather than Success: at quick scale (3 goals) Success differences are all ±1 or 0.
  headline: { metric: "combined", a: "smcts-tod", b: "smcts-tod-prompting" },
};
