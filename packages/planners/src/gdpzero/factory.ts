import { gdpZeroReactionOfTurn, loadPersuasionForGood, splitDialogues, type Dialogue } from "@foresight/dialogue";
import {
  mainPersuaderAct,
  type ChatModel,
  P4G_SPLIT_RATIOS,
  PersuasionCorpusWorld,
  toReactionModelKind,
  UsageLedger,
  type P4gTrainPart,
  type ReactionModelKind,
} from "@foresight/llm-sim";
import { factoryChatModel, type Conversation, type ConversationTurn, type PlannerFactory } from "../types.js";
import { GdpZeroPlanner, type GdpZeroSettings, type GdpZeroVariant, type RoleProvider } from "./planner.js";
import { llmRoles, offlineRoles } from "./roles.js";

/** Factory settings: GDP-Zero's plus where the roles come from. */
export interface GdpZeroFactorySettings extends GdpZeroSettings {
  /** "auto" (default): the LLM when the factory has a chat model (`llm` option or FORESIGHT_LLM_BASE_URL), else the offline corpus world. */
  backend: "auto" | "offline" | "llm";
  /** Training dialogues of the offline planning world (default "all"; "halfB" for a mismatched planner). */
  trainPart: P4gTrainPart;
  /** The offline simulated persuadee's reaction model (default "words"; "memory", "memoryless"). */
  persuadee: ReactionModelKind;
  /** LLM prior from one logprobs request (default true). */
  priorLogprobs: boolean;
  /**
   * Reactions sampled per value estimate, GDP-Zero's l (default 10). Offline, 0 gives the exact expected reaction
   * value instead (the limit of many samples: a diagnostic of how much the value's sampling noise costs the search).
   */
  valueSamples: number;
}

const worlds = new Map<string, PersuasionCorpusWorld>();

/** The offline P4G world of a data folder and training part, built once per process and shared (judge and planner). */
export function persuasionWorld(options: { dataDir?: string; trainPart?: P4gTrainPart } = {}): PersuasionCorpusWorld {
  const key = `${options.dataDir ?? ""}\u0000${options.trainPart ?? "all"}`;
  let world = worlds.get(key);
  if (!world) {
    world = PersuasionCorpusWorld.build({ ...(options.dataDir ? { dataDir: options.dataDir } : {}), trainPart: options.trainPart ?? "all" });
    worlds.set(key, world);
  }
  return world;
}

/** The held-out P4G dialogues (the `splitDialogues` dev and test sides), in corpus order. */
export function heldOutPersuasionDialogues(dataDir?: string): Dialogue[] {
  const split = splitDialogues(loadPersuasionForGood({ ...(dataDir ? { dataDir } : {}), part: "annotated" }), { ratios: P4G_SPLIT_RATIOS });
  return [...split.dev, ...split.test];
}

/** A held-out dialogue cut before one of its first persuader turns (after 1–3 exchanges), as a planner conversation. */
export function persuasionOpening(dialogue: Dialogue, exchanges: number): Conversation {
  const turns: ConversationTurn[] = [];
  let persuaderTurns = 0;
  for (const turn of dialogue.turns) {
    if (turn.speaker === "system") {
      if (persuaderTurns === exchanges) break;
      persuaderTurns++;
      turns.push({ speaker: "agent", text: turn.text, act: mainPersuaderAct(turn) });
    } else turns.push({ speaker: "user", text: turn.text, act: gdpZeroReactionOfTurn(turn) });
  }
  return { turns, context: { dialogueId: dialogue.id } };
}

function roleProvider(settings: Partial<GdpZeroFactorySettings>, dataDir: string | undefined, llm: ChatModel | null | undefined): RoleProvider {
  const backend = settings.backend ?? "auto";
  if (!["auto", "offline", "llm"].includes(backend)) throw new RangeError(`gdpzero: backend must be auto, offline or llm, got "${backend}"`);
  const chat = backend === "offline" ? undefined : factoryChatModel(llm);
  if (backend === "llm" && !chat) throw new Error("gdpzero: backend llm needs a chat model: set FORESIGHT_LLM_BASE_URL and FORESIGHT_LLM_MODEL");
  const valueSamples = settings.valueSamples ?? 10;
  if (!Number.isInteger(valueSamples) || valueSamples < 0) throw new RangeError(`gdpzero: setting valueSamples must be a non-negative integer, got ${String(valueSamples)}`);
  if (chat) {
    if (valueSamples === 0) throw new RangeError("gdpzero: valueSamples 0 (the exact expected value) exists offline only; an LLM value needs at least 1 sample");
    return (seed) => {
      const ledger = new UsageLedger();
      return { roles: llmRoles(chat, { seed, ledger, priorLogprobs: settings.priorLogprobs ?? true, valueSamples, concurrency: Math.max(8, settings.concurrency ?? 1) }), ledger };
    };
  }
  const persuadee = toReactionModelKind(settings.persuadee ?? "words", "gdpzero: persuadee");
  const world = persuasionWorld({ ...(dataDir ? { dataDir } : {}), trainPart: settings.trainPart ?? "all" });
  return (seed, meter) => ({ roles: offlineRoles(world, { seed, persuadee, valueSamples, onFallback: () => meter.count("persuadeeReplyFromOtherAct") }) });
}

function factory(name: string, variant: GdpZeroVariant, summary: string): PlannerFactory<GdpZeroFactorySettings> {
  return {
    name,
    summary,
    domain: "persuasion",
    async create(options = {}) {
      const settings = options.settings ?? {};
      return new GdpZeroPlanner(name, variant, roleProvider(settings, options.dataDir, options.llm), settings);
    },
    async heldOutConversation({ seed, dataDir }) {
      const dialogues = heldOutPersuasionDialogues(dataDir);
      const dialogue = dialogues[((seed % dialogues.length) + dialogues.length) % dialogues.length]!;
      return persuasionOpening(dialogue, 1 + (Math.floor(seed / dialogues.length) % 3));
    },
  };
}

/** GDP-Zero and its ablations and baseline, for the planner registry. */
export const gdpZeroFactories: PlannerFactory<GdpZeroFactorySettings>[] = [
  factory("gdpzero", "gdpzero", "GDP-Zero: open-loop PUCT over the 7 persuasion acts with LLM (or corpus) roles and response selection"),
  factory("gdpzero-closed-loop", "closed-loop", "GDP-Zero ablation: closed-loop search (the first simulated reply of each act sequence is kept)"),
  factory("gdpzero-no-response-selection", "no-response-selection", "GDP-Zero ablation: a freshly generated reply for the chosen act instead of the best cached one"),
  factory("gdpzero-prompting", "prompting", "Persuasion baseline: the prior's most likely act, then one reply (no search)"),
];
