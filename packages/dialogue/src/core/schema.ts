import { z } from "zod";

/** Who speaks a turn: the agent being planned for (`system`) or its partner (`user`). */
export const SpeakerSchema = z.enum(["system", "user"]);
export type Speaker = z.infer<typeof SpeakerSchema>;

/**
 * One dialogue act. `intent` is the act label as the corpus spells it (e.g. `credibility-appeal`, `Inform`);
 * `domain`, `slot` and `value` carry structured acts such as MultiWOZ's `Hotel-Inform(Area=east)`.
 */
export const DialogueActSchema = z.object({
  intent: z.string().min(1),
  domain: z.string().optional(),
  slot: z.string().optional(),
  value: z.string().optional(),
});
export type DialogueAct = z.infer<typeof DialogueActSchema>;

/** A sentence-level unit of a turn with its own acts (PersuasionForGood annotates sentences, not turns). */
export const SegmentSchema = z.object({
  text: z.string(),
  acts: z.array(DialogueActSchema),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type Segment = z.infer<typeof SegmentSchema>;

/** One turn: consecutive speech by one speaker. `state` holds annotated state (belief state, SOP user state, emotion…). */
export const TurnSchema = z.object({
  speaker: SpeakerSchema,
  text: z.string(),
  acts: z.array(DialogueActSchema).optional(),
  segments: z.array(SegmentSchema).optional(),
  state: z.record(z.string(), z.unknown()).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type Turn = z.infer<typeof TurnSchema>;

/** The corpora and worlds Foresight knows; `domain` of a dialogue is one of these or a user-defined string. */
export const KNOWN_DOMAINS = ["persuasion", "multiwoz", "open-chat", "sop", "sgd"] as const;

/** A whole dialogue with optional goal (task-oriented) and outcome (e.g. donation, success). */
export const DialogueSchema = z.object({
  id: z.string().min(1),
  domain: z.string().min(1),
  turns: z.array(TurnSchema),
  goal: z.record(z.string(), z.unknown()).optional(),
  outcome: z.record(z.string(), z.unknown()).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export type Dialogue = z.infer<typeof DialogueSchema>;

/** A simulated or real conversational partner's description (used by simulators and prompts). */
export const PersonaSchema = z.object({
  name: z.string().min(1),
  description: z.string(),
  traits: z.record(z.string(), z.unknown()).optional(),
});
export type Persona = z.infer<typeof PersonaSchema>;

/** Formats an act as `intent`, `domain-intent` or `domain-intent(slot=value)`. */
export function formatAct(act: DialogueAct): string {
  const head = act.domain ? `${act.domain}-${act.intent}` : act.intent;
  if (act.slot === undefined) return head;
  return act.value === undefined ? `${head}(${act.slot})` : `${head}(${act.slot}=${act.value})`;
}
