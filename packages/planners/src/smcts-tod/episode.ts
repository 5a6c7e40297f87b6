import { createRng, toMultiWozActs, type DialogueAct, type MultiWozGoal, type Turn } from "@foresight/dialogue";
import {
  AgendaUser,
  applyMultiWozSystemActs,
  applyMultiWozUserActs,
  initialMultiWozState,
  MultiWozTemplateNlg,
  MULTIWOZ_MAX_TURNS,
  type AgendaPersona,
  type MultiWozWorld,
  type MultiWozWorldGoal,
} from "@foresight/llm-sim";
import { evaluateMultiWozSession } from "@foresight/rewards";
import { z } from "zod";
import type { Conversation, ConversationTurn, Decision, PlanOptions, Planner } from "../types.js";

const ActsSchema = z.array(z.object({ intent: z.string(), domain: z.string().optional(), slot: z.string().optional(), value: z.string().optional() }));

/** The acts of a TOD decision's reply (`details.replyActs` of the chosen candidate). */
export function decisionReplyActs(decision: Decision): DialogueAct[] {
  const chosen = decision.candidates.find((c) => c.act === decision.act && c.details?.replyActs !== undefined);
  const parsed = ActsSchema.safeParse(chosen?.details?.replyActs);
  if (!parsed.success) throw new Error(`${decision.planner}: the decision carries no reply acts (details.replyActs of the chosen candidate)`);
  return parsed.data as DialogueAct[];
}

/** One system turn of an episode with what planning it cost. */
export interface TodEpisodeTurn {
  act: string;
  reply: string;
  llmCalls: number;
  tokens: number;
  wallMs: number;
  roleCalls: Record<string, number>;
  decision: Decision;
}

/** The outcome of one episode against the judge world, scored by the ConvLab evaluator. */
export interface TodEpisodeResult {
  goalId: string;
  /** The judge user's goal complete. */
  complete: boolean;
  endReason: string;
  /** ConvLab: inform F1 (null when the goal requests nothing), task success, book rate (null when nothing to book). */
  inform: number | null;
  success: boolean;
  book: number | null;
  turns: TodEpisodeTurn[];
  /** The played dialogue (user and system turns with acts; system turns carry the judge-side belief state). */
  dialogue: Turn[];
}

/** Options of {@link playTodEpisode}. */
export interface TodEpisodeOptions {
  world: MultiWozWorld;
  goal: MultiWozWorldGoal;
  /** The judge's user (the world the episode is scored in). */
  judgePersona: AgendaPersona;
  planner: Planner;
  /** The planning model's user persona (the judge's when matched, another when mismatched). */
  planningPersona: AgendaPersona["name"];
  seed: number;
  maxTurns?: number;
  /** Plan options per turn (budget, settings); the seed is set per turn from `seed`. */
  planOptions?: Omit<PlanOptions, "seed">;
}

/** The conversation a TOD planner sees: turns with texts, and the goal id, acts per turn and planning persona in `context`. */
export function todConversation(goalId: string, turns: readonly Turn[], persona: AgendaPersona["name"]): Conversation {
  return {
    turns: turns.map((turn): ConversationTurn => ({ speaker: turn.speaker === "user" ? "user" : "agent", text: turn.text })),
    context: { goalId, turnActs: turns.map((turn) => turn.acts ?? []), persona },
  };
}

/**
 * Plays one MultiWOZ goal with a planner as the system against the judge world's agenda user (the judge's persona,
 * its own random stream), until the user leaves, the system says goodbye or `maxTurns` exchanges, and scores the
 * dialogue with the ConvLab evaluator. The planner sees only its planning model (the persona it is given).
 */
export async function playTodEpisode(options: TodEpisodeOptions): Promise<TodEpisodeResult> {
  const { world, goal, seed } = options;
  const maxTurns = options.maxTurns ?? MULTIWOZ_MAX_TURNS;
  const rng = createRng(`episode:${seed}`);
  const userRng = rng.fork("user");
  const nlgRng = rng.fork("nlg");
  const nlg = new MultiWozTemplateNlg(world.templates);
  const user = AgendaUser.create(goal.goal, options.judgePersona, world.userActCounts);
  let state = initialMultiWozState();
  const dialogue: Turn[] = [];
  const turns: TodEpisodeTurn[] = [];
  let systemActs: DialogueAct[] | undefined;
  let endReason = "turn-limit";
  for (let exchange = 0; exchange < maxTurns; exchange++) {
    const userActs = systemActs === undefined ? user.next(userRng) : user.respond(systemActs, userRng);
    if (systemActs !== undefined && user.ended && user.endReason === "system-bye") {
      endReason = "system-bye";
      break;
    }
    dialogue.push({ speaker: "user", text: nlg.user(userActs, nlgRng).text, acts: userActs, metadata: { dialogAct: toMultiWozActs(userActs) } });
    state = applyMultiWozUserActs(state, userActs, world.db);
    if (user.ended) {
      endReason = user.endReason ?? "user-terminated";
      break;
    }
    const decision = await options.planner.plan(todConversation(goal.id, dialogue, options.planningPersona), { ...options.planOptions, seed: seed * 1000 + exchange });
    const acts = decisionReplyActs(decision);
    state = applyMultiWozSystemActs(state, acts, world.db);
    systemActs = acts;
    dialogue.push({ speaker: "system", text: decision.reply ?? "", acts, state: structuredClone(state.belief), metadata: { dialogAct: toMultiWozActs(acts), actType: decision.act } });
    turns.push({ act: decision.act ?? "", reply: decision.reply ?? "", llmCalls: decision.stats.llmCalls, tokens: decision.stats.tokens, wallMs: decision.stats.wallMs, roleCalls: decision.stats.roleCalls ?? {}, decision });
    if (decision.act === "bye") {
      endReason = "system-bye";
      break;
    }
  }
  const evaluation = evaluateMultiWozSession({ goal: goal.goal as MultiWozGoal, turns: dialogue } as Parameters<typeof evaluateMultiWozSession>[0], world.db);
  return {
    goalId: goal.id,
    complete: user.isComplete(),
    endReason,
    inform: evaluation.inform.f1,
    success: evaluation.success,
    book: evaluation.bookRate,
    turns,
    dialogue,
  };
}
