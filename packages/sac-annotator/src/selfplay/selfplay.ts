import { z } from "zod";
import type { ChatMessage } from "@foresight/dialogue";
import { extractJson, type ChatModel, type ChatRequest } from "@foresight/llm-sim";
import { stripStateTags } from "../chain/serialize.js";
import { COMPANION_CRITERIA, DEFAULT_AGENT_SYSTEM_PROMPT, selectorSystemPrompt, selectorUserMessage, userSimulatorPrompt } from "./prompts.js";
import type { AgentTurn, Candidate, SeedSituation, SelectionRound, Trajectory } from "./schema.js";

/**
 * SAGE's self-play settings (§4.4): 16 candidates per agent turn, up to 12 agent turns, sampling at temperature 1.1
 * with top-k 100 and repetition penalty 1.1 (sent where the endpoint supports them, see llm-sim's `extendedSampling`).
 */
export const SELF_PLAY_DEFAULTS = Object.freeze({ candidates: 16, agentTurns: 12, temperature: 1.1, topK: 100, repetitionPenalty: 1.1 });

/** Options for {@link selfPlay}. */
export interface SelfPlayOptions {
  /** The model being improved; its outputs may carry State-Action Chain tags. */
  agent: ChatModel;
  /** Plays the person in the seed situation. */
  user: ChatModel;
  /** Picks the best candidate by the companion criteria. */
  selector: ChatModel;
  /** Candidates sampled per turn (default 16). */
  candidates?: number;
  /** Agent turns per trajectory (default 12). */
  agentTurns?: number;
  /** Calls per selection when the selector's answer cannot be read (default 2); then the first candidate is kept, flagged as a fallback. */
  selectorAttempts?: number;
  agentSystemPrompt?: string;
  criteria?: readonly string[];
  /** The agent's sampling temperature (default 1.1), top-k (default 100) and repetition penalty (default 1.1). */
  agentTemperature?: number;
  agentTopK?: number;
  agentRepetitionPenalty?: number;
  userTemperature?: number;
  /** Adjusts each agent request before it is sent (e.g. to steer it; see steer.ts). */
  prepareAgentRequest?: (request: ChatRequest, turn: number) => ChatRequest;
  signal?: AbortSignal;
}

/** The selector's decision: a 0-based candidate index, its reason, and whether it is the fallback for an unreadable answer. */
export interface Selection {
  chosen: number;
  reason: string;
  fallback?: true;
}

const SelectorAnswerSchema = z.object({
  best: z.union([z.number(), z.string()]),
  reason: z.string().optional(),
});

/** Reads a selector answer naming one of `count` candidates (1-based in the answer); undefined when it names none. */
export function parseSelection(text: string, count: number): Selection | undefined {
  const json = extractJson(text);
  let best: number | undefined;
  let reason = "";
  const parsed = SelectorAnswerSchema.safeParse(json);
  if (parsed.success) {
    reason = parsed.data.reason ?? "";
    const value = parsed.data.best;
    if (typeof value === "number") best = value;
    else if (/^\s*\[?\d+\]?\s*$/.test(value)) best = Number(value.replace(/[^\d]/g, ""));
  } else {
    const match = /\bbest\b["'\s:=]*\[?(\d+)/i.exec(text);
    if (match) best = Number(match[1]);
  }
  if (best === undefined || !Number.isInteger(best) || best < 1 || best > count) return undefined;
  return { chosen: best - 1, reason };
}

/** The agent's view of a trajectory before turn `turn`: system prompt, earlier exchanges (raw replies) and the user's message. */
export function agentMessages(trajectory: Pick<Trajectory, "agentSystemPrompt" | "turns">, turn: number): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: "system", content: trajectory.agentSystemPrompt }];
  trajectory.turns.slice(0, turn + 1).forEach((agentTurn, index) => {
    messages.push({ role: "user", content: agentTurn.user });
    if (index < turn && agentTurn.reply) messages.push({ role: "assistant", content: agentTurn.reply.raw });
  });
  return messages;
}

/**
 * The user model's view: its own lines as assistant messages, the agent's replies (tags stripped) as user messages.
 * It always opens with a user message, so roles alternate user/assistant as strict chat templates require.
 */
function userMessages(situation: SeedSituation, turns: readonly AgentTurn[]): ChatMessage[] {
  const messages: ChatMessage[] = [
    { role: "system", content: userSimulatorPrompt(situation) },
    { role: "user", content: "(The conversation starts. Write your first message.)" },
  ];
  for (const turn of turns) {
    messages.push({ role: "assistant", content: turn.user });
    if (turn.reply) messages.push({ role: "user", content: turn.reply.text });
  }
  return messages;
}

function cleanUserMessage(text: string): string {
  return text
    .trim()
    .replace(/^(?:user|human|me|person)\s*:\s*/i, "")
    .replace(/^"([\s\S]*)"$/, "$1")
    .trim();
}

/** Asks the selector to choose among candidates; an unreadable answer is asked again, then the first candidate is kept as a fallback. */
export async function selectCandidate(selector: ChatModel, history: readonly ChatMessage[], candidates: readonly Candidate[], options: Pick<SelfPlayOptions, "criteria" | "selectorAttempts" | "signal"> = {}): Promise<Selection> {
  const messages: ChatMessage[] = [
    { role: "system", content: selectorSystemPrompt(options.criteria ?? COMPANION_CRITERIA, candidates.length) },
    { role: "user", content: selectorUserMessage(history, candidates) },
  ];
  const attempts = options.selectorAttempts ?? 2;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const response = await selector.complete({ messages, temperature: 0, role: "sac-selector", signal: options.signal });
    const selection = parseSelection(response.choices[0]?.text ?? "", candidates.length);
    if (selection) return selection;
  }
  return { chosen: 0, reason: `selector answer unreadable after ${attempts} attempts; kept the first candidate`, fallback: true };
}

/**
 * Rolls out one dialogue from a seed situation (SAGE §4.4): the user model speaks, the agent samples N candidates,
 * the selector keeps the best (the others become negatives), for `agentTurns` turns. The selector always picks
 * one; an unreadable answer keeps the first candidate and the round says so. The agent sees its own raw replies
 * (tags included); the user and the selector see them with the tags stripped.
 */
export async function selfPlay(situation: SeedSituation, options: SelfPlayOptions): Promise<Trajectory> {
  const n = options.candidates ?? SELF_PLAY_DEFAULTS.candidates;
  const agentTurns = options.agentTurns ?? SELF_PLAY_DEFAULTS.agentTurns;
  for (const [name, value] of [["candidates", n], ["agentTurns", agentTurns]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  const trajectory: Trajectory = {
    id: situation.id,
    situation,
    agentModel: options.agent.id,
    userModel: options.user.id,
    selectorModel: options.selector.id,
    agentSystemPrompt: options.agentSystemPrompt ?? DEFAULT_AGENT_SYSTEM_PROMPT,
    turns: [],
    status: "complete",
  };
  for (let turn = 0; turn < agentTurns; turn++) {
    let userText = turn === 0 ? situation.opening : undefined;
    if (userText === undefined) {
      const response = await options.user.complete({
        messages: userMessages(situation, trajectory.turns),
        temperature: options.userTemperature ?? 0.8,
        role: "sac-user",
        signal: options.signal,
      });
      userText = cleanUserMessage(response.choices[0]?.text ?? "");
    }
    const current: AgentTurn = { user: userText, rounds: [], reply: null };
    trajectory.turns.push(current);
    const history = agentMessages(trajectory, turn);
    const displayHistory = history.map((message) => (message.role === "assistant" ? { ...message, content: stripStateTags(message.content) } : message));
    const base: ChatRequest = {
      messages: history,
      n,
      temperature: options.agentTemperature ?? SELF_PLAY_DEFAULTS.temperature,
      topK: options.agentTopK ?? SELF_PLAY_DEFAULTS.topK,
      repetitionPenalty: options.agentRepetitionPenalty ?? SELF_PLAY_DEFAULTS.repetitionPenalty,
      role: "sac-agent",
      signal: options.signal,
    };
    const request = options.prepareAgentRequest ? options.prepareAgentRequest(base, turn) : base;
    const response = await options.agent.complete(request);
    if (response.choices.length === 0) throw new Error(`agent model ${options.agent.id} returned no choices at turn ${turn}`);
    // A prefilled request (steerByPrefill) ends with the start of the assistant message; the completion continues it.
    const last = request.messages.at(-1);
    const prefill = last?.role === "assistant" ? last.content : "";
    const candidates = response.choices.map((choice) => {
      const raw = `${prefill}${choice.text}`;
      return { raw, text: stripStateTags(raw) };
    });
    const selection = await selectCandidate(options.selector, displayHistory, candidates, options);
    const record: SelectionRound = { candidates, chosen: selection.chosen, reason: selection.reason, ...(selection.fallback ? { fallback: true as const } : {}) };
    current.rounds.push(record);
    current.reply = candidates[selection.chosen] ?? null;
  }
  return trajectory;
}
