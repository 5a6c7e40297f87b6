import { createRng, type Dialogue, type Turn } from "@foresight/dialogue";
import { tokenize } from "../text/tokenize.js";
import { CorpusCandidateGenerator, CorpusChatPartner, chatPickTurn } from "./roles.js";
import type { OpenChatCorpusWorld } from "./world.js";

/** Options of {@link simulateOpenChat}. */
export interface SimulateOpenChatOptions {
  seed: number;
  /** Turns in all, the partner's opener included (default 8). */
  maxTurns?: number;
  /** Candidates the system chooses among each turn (default 5, SCOPE's m). */
  candidates?: number;
}

/** The outcome of a simulated open chat: SCOPE's engagement reward, the partner's words. */
export interface OpenChatOutcome {
  /** Tokens (words) the partner said after the opener: SCOPE's cumulative human-response length. */
  partnerTokens: number;
  turns: number;
}

/**
 * A whole open chat without any LLM: the partner opens with a real DailyDialog opener; each system turn is
 * sampled uniformly among the candidate generator's m diverse candidates; the partner answers by retrieval.
 * The same seed gives the same dialogue.
 */
export function simulateOpenChat(world: OpenChatCorpusWorld, options: SimulateOpenChatOptions): { dialogue: Dialogue; outcome: OpenChatOutcome } {
  const maxTurns = options.maxTurns ?? 8;
  if (!Number.isInteger(maxTurns) || maxTurns < 1) throw new Error(`maxTurns must be a positive integer, got ${maxTurns}`);
  const rng = createRng(options.seed);
  const partner = new CorpusChatPartner(world, { rng });
  const generator = new CorpusCandidateGenerator(world, { rng });
  const turns: Turn[] = [];
  let partnerTokens = 0;
  while (turns.length < maxTurns) {
    if (turns.length % 2 === 0) {
      const turn = chatPickTurn(partner.pick(turns), "user");
      if (turns.length > 0) partnerTokens += tokenize(turn.text).length;
      turns.push(turn);
    } else {
      const candidates = generator.candidates(turns, options.candidates ?? 5);
      turns.push(chatPickTurn(candidates[rng.int(candidates.length)]!, "system"));
    }
  }
  const outcome: OpenChatOutcome = { partnerTokens, turns: turns.length };
  return {
    dialogue: { id: `chat-sim-${options.seed}`, domain: "open-chat", turns, outcome: { ...outcome }, metadata: { simulator: "OpenChatCorpusWorld", seed: options.seed } },
    outcome,
  };
}
