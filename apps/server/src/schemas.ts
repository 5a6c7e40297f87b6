import { z } from "zod";

/** A turn of a conversation as the API takes it. */
export const TurnSchema = z.object({
  speaker: z.enum(["agent", "user"]),
  text: z.string().max(20_000),
  act: z.string().max(200).optional(),
});

/** A conversation: its turns plus domain context (SOP task, MultiWOZ goal …). */
export const ConversationSchema = z.object({
  turns: z.array(TurnSchema).max(500),
  context: z.record(z.string(), z.unknown()).optional(),
});

/** Budgets a caller may ask for; the server caps `timeMs` at its own maximum. */
export const BudgetSchema = z
  .object({
    iterations: z.number().int().min(1).max(1_000_000).optional(),
    timeMs: z.number().positive().max(600_000).optional(),
    llmCalls: z.number().int().min(1).max(100_000).optional(),
    tokens: z.number().int().min(1).max(100_000_000).optional(),
  })
  .strict();

const SeedSchema = z.number().int().min(0).max(4294967295);

/** `POST /v1/plan`. */
export const PlanRequestSchema = z
  .object({
    planner: z.string().min(1).max(100),
    conversation: ConversationSchema,
    candidates: z.array(z.string().max(20_000)).min(1).max(64).optional(),
    budget: BudgetSchema.optional(),
    seed: SeedSchema.optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    trace: z.boolean().optional(),
  })
  .strict();
export type PlanRequest = z.infer<typeof PlanRequestSchema>;

/** `POST /v1/sessions`. */
export const CreateSessionSchema = z
  .object({
    planner: z.string().min(1).max(100),
    settings: z.record(z.string(), z.unknown()).optional(),
    context: z.record(z.string(), z.unknown()).optional(),
    turns: z.array(TurnSchema).max(500).optional(),
  })
  .strict();

/** `POST /v1/sessions/{id}/turns`: what was said since the last call; plans the next agent turn unless `plan` is false. */
export const SessionTurnsSchema = z
  .object({
    turns: z.array(TurnSchema).max(500),
    plan: z.boolean().optional(),
    candidates: z.array(z.string().max(20_000)).min(1).max(64).optional(),
    budget: BudgetSchema.optional(),
    seed: SeedSchema.optional(),
    trace: z.boolean().optional(),
  })
  .strict();

/** An OpenAI chat message (text content only; parts of type text are joined). */
const ChatMessageSchema = z.object({
  role: z.enum(["system", "developer", "user", "assistant"]),
  content: z.union([z.string().max(100_000), z.array(z.object({ type: z.literal("text"), text: z.string().max(100_000) })).max(100), z.null()]),
  name: z.string().max(100).optional(),
});

/** `POST /v1/chat/completions`: OpenAI's request shape; unknown OpenAI fields are accepted and ignored. */
export const ChatCompletionRequestSchema = z.object({
  model: z.string().min(1).max(200),
  messages: z.array(ChatMessageSchema).min(1).max(500),
  stream: z.boolean().optional(),
  n: z.literal(1).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  max_tokens: z.number().int().min(1).max(100_000).optional(),
  max_completion_tokens: z.number().int().min(1).max(100_000).optional(),
  seed: z.number().int().optional(),
  foresight: z
    .object({
      candidates: z.number().int().min(1).max(16).optional(),
      budget: BudgetSchema.optional(),
      seed: SeedSchema.optional(),
      settings: z.record(z.string(), z.unknown()).optional(),
      trace: z.boolean().optional(),
    })
    .strict()
    .optional(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/** Formats a zod error as one line naming each failing field, e.g. `conversation.turns.0.speaker: Invalid option`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(body)"}: ${issue.message}`)
    .join("; ");
}
