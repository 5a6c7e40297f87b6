import { DialogueActSchema, type DialogueAct } from "@foresight/dialogue";
import { agendaPersona, AGENDA_PERSONA_NAMES, loadMultiWozWorld, multiWozWorldGoal, type AgendaPersona, type MultiWozWorld, type MultiWozWorldGoal } from "@foresight/llm-sim";
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

/** The context fields of a TOD conversation in either world (MultiWOZ adds its acts, SGD its own and `world`). */
export const TodContextBaseSchema = z.object({
  goalId: z.string().min(1),
  /** The planning model's user persona (overrides the `persona` setting). */
  persona: z.enum(AGENDA_PERSONA_NAMES).optional(),
});

const TodContextSchema = TodContextBaseSchema.extend({
  /** The acts of each turn of the conversation (the offline roles' texts are realisations of them). */
  turnActs: z.array(z.array(DialogueActSchema)).optional(),
});

/**
 * A TOD conversation's context read with `schema` (MultiWOZ's or SGD's), and its turns checked: they start and end
 * with a user turn (the user opens; the system plans the next turn) and `turnActs` gives the acts of each. A bad
 * field is a {@link PlannerInputError} naming it; `shape` describes the context the world needs.
 */
export function readTodContext<T extends { turnActs?: unknown[] | undefined }>(schema: z.ZodType<T>, conversation: Conversation, planner: string, shape: string): T & { turnActs: NonNullable<T["turnActs"]> } {
  const parsed = schema.safeParse(conversation.context ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = `conversation.context.${issue.path.join(".")}`;
    throw new PlannerInputError(`${planner}: ${field}: ${issue.message} (${shape})`, field);
  }
  const { turns } = conversation;
  if (turns.length === 0 || turns[0]!.speaker !== "user" || turns[turns.length - 1]!.speaker !== "user") {
    throw new PlannerInputError(`${planner}: a TOD conversation starts and ends with a user turn (the system plans the next turn)`, "conversation.turns");
  }
  const { turnActs } = parsed.data;
  if (turnActs === undefined || turnActs.length !== turns.length) {
    throw new PlannerInputError(`${planner}: conversation.context.turnActs must give the acts of each of the ${turns.length} turns`, "conversation.context.turnActs");
  }
  return parsed.data as T & { turnActs: NonNullable<T["turnActs"]> };
}

/** The user persona a held-out TOD conversation is opened with (`context.persona`, cooperative by default). */
export function heldOutPersona(context: Record<string, string> | undefined): AgendaPersona {
  try {
    return agendaPersona(context?.persona ?? "cooperative");
  } catch (error) {
    throw new PlannerInputError((error as Error).message, "context.persona");
  }
}

/** What SMCTS-TOD reads from a conversation: the goal, the turns with their acts, the planning persona. */
export interface TodConversation {
  goal: MultiWozWorldGoal;
  turns: { speaker: "user" | "system"; acts: DialogueAct[]; text: string }[];
  persona?: AgendaPersona;
}

/** Reads a MultiWOZ conversation for the TOD planners ({@link readTodContext}) and finds its goal. */
export function readTodConversation(world: MultiWozWorld, conversation: Conversation, planner: string): TodConversation {
  const { goalId, turnActs, persona } = readTodContext(TodContextSchema, conversation, planner, "context needs { goalId, turnActs }");
  let goal: MultiWozWorldGoal;
  try {
    goal = multiWozWorldGoal(world, goalId);
  } catch (error) {
    throw new PlannerInputError(`${planner}: ${(error as Error).message}`, "conversation.context.goalId");
  }
  const turns = conversation.turns.map((turn, i) => ({ speaker: turn.speaker === "agent" ? ("system" as const) : ("user" as const), acts: turnActs[i]! as DialogueAct[], text: turn.text }));
  return { goal, turns, ...(persona ? { persona: agendaPersona(persona) } : {}) };
}
