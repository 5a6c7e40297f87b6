import { SpeakerSchema } from "@foresight/dialogue";
import { z } from "zod";

/** A dialogue act with its natural-language form ("The Persuader greets the Persuadee."). */
export const ActSpecSchema = z.object({
  label: z.string().min(1),
  description: z.string().min(1),
  /** Other spellings a model may answer with (e.g. the corpus's Chinese node name). */
  aliases: z.array(z.string().min(1)).optional(),
});
export type ActSpec = z.infer<typeof ActSpecSchema>;

/** A user reaction label with the value GDP-Zero-style value estimation maps it to. */
export const ReactionSpecSchema = ActSpecSchema.extend({ value: z.number() });
export type ReactionSpec = z.infer<typeof ReactionSpecSchema>;

/** A simulated user persona (cooperative, less cooperative…). */
export const PersonaSpecSchema = z.object({ label: z.string().min(1), description: z.string().min(1) });
export type PersonaSpec = z.infer<typeof PersonaSpecSchema>;

/** A chat prompt as data: a system message and a user message, both `{{variable}}` templates. */
export const MessageTemplateSchema = z.object({ system: z.string(), user: z.string().min(1) });
export type MessageTemplate = z.infer<typeof MessageTemplateSchema>;

/** One turn of a pack's example dialogue, with the act (or reaction) it realises. */
export const ExampleTurnSchema = z.object({ speaker: SpeakerSchema, act: z.string().optional(), text: z.string().min(1) });
export type ExampleTurn = z.infer<typeof ExampleTurnSchema>;

/** The names of the templates the roles look up. */
export const TEMPLATE_NAMES = {
  systemReply: "systemReply",
  userReply: "userReply",
  nextAct: "nextAct",
  successJudge: "successJudge",
  rationalityJudge: "rationalityJudge",
  userState: "userState",
  pairwiseJudge: "pairwiseJudge",
} as const;

/** Variables a template may use; anything else is rejected when the pack is validated. */
export const TEMPLATE_VARIABLES = [
  "system",
  "user",
  "background",
  "acts",
  "actOptions",
  "actLabels",
  "example",
  "history",
  "act",
  "actDescription",
  "reactions",
  "reactionLabels",
  "persona",
  "personaDescription",
  "goal",
  "endToken",
  "question",
  "states",
  "stateLabels",
  "guidance",
  "candidateA",
  "candidateB",
  "criteria",
  "taskProfile",
  "userProfile",
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/**
 * A prompt pack: everything domain-specific a role needs, as plain data — speaker names, background, the
 * system's acts and their natural-language forms, user reactions/states/personas, an example dialogue and the
 * templates. Packs are validated with {@link parsePromptPack}, so users can pass their own.
 */
export const PromptPackSchema = z
  .object({
    id: z.string().min(1),
    domain: z.string().min(1),
    description: z.string(),
    speakers: z.object({ system: z.string().min(1), user: z.string().min(1) }),
    background: z.string().default(""),
    systemActs: z.array(ActSpecSchema).default([]),
    userReactions: z.array(ReactionSpecSchema).default([]),
    /** The reaction assumed when the simulated user's label cannot be parsed (counted as a parse failure). */
    defaultReaction: z.string().optional(),
    userStates: z.array(ActSpecSchema).default([]),
    /** The state assumed when a classification cannot be parsed (default: the first state). */
    defaultUserState: z.string().optional(),
    personas: z.array(PersonaSpecSchema).default([]),
    example: z.array(ExampleTurnSchema).default([]),
    /** A token the simulated user writes to end the dialogue (e.g. `<END>`). */
    endToken: z.string().min(1).optional(),
    /** The question appended before value estimation (GDP-Zero: "Would you be interested in donating…?"). */
    valueQuestion: z.string().min(1).optional(),
    /** Criteria a pairwise judge applies. */
    judgeCriteria: z.string().default("Which response is better for the conversation?"),
    /** Replies used when no candidate could be parsed from the model's output (counted as parse failures). */
    fallbackReplies: z.object({ system: z.string().min(1), user: z.string().min(1) }).default({ system: "I see. Could you tell me more?", user: "I see." }),
    /** Show acts in brackets after the speaker name in rendered histories. */
    showActsInHistory: z.boolean().default(true),
    /**
     * Templates whose histories and example show no act labels even when `showActsInHistory` is true (GDP-Zero
     * shows the persuader's acts to its own prompts, never to the simulated persuadee or the value prompt).
     */
    actsHiddenIn: z.array(z.string()).default([]),
    templates: z.record(z.string(), MessageTemplateSchema),
  })
  .superRefine((pack, ctx) => {
    const known = new Set<string>(TEMPLATE_VARIABLES);
    for (const [name, template] of Object.entries(pack.templates)) {
      for (const part of ["system", "user"] as const) {
        for (const match of template[part].matchAll(/\{\{\s*[#/]?\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)) {
          if (!known.has(match[1] as string)) {
            ctx.addIssue({ code: "custom", path: ["templates", name, part], message: `unknown variable {{${match[1]}}}; known: ${TEMPLATE_VARIABLES.join(", ")}` });
          }
        }
      }
    }
    // GDP-Zero's chat code lost the act after the first turn; a reply template that never names the act would repeat that.
    const reply = pack.templates[TEMPLATE_NAMES.systemReply];
    if (reply && !/\{\{\s*(?:act|actDescription)\s*\}\}/.test(`${reply.system}\n${reply.user}`)) {
      ctx.addIssue({ code: "custom", path: ["templates", TEMPLATE_NAMES.systemReply], message: "must use {{act}} or {{actDescription}}: the system reply is conditioned on the act at every turn" });
    }
    const reactions = pack.userReactions.map((reaction) => reaction.label);
    if (pack.defaultReaction !== undefined && !reactions.includes(pack.defaultReaction)) {
      ctx.addIssue({ code: "custom", path: ["defaultReaction"], message: `must be one of the userReactions: ${reactions.join(", ")}` });
    }
    const states = pack.userStates.map((state) => state.label);
    if (pack.defaultUserState !== undefined && !states.includes(pack.defaultUserState)) {
      ctx.addIssue({ code: "custom", path: ["defaultUserState"], message: `must be one of the userStates: ${states.join(", ")}` });
    }
    const labels = pack.systemActs.map((act) => act.label.toLowerCase());
    if (new Set(labels).size !== labels.length) ctx.addIssue({ code: "custom", path: ["systemActs"], message: "act labels must be unique" });
  });
/** A validated prompt pack. */
export type PromptPack = z.output<typeof PromptPackSchema>;
/** A prompt pack as written (defaults not yet applied). */
export type PromptPackInput = z.input<typeof PromptPackSchema>;

/** Thrown for an invalid pack, a missing template or a template variable without a value. */
export class PromptPackError extends Error {
  override readonly name = "PromptPackError";
}

/** Validates a pack (yours or a built-in one), failing with the pack id and the offending field. */
export function parsePromptPack(input: unknown): PromptPack {
  const parsed = PromptPackSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const id = typeof input === "object" && input !== null && "id" in input ? String((input as { id: unknown }).id) : "(no id)";
  const details = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
  throw new PromptPackError(`invalid prompt pack ${id}: ${details}`);
}
