import { z } from "zod";
import type { ChatMessage } from "@foresight/dialogue";
import { extractJson, type ChatModel, type ChatRequest } from "@foresight/llm-sim";
import { stripStateTags } from "../chain/serialize.js";
import { COMPANION_CRITERIA, DEFAULT_AGENT_SYSTEM_PROMPT, selectorSystemPrompt, selectorUserMessage, userSimulatorPrompt } from "./prompts.js";
import type { AgentTurn, Candidate, SeedSituation, SelectionRound, Trajectory } from "./schema.js";

/** Options for {@link selfPlay}. */
export interface SelfPlayOptions {
  /** The model being improved; its outputs may carry State-Action Chain tags. */
  agent: ChatModel;
  /** Plays the person in the seed situation. */
  user: ChatModel;
  /** Picks the best candidate by the companion criteria, or declines. */
  selector: ChatModel;
  /** Candidates sampled per turn (default 4). */
  candidates?: number;
  /** Agent turns per trajectory (default 4). */
  agentTurns?: number;
  /** Sampling rounds per turn while the selector declines (default 2); after that the trajectory stops as "declined". */
  maxRounds?: number;
  /** Calls per selection when the selector's answer cannot be read (default 2); still unreadable counts as declined. */
  selectorAttempts?: number;
  agentSystemPrompt?: string;
  criteria?: readonly string[];
  agentTemperature?: number;
  userTemperature?: number;
  /** Adjusts each agent request before it is sent (e.g. to steer it; see steer.ts). */
  prepareAgentRequest?: (request: ChatRequest, turn: number) => ChatRequest;
  signal?: AbortSignal;
}

/** The selector's decision: a 0-based candidate index or null (declined), and its reason. */
export interface Selection {
  chosen: number | null;
  reason: string;
}

const SelectorAnswerSchema = z.object({
  best: z.union([z.number(), z.string()]),
  reason: z.string().optional(),
});

/** Reads a selector answer for `count` candidates; undefined when it cannot be read or names no candidate. */
export function parseSelection(text: string, count: number): Selection | undefined {
  const json = extractJson(text);
  let best: number | undefined;
  let reason = "";
  const parsed = SelectorAnswerSchema.safeParse(json);
  if (parsed.success) {
    reason = parsed.data.reason ?? "";
    const value = parsed.data.best;
    if (typeof value === "number") best = value;
    else if (/^\s*(?:none|0|decline[d]?)\s*$/i.test(value)) best = 0;
    else if (/^\s*\[?\d+\]?\s*$/.test(value)) best = Number(value.replace(/[^\d]/g, ""));
  } else {
    const match = /\bbest\b["'\s:=]*\[?(\d+)/i.exec(text);
    if (match) best = Number(match[1]);
  }
  if (best === undefined || !Number.isInteger(best) || best < 0 || best > count) return undefined;
  return { chosen: best === 0 ? null : best - 1, reason };
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

/** Asks the selector to choose among candidates; unreadable answers are retried, then count as a decline. */
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
  return { chosen: null, reason: `selector answer unreadable after ${attempts} attempts` };
}

/**
 * Rolls out one dialogue from a seed situation: the user model speaks, the agent proposes N candidates, the selector
 * keeps the best (the others become negatives) or declines and the agent samples again, for `agentTurns` turns.
 * The agent sees its own raw replies (tags included); the user and the selector see them with the tags stripped.
 */
export async function selfPlay(situation: SeedSituation, options: SelfPlayOptions): Promise<Trajectory> {
  const n = options.candidates ?? 4;
  const agentTurns = options.agentTurns ?? 4;
  const maxRounds = options.maxRounds ?? 2;
  for (const [name, value] of [["candidates", n], ["agentTurns", agentTurns], ["maxRounds", maxRounds]] as const) {
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
    for (let round = 0; round < maxRounds && current.reply === null; round++) {
      const base: ChatRequest = { messages: history, n, temperature: options.agentTemperature ?? 1, role: "sac-agent", signal: options.signal };
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
      const record: SelectionRound = { candidates, chosen: selection.chosen, reason: selection.reason };
      current.rounds.push(record);
      if (selection.chosen !== null) current.reply = candidates[selection.chosen] ?? null;
    }
    if (current.reply === null) {
      trajectory.status = "declined";
      break;
    }
  }
  return trajectory;
}
