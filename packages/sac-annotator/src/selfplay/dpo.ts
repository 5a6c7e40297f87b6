import type { ChatMessage, Rng } from "@foresight/dialogue";
import type { Trajectory } from "./schema.js";
import { agentMessages } from "./selfplay.js";

/** A preference pair in the conversational DPO format (as TRL reads it): shared prompt, chosen and rejected replies. */
export interface DpoPair {
  prompt: ChatMessage[];
  chosen: ChatMessage[];
  rejected: ChatMessage[];
  /** Where the pair comes from. */
  meta: { trajectory: string; turn: number };
}

/** The negatives of a turn: every candidate of every round that is not the kept reply and differs from it. */
export function negativesOf(turn: Trajectory["turns"][number]): string[] {
  const reply = turn.reply;
  if (!reply) return [];
  const negatives: string[] = [];
  for (const round of turn.rounds) {
    round.candidates.forEach((candidate, index) => {
      const isKept = round.chosen === index && candidate.raw === reply.raw;
      const duplicate = candidate.raw === reply.raw || candidate.text.trim() === reply.text.trim();
      if (!isKept && !duplicate && !negatives.includes(candidate.raw)) negatives.push(candidate.raw);
    });
  }
  return negatives;
}

/**
 * DPO pairs from self-play trajectories: for every turn with a kept reply and at least one distinct negative, the
 * agent's prompt at that turn, the kept reply as chosen and one negative drawn with `rng` as rejected.
 */
export function dpoPairs(trajectories: readonly Trajectory[], rng: Rng): DpoPair[] {
  const pairs: DpoPair[] = [];
  for (const trajectory of trajectories) {
    trajectory.turns.forEach((turn, index) => {
      const negatives = negativesOf(turn);
      if (!turn.reply || negatives.length === 0) return;
      const rejected = negatives[rng.int(negatives.length)] as string;
      pairs.push({
        prompt: agentMessages(trajectory, index),
        chosen: [{ role: "assistant", content: turn.reply.raw }],
        rejected: [{ role: "assistant", content: rejected }],
        meta: { trajectory: trajectory.id, turn: index },
      });
    });
  }
  return pairs;
}
