import { z } from "zod";
import { SpeakerSchema } from "@foresight/dialogue";

/** Characters reserved for State-Action Chain tags; a label may never contain them. */
export const RESERVED_LABEL_CHARACTERS = /[⟦⟧\r\n]/;

/** Longest label (motivation, emotion or topic) accepted from an annotator, in characters. */
export const MAX_LABEL_LENGTH = 80;

/** A state or action label: a short, lower-case, single-line phrase without the reserved tag characters. */
export const LabelSchema = z
  .string()
  .min(1, "a label may not be empty")
  .max(MAX_LABEL_LENGTH, `a label may have at most ${MAX_LABEL_LENGTH} characters`)
  .refine((label) => !RESERVED_LABEL_CHARACTERS.test(label), "a label may not contain ⟦, ⟧ or a line break")
  .refine((label) => label === label.trim(), "a label may not start or end with white space");

/**
 * SAGE's per-turn annotation: the speaker's motivation (why they say it), emotion and topics; `null` (or no topics)
 * where nothing fits. For the user side this is the user's *state*; for the assistant side the assistant's *action*.
 */
export const TurnAnnotationSchema = z.object({
  motivation: LabelSchema.nullable(),
  emotion: LabelSchema.nullable(),
  topics: z.array(LabelSchema),
  /** A question the assistant could append to keep the conversation going (assistant turns not ending with one). */
  bridgingQuestion: z.string().min(1).nullable(),
});
export type TurnAnnotation = z.infer<typeof TurnAnnotationSchema>;

/** The part of an annotation that becomes State-Action Chain tags. */
export type SacState = Pick<TurnAnnotation, "motivation" | "emotion" | "topics">;

/** One turn of an annotated dialogue. */
export const AnnotatedTurnSchema = z.object({
  speaker: SpeakerSchema,
  text: z.string(),
  annotation: TurnAnnotationSchema,
});
export type AnnotatedTurn = z.infer<typeof AnnotatedTurnSchema>;

/** One line of an annotations JSONL file: a dialogue with an annotation for every turn. */
export const AnnotatedDialogueSchema = z.object({
  id: z.string().min(1),
  corpus: z.string().min(1),
  domain: z.string().min(1),
  /** The annotating model's id. */
  model: z.string().min(1),
  /** Model calls it took (1 when the first answer was valid). */
  attempts: z.number().int().positive(),
  turns: z.array(AnnotatedTurnSchema).min(1),
});
export type AnnotatedDialogue = z.infer<typeof AnnotatedDialogueSchema>;

/** One line of an annotation errors JSONL file: a dialogue that could not be annotated, and why. */
export const AnnotationFailureSchema = z.object({
  id: z.string().min(1),
  corpus: z.string().min(1),
  reason: z.string().min(1),
  attempts: z.number().int().nonnegative(),
  /** The model's last answer, when there was one. */
  lastOutput: z.string().optional(),
});
export type AnnotationFailure = z.infer<typeof AnnotationFailureSchema>;
