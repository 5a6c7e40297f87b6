import { createRng, toMultiWozActs, type DialogueAct, type MultiWozGoal, type Turn } from "@foresight/dialogue";
import {
  AgendaUser,
  applyMultiWozSystemActs,
  applySgdSystemTurn,
  applySgdUserTurn,
  initialSgdState,
  sgdTask,
  SgdUser,
  sgdUserText,
  SGD_MAX_TURNS,
  type SgdGoal,
  type SgdWorld,
  type SgdWorldAct,
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
import { groundedSgdBundle, SgdActsSchema } from "./sgd.js";

const ActsSchema = z.array(z.object({ intent: z.string(), domain: z.string().optional(), slot: z.string().optional(), value: z.string().optional() }));

/** The acts of a TOD decision's reply (`details.replyActs` of the chosen candidate), read with the world's schema. */
function replyActsOf<T>(decision: Decision, schema: z.ZodType<T> = ActsSchema as unknown as z.ZodType<T>): T {
  const chosen = decision.candidates.find((c) => c.act === decision.act && c.details?.replyActs !== undefined);
  const parsed = schema.safeParse(chosen?.details?.replyActs);
  if (!parsed.success) throw new Error(`${decision.planner}: the decision carries no reply acts (details.replyActs of the chosen candidate)`);
  return parsed.data;
}

/** The MultiWOZ acts of a TOD decision's reply (`details.replyActs` of the chosen candidate). */
export function decisionReplyActs(decision: Decision): DialogueAct[] {
  return replyActsOf<DialogueAct[]>(decision);
}

/** The seed of an episode's plan call before the system turn of exchange `exchange` (both worlds). */
function planSeed(seed: number, exchange: number): number {
  return seed * 1000 + exchange;
}

/** An episode's record of a planned system turn. */
function episodeTurn(decision: Decision): TodEpisodeTurn {
  return { act: decision.act ?? "", reply: decision.reply ?? "", llmCalls: decision.stats.llmCalls, tokens: decision.stats.tokens, wallMs: decision.stats.wallMs, roleCalls: decision.stats.roleCalls ?? {}, decision };
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
    const decision = await options.planner.plan(todConversation(goal.id, dialogue, options.planningPersona), { ...options.planOptions, seed: planSeed(seed, exchange) });
    const acts = decisionReplyActs(decision);
    state = applyMultiWozSystemActs(state, acts, world.db);
    systemActs = acts;
    dialogue.push({ speaker: "system", text: decision.reply ?? "", acts, state: structuredClone(state.belief), metadata: { dialogAct: toMultiWozActs(acts), actType: decision.act } });
    turns.push(episodeTurn(decision));
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

/** An SGD episode: the judge user's verdict, the system turns, and the transcript. */
export interface SgdEpisodeResult {
  goalId: string;
  /** The judge user's goal complete (SGD's success). */
  success: boolean;
  /** Share of the requested slots the judge user was told; booked (1/0) when the goal books, else undefined. */
  inform: number;
  book?: number;
  turns: TodEpisodeTurn[];
  dialogue: { speaker: "user" | "system"; text: string; act?: string }[];
}

/** The conversation a TOD planner sees of an SGD episode: the turns, and the goal, acts per turn and planning persona in `context`. */
function sgdConversation(goalId: string, turns: readonly { speaker: "user" | "system"; text: string; act?: string }[], turnActs: readonly SgdWorldAct[][], persona: AgendaPersona["name"]): Conversation {
  return {
    turns: turns.map((turn): ConversationTurn => (turn.speaker === "user" ? { speaker: "user", text: turn.text } : { speaker: "agent", text: turn.text, act: turn.act! })),
    context: { world: "sgd", goalId, turnActs: turnActs.map((acts) => [...acts]), persona },
  };
}

/**
 * Plays one SGD goal with a planner as the system (the same planner objects and plan calls as {@link playTodEpisode})
 * against the judge's SGD agenda user (its own random stream), until the user leaves, the system says goodbye or
 * SGD's turn limit. The planner sees the conversation with `context.world` "sgd" and plans in its own model (the
 * `planningPersona` user); its reply must be a bundle the task grounds there.
 */
export async function playSgdEpisode(options: {
  world: SgdWorld;
  goal: SgdGoal;
  judgePersona: AgendaPersona;
  planner: Planner;
  planningPersona: AgendaPersona["name"];
  seed: number;
  planOptions?: Omit<PlanOptions, "seed">;
}): Promise<SgdEpisodeResult> {
  const { goal, seed } = options;
  const task = sgdTask(options.world, goal);
  const judgeRng = createRng(`sgd-judge:${seed}:${goal.id}`);
  const judge = SgdUser.create(goal, task, options.judgePersona);
  const opening = judge.open(judgeRng);
  let state = applySgdUserTurn(initialSgdState(), opening, task);
  const dialogue: SgdEpisodeResult["dialogue"] = [{ speaker: "user", text: sgdUserText(opening) }];
  const turnActs: SgdWorldAct[][] = [opening];
  const turns: TodEpisodeTurn[] = [];
  for (let exchange = 0; !judge.ended && state.turn < SGD_MAX_TURNS; exchange++) {
    const decision = await options.planner.plan(sgdConversation(goal.id, dialogue, turnActs, options.planningPersona), { ...options.planOptions, seed: planSeed(seed, exchange) });
    const acts = replyActsOf(decision, SgdActsSchema);
    const bundle = groundedSgdBundle(task, state, decision.act, acts);
    if (!bundle) throw new Error(`${decision.planner}: its reply (${decision.act}) is not a system turn the SGD task grounds there`);
    turns.push(episodeTurn(decision));
    dialogue.push({ speaker: "system", text: decision.reply ?? "", act: bundle.type });
    turnActs.push(bundle.acts);
    state = applySgdSystemTurn(state, bundle);
    const reply = judge.respond(bundle.acts, judgeRng);
    state = applySgdUserTurn(state, reply, task);
    dialogue.push({ speaker: "user", text: sgdUserText(reply) });
    turnActs.push(reply);
    if (bundle.type === "GOODBYE") break;
  }
  return { goalId: goal.id, success: judge.isComplete(), ...judge.progress(), turns, dialogue };
}
