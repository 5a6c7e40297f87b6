import { z } from "zod";

/** The splits of the Schema-Guided Dialogue release; each has its own `<split>_schema.json`. */
export const SGD_SPLITS = ["train", "dev", "test"] as const;
export type SgdSplit = (typeof SGD_SPLITS)[number];

/** Every dialogue act of SGD (system and user acts, as listed in the dataset's README). */
export const SGD_ACTS = [
  "INFORM",
  "REQUEST",
  "CONFIRM",
  "OFFER",
  "NOTIFY_SUCCESS",
  "NOTIFY_FAILURE",
  "INFORM_COUNT",
  "OFFER_INTENT",
  "REQ_MORE",
  "GOODBYE",
  "INFORM_INTENT",
  "NEGATE_INTENT",
  "AFFIRM_INTENT",
  "AFFIRM",
  "NEGATE",
  "SELECT",
  "REQUEST_ALTS",
  "THANK_YOU",
] as const;
export type SgdAct = (typeof SGD_ACTS)[number];

const RawSlotSchema = z.object({
  name: z.string().min(1),
  description: z.string(),
  is_categorical: z.boolean(),
  possible_values: z.array(z.string()),
});

const RawIntentSchema = z.object({
  name: z.string().min(1),
  description: z.string(),
  is_transactional: z.boolean(),
  required_slots: z.array(z.string().min(1)),
  optional_slots: z.record(z.string(), z.string()),
  result_slots: z.array(z.string().min(1)),
});

/** One service of a raw `<split>_schema.json` file. */
export const RawSgdServiceSchema = z.object({
  service_name: z.string().min(1),
  description: z.string(),
  slots: z.array(RawSlotSchema),
  intents: z.array(RawIntentSchema).min(1),
});
export type RawSgdService = z.infer<typeof RawSgdServiceSchema>;

/** A raw `<split>_schema.json` file: a list of services. */
export const RawSgdSchemaFileSchema = z.array(RawSgdServiceSchema).min(1);

const RawActionSchema = z.object({
  act: z.enum(SGD_ACTS),
  slot: z.string(),
  values: z.array(z.string()),
  canonical_values: z.array(z.string()),
});

/** A user frame's dialogue state for one service. */
const RawStateSchema = z.object({
  active_intent: z.string().min(1),
  requested_slots: z.array(z.string().min(1)),
  slot_values: z.record(z.string(), z.array(z.string()).min(1)),
});

const RawFrameSchema = z.object({
  service: z.string().min(1),
  actions: z.array(RawActionSchema),
  slots: z.array(z.object({ slot: z.string().min(1), start: z.number().int().nonnegative(), exclusive_end: z.number().int().nonnegative() })),
  state: RawStateSchema.optional(),
  service_call: z.object({ method: z.string().min(1), parameters: z.record(z.string(), z.string()) }).optional(),
  service_results: z.array(z.record(z.string(), z.string())).optional(),
});

const RawTurnSchema = z.object({
  speaker: z.enum(["USER", "SYSTEM"]),
  utterance: z.string(),
  frames: z.array(RawFrameSchema).min(1),
});

/** One dialogue of a raw `*dialogues_NNN.json` file. */
export const RawSgdDialogueSchema = z.object({
  dialogue_id: z.string().min(1),
  services: z.array(z.string().min(1)).min(1),
  turns: z.array(RawTurnSchema).min(1),
});
export type RawSgdDialogue = z.infer<typeof RawSgdDialogueSchema>;

/** A raw dialogue file: a list of dialogues. */
export const RawSgdDialogueFileSchema = z.array(RawSgdDialogueSchema);

/** A slot of a service schema. */
export interface SgdSlot {
  name: string;
  description: string;
  /** True when the slot takes one of `possibleValues` only. */
  isCategorical: boolean;
  /** The values of a categorical slot (a few non-categorical slots list examples, e.g. Restaurants_1 `cuisine`). */
  possibleValues: string[];
}

/** An intent of a service schema. */
export interface SgdIntent {
  name: string;
  description: string;
  /** True when fulfilling the intent changes the world (a booking, a transfer). */
  isTransactional: boolean;
  requiredSlots: string[];
  /** Optional slots with their default values. */
  optionalSlots: Record<string, string>;
  resultSlots: string[];
}

/** A validated SGD service schema. */
export interface SgdServiceSchema {
  /** The service's name, e.g. `Hotels_2`. */
  serviceName: string;
  description: string;
  /** The split whose schema file declared it. */
  split: SgdSplit;
  slots: SgdSlot[];
  intents: SgdIntent[];
}

/** A user frame's dialogue state for one service, as stored in `turn.state[service]`. */
export const SgdFrameStateSchema = z.object({
  activeIntent: z.string().min(1),
  requestedSlots: z.array(z.string()),
  /** Each slot's values: every spelling the user used so far (`["March 13th", "the 13th"]`). */
  slotValues: z.record(z.string(), z.array(z.string())),
});
export type SgdFrameState = z.infer<typeof SgdFrameStateSchema>;

/** A user turn's state: the frame state per service. */
export const SgdTurnStateSchema = z.record(z.string(), SgdFrameStateSchema);
export type SgdTurnState = z.infer<typeof SgdTurnStateSchema>;

/** A backend call a system frame made, kept in `turn.metadata.serviceCalls`. */
export interface SgdServiceCall {
  service: string;
  method: string;
  parameters: Record<string, string>;
  /** How many results the call returned. */
  resultCount: number;
}

/** The metadata of a loaded SGD dialogue. */
export interface SgdDialogueMetadata {
  /** The id in the release, e.g. `11_00000` (unique within a split only). */
  originalId: string;
  /** The services the dialogue uses. */
  services: string[];
  /** The split named by the file (`test_dialogues_011.json` → `test`); absent for an unprefixed `dialogues_NNN.json`. */
  split?: SgdSplit;
  /** The file's name inside `sgd/`. */
  file: string;
}
