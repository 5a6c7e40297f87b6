import { z } from "zod";

/** A seed situation self-play starts from: what the user is going through, optionally who they are and their first words. */
export const SeedSituationSchema = z.object({
  id: z.string().min(1),
  situation: z.string().min(1),
  persona: z.string().min(1).optional(),
  opening: z.string().min(1).optional(),
});
export type SeedSituation = z.infer<typeof SeedSituationSchema>;

/** One agent candidate: the raw output (State-Action Chain tags included) and the reply with the tags stripped. */
export const CandidateSchema = z.object({ raw: z.string(), text: z.string() });
export type Candidate = z.infer<typeof CandidateSchema>;

/**
 * One sampling round of a turn: the candidates, the selector's choice and its reason; `fallback` when the
 * selector's answer was unreadable and the first candidate was kept. (`chosen: null` — a declined round — only
 * occurs in trajectories written before the selector always picked one.)
 */
export const SelectionRoundSchema = z.object({
  candidates: z.array(CandidateSchema).min(1),
  chosen: z.number().int().nonnegative().nullable(),
  reason: z.string(),
  fallback: z.literal(true).optional(),
});
export type SelectionRound = z.infer<typeof SelectionRoundSchema>;

/** One agent turn: the user's message, the sampling rounds, and the reply kept (null when every round was declined). */
export const AgentTurnSchema = z.object({
  user: z.string(),
  rounds: z.array(SelectionRoundSchema).min(1),
  reply: CandidateSchema.nullable(),
});
export type AgentTurn = z.infer<typeof AgentTurnSchema>;

/** A self-play trajectory; `declined` only in files written before the selector always picked a candidate. */
export const TrajectorySchema = z.object({
  id: z.string().min(1),
  situation: SeedSituationSchema,
  agentModel: z.string(),
  userModel: z.string(),
  selectorModel: z.string(),
  agentSystemPrompt: z.string(),
  turns: z.array(AgentTurnSchema),
  status: z.enum(["complete", "declined"]),
});
export type Trajectory = z.infer<typeof TrajectorySchema>;
