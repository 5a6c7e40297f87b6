import { DialogueActSchema, type DialogueAct } from "@foresight/dialogue";
import { agendaPersona, loadMultiWozWorld, multiWozWorldGoal, type AgendaPersona, type MultiWozWorld, type MultiWozWorldGoal } from "@foresight/llm-sim";
import { defaultManifestPath, DEFAULT_MODEL_NAMES, loadMultiWozValueModel, type LoadedValueModel } from "@foresight/semantic-models";
import { z } from "zod";
import { PlannerInputError, type Conversation } from "../types.js";

/** File stem of the seed-only value model (before the flywheel), next to `value-multiwoz`. */
export const SEED_VALUE_MODEL_NAME = `${DEFAULT_MODEL_NAMES.value}-seed`;

const worlds = new Map<string, MultiWozWorld>();
const values = new Map<string, LoadedValueModel>();

/** The offline MultiWOZ world of a data folder, loaded once per process. */
export function todWorld(dataDir?: string): MultiWozWorld {
  const key = dataDir ?? "";
  let world = worlds.get(key);
  if (!world) {
    world = loadMultiWozWorld(dataDir === undefined ? {} : { dataDir });
    worlds.set(key, world);
  }
  return world;
}

/**
 * The value model V_φ: `which` is `"flywheel"` (the default `value-multiwoz`), `"seed"` (`value-multiwoz-seed`, no
 * flywheel) or a manifest path; loaded and verified once per path.
 */
export function todValueModel(which: string, modelsDir?: string): LoadedValueModel {
  const path = which === "flywheel" || which === "" ? defaultManifestPath(DEFAULT_MODEL_NAMES.value, modelsDir) : which === "seed" ? defaultManifestPath(SEED_VALUE_MODEL_NAME, modelsDir) : which;
  let model = values.get(path);
  if (!model) {
    model = loadMultiWozValueModel(path);
    values.set(path, model);
  }
  return model;
}

const TodContextSchema = z.object({
  goalId: z.string().min(1),
  /** The acts of each turn of the conversation (the offline roles' texts are realisations of them). */
  turnActs: z.array(z.array(DialogueActSchema)).optional(),
  /** The planning model's user persona (overrides the `persona` setting). */
  persona: z.enum(["cooperative", "less-cooperative"]).optional(),
});

/** What SMCTS-TOD reads from a conversation: the goal, the turns with their acts, the planning persona. */
export interface TodConversation {
  goal: MultiWozWorldGoal;
  turns: { speaker: "user" | "system"; acts: DialogueAct[]; text: string }[];
  persona?: AgendaPersona;
}

/** Validates a conversation for the TOD planners; a bad field is a {@link PlannerInputError} naming it. */
export function readTodConversation(world: MultiWozWorld, conversation: Conversation, planner: string): TodConversation {
  const parsed = TodContextSchema.safeParse(conversation.context ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = `conversation.context.${issue.path.join(".")}`;
    throw new PlannerInputError(`${planner}: ${field}: ${issue.message} (context needs { goalId, turnActs? })`, field);
  }
  const { goalId, turnActs, persona } = parsed.data;
  let goal: MultiWozWorldGoal;
  try {
    goal = multiWozWorldGoal(world, goalId);
  } catch (error) {
    throw new PlannerInputError(`${planner}: ${(error as Error).message}`, "conversation.context.goalId");
  }
  if (conversation.turns.length > 0 && (turnActs === undefined || turnActs.length !== conversation.turns.length)) {
    throw new PlannerInputError(`${planner}: conversation.context.turnActs must give the acts of each of the ${conversation.turns.length} turns`, "conversation.context.turnActs");
  }
  if (conversation.turns[conversation.turns.length - 1]?.speaker === "agent") {
    throw new PlannerInputError(`${planner}: the conversation must end with a user turn (the system plans the next turn)`, "conversation.turns");
  }
  const turns = conversation.turns.map((turn, i) => ({ speaker: turn.speaker === "agent" ? ("system" as const) : ("user" as const), acts: turnActs![i]!, text: turn.text }));
  return { goal, turns, ...(persona ? { persona: agendaPersona(persona) } : {}) };
}
