import { factoryChatModel, type PlannerFactory } from "../types.js";
import { heldOutSopConversation, sharedSopDomain, type SopDomain, type SopDomainOptions } from "./domain.js";
import type { SgmSettings } from "./model.js";
import { SopCotPlanner, SopGuidedPlanner, type CotVariant } from "./planner.js";

/** Settings every SOP planner's factory reads besides SGM's own: which half of the data and which SOP. */
export interface SopPlannerSettings extends Partial<SgmSettings> {
  /** Plan with a world fit on one half of each task's training dialogues (the bench's mismatched setting). */
  half?: "a" | "b";
  /** Follow this SOP file (e.g. a DAL/TCoT prediction) instead of each task's gold SOP. */
  sopFile?: string;
}

/** Each task's domain for the settings (half, SOP file), shared in the process (see {@link sharedSopDomain}). */
export function sopDomainProvider(settings: SopPlannerSettings, dataDir: string | undefined): (task: string) => SopDomain {
  const options: SopDomainOptions = {
    ...(dataDir ? { dataDir } : {}),
    ...(settings.half ? { half: settings.half } : {}),
    ...(settings.sopFile ? { sopFile: settings.sopFile } : {}),
  };
  return (task) => sharedSopDomain(task, options);
}

/** `sgm`: ChatSOP's SOP-guided MCTS on SOPDAIL (offline planning world). */
export const sgmFactory: PlannerFactory<SgmSettings> = {
  name: "sgm",
  summary: "ChatSOP's SOP-guided MCTS over SOP actions (UCT w=1, 3 actions, depth 8, 3 roll-outs) on SOPDAIL",
  domain: "sop",
  async create(options = {}) {
    const settings = (options.settings ?? {}) as SopPlannerSettings;
    const { half: _half, sopFile: _sop, ...sgm } = settings;
    // With a chat model (options.llm, or FORESIGHT_LLM_BASE_URL and model) the generator and the judge ask it with ChatSOP's prompts.
    return new SopGuidedPlanner(sopDomainProvider(settings, options.dataDir), sgm, factoryChatModel(options.llm));
  },
  async heldOutConversation(options) {
    return heldOutSopConversation(options);
  },
};

function makeCotFactory(name: CotVariant, summary: string): PlannerFactory {
  return {
    name,
    summary,
    domain: "sop",
    async create(options = {}) {
      // With a chat model (options.llm, or FORESIGHT_LLM_BASE_URL and model) the baseline asks it with ChatSOP's prompt.
      return new SopCotPlanner(name, sopDomainProvider((options.settings ?? {}) as SopPlannerSettings, options.dataDir), factoryChatModel(options.llm));
    },
    async heldOutConversation(options) {
      return heldOutSopConversation(options);
    },
  };
}

/** `cot`: ChatSOP's CoT baseline — the most likely next action among all of the task's actions. */
export const cotFactory = makeCotFactory("cot", "ChatSOP's CoT baseline: the action generator's most likely next action, SOP not consulted");

/** `cot-sop`: ChatSOP's CoT+SOP baseline — the most likely among the actions the SOP allows next. */
export const cotSopFactory = makeCotFactory("cot-sop", "ChatSOP's CoT+SOP baseline: the most likely next action among those the SOP allows");
