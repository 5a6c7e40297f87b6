import type { MultiWozSystemActType } from "@foresight/llm-sim";
import type { Conversation, Decision, PlanOptions, Planner, PlannerFactory } from "../types.js";
import { oneStepDecision, type OneStepScorer } from "./baselines.js";
import type { TodHistory } from "./environment.js";
import { multiWozPlanning, resolveSmctsTodSettings, searchDecision, setupTodPlanning, SMCTS_TOD_DEFAULTS, type smctsSearch, type SmctsTodSettings } from "./planner.js";
import { isSgdConversation, sgdPlanning } from "./sgd.js";

type Folders = { dataDir?: string; modelsDir?: string };

function folders(options: Folders): Folders {
  return { ...(options.dataDir ? { dataDir: options.dataDir } : {}), ...(options.modelsDir ? { modelsDir: options.modelsDir } : {}) };
}

/**
 * SMCTS-TOD (value-guided open-loop MCTS for task-oriented dialogue) on the offline MultiWOZ world, or on the SGD
 * world for a conversation whose context says `world: "sgd"`: {@link searchDecision} over the grounded act types.
 */
export class SmctsTodPlanner implements Planner<SmctsTodSettings> {
  constructor(
    readonly name: string,
    private readonly defaults: SmctsTodSettings,
    private readonly dirs: Folders,
    /** Called after every MultiWOZ search with its tree (the flywheel reads (h, a, Q) from it). */
    private readonly onSearch?: (search: ReturnType<typeof smctsSearch<TodHistory, MultiWozSystemActType>>) => void,
  ) {}

  async plan(conversation: Conversation, options: PlanOptions<SmctsTodSettings> = {}): Promise<Decision> {
    const settings = resolveSmctsTodSettings(this.defaults, options.settings, this.name);
    const seed = options.seed ?? 0;
    if (isSgdConversation(conversation)) return searchDecision(this.name, sgdPlanning(this.name, conversation, settings, this.dirs.dataDir), settings, seed, options).decision;
    const { decision, search } = searchDecision(this.name, multiWozPlanning(setupTodPlanning(this.name, conversation, settings, seed, this.dirs), seed), settings, seed, options);
    this.onSearch?.(search);
    return decision;
  }
}

/** A factory of an SMCTS-TOD variant (the planner or an ablation) with its default settings. */
export function smctsTodFactory(name: string, summary: string, overrides: Partial<SmctsTodSettings>, heldOutConversation: NonNullable<PlannerFactory["heldOutConversation"]>): PlannerFactory<SmctsTodSettings> {
  const defaults = { ...SMCTS_TOD_DEFAULTS, ...overrides };
  return {
    name,
    summary,
    domain: "tod",
    async create(options = {}) {
      return new SmctsTodPlanner(name, resolveSmctsTodSettings(defaults, options.settings, name), folders(options));
    },
    heldOutConversation,
  };
}

/**
 * One-step TOD baselines on the same planning model as SMCTS-TOD (MultiWOZ, or SGD for `world: "sgd"`): `prior`
 * takes the base prior's most likely act ("prompting"), `value` the act with the highest V(h, a) (greedy on V).
 */
class TodBaselinePlanner implements Planner<SmctsTodSettings> {
  constructor(
    readonly name: string,
    private readonly scorer: OneStepScorer,
    private readonly defaults: SmctsTodSettings,
    private readonly dirs: Folders,
  ) {}

  async plan(conversation: Conversation, options: PlanOptions<SmctsTodSettings> = {}): Promise<Decision> {
    const settings = resolveSmctsTodSettings(this.defaults, options.settings, this.name);
    const seed = options.seed ?? 0;
    if (isSgdConversation(conversation)) return oneStepDecision(this.name, this.scorer, sgdPlanning(this.name, conversation, settings, this.dirs.dataDir), seed);
    return oneStepDecision(this.name, this.scorer, multiWozPlanning(setupTodPlanning(this.name, conversation, settings, seed, this.dirs), seed), seed);
  }
}

/** A factory of a one-step TOD baseline. */
export function todBaselineFactory(name: string, summary: string, scorer: OneStepScorer, heldOutConversation: NonNullable<PlannerFactory["heldOutConversation"]>): PlannerFactory<SmctsTodSettings> {
  return {
    name,
    summary,
    domain: "tod",
    async create(options = {}) {
      return new TodBaselinePlanner(name, scorer, resolveSmctsTodSettings(SMCTS_TOD_DEFAULTS, options.settings, name), folders(options));
    },
    heldOutConversation,
  };
}
