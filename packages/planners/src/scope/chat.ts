import { createRng, type Rng, type Turn } from "@foresight/dialogue";
import { CorpusCandidateGenerator, CorpusChatPartner, OpenChatCorpusWorld } from "@foresight/llm-sim";
import { PlannerInputError, type CandidateStats, type Conversation, type ConversationTurn } from "../types.js";

/** Which chat world a planner simulates with: the judge's own (`matched`) or one built on a disjoint half (`mismatched`). */
export type ChatWorldSetting = "matched" | "mismatched";

const worlds = new Map<string, OpenChatCorpusWorld>();

/**
 * The DailyDialog chat world (built once per data folder and setting, then shared): `matched` is built on the whole
 * train part of the project's split, like the bench's judge; `mismatched` on one half of it only.
 */
export function chatWorld(options: { dataDir?: string; setting?: ChatWorldSetting } = {}): OpenChatCorpusWorld {
  const setting = options.setting ?? "matched";
  const key = `${options.dataDir ?? ""}\u0000${setting}`;
  let world = worlds.get(key);
  if (!world) {
    world = OpenChatCorpusWorld.build({ ...(options.dataDir ? { dataDir: options.dataDir } : {}), ...(setting === "mismatched" ? { trainHalf: 0 as const } : {}) });
    worlds.set(key, world);
  }
  return world;
}

/** The conversation as dialogue turns: the agent speaks as `system`, the human as `user`. */
export function dialogueTurns(conversation: Conversation): Turn[] {
  return conversation.turns.map((t) => ({ speaker: t.speaker === "agent" ? "system" : "user", text: t.text }));
}

/** The texts of the conversation, oldest first (what the encoder embeds). */
export function conversationTexts(conversation: Conversation): string[] {
  return conversation.turns.map((t) => t.text);
}

/** Checks that a chat planner can plan the conversation's next agent turn; throws a one-line reason otherwise. */
export function checkChatConversation(conversation: Conversation): void {
  if (!conversation || !Array.isArray(conversation.turns)) throw new PlannerInputError("conversation.turns must be an array of turns", "conversation.turns");
  conversation.turns.forEach((t: ConversationTurn, i) => {
    if (t.speaker !== "agent" && t.speaker !== "user") throw new PlannerInputError(`conversation.turns[${i}].speaker must be "agent" or "user"`, `conversation.turns.${i}.speaker`);
    if (typeof t.text !== "string") throw new PlannerInputError(`conversation.turns[${i}].text must be a string`, `conversation.turns.${i}.text`);
  });
}

/**
 * The candidate replies of one turn: the caller's, or m from the offline candidate generator (the corpus replies
 * people gave after the most similar contexts, m diverse ones), chosen with `rng`. Throws when none can be found.
 */
export function chatCandidates(conversation: Conversation, given: readonly string[] | undefined, m: number, rng: Rng, dataDir?: string): string[] {
  if (given && given.length > 0) {
    const bad = given.findIndex((c) => typeof c !== "string" || c.trim() === "");
    if (bad >= 0) throw new PlannerInputError(`candidates[${bad}] must be a non-empty string`, `candidates.${bad}`);
    return [...given];
  }
  const generator = new CorpusCandidateGenerator(chatWorld(dataDir ? { dataDir } : {}), { rng });
  const picks = generator.candidates(dialogueTurns(conversation), m, undefined, rng).map((p) => p.text);
  if (picks.length === 0) throw new Error("the offline candidate generator found no candidate reply for this conversation");
  return picks;
}

/** A simulated human for text-level look-ahead: the corpus chat partner of the matched or mismatched world. */
export function chatPartner(rng: Rng, options: { dataDir?: string; setting?: ChatWorldSetting } = {}): CorpusChatPartner {
  return new CorpusChatPartner(chatWorld(options), { rng });
}

/**
 * A held-out DailyDialog conversation (test part of the project's split), cut after a human turn at a point chosen
 * by `seed`, so the next turn is the agent's. The first speaker of the dialogue plays the human.
 */
export async function heldOutChatConversation(options: { seed: number; dataDir?: string }): Promise<Conversation> {
  const world = chatWorld(options.dataDir ? { dataDir: options.dataDir } : {});
  const rng = createRng(options.seed).fork("held-out");
  const usable = world.test.filter((d) => d.turns.length >= 3);
  if (usable.length === 0) throw new Error("no held-out DailyDialog conversation with 3 or more turns");
  const dialogue = usable[rng.int(usable.length)]!;
  // Cut after a human turn: human turns are the even indices (the dialogue's first speaker is the human).
  const humanEnds = dialogue.turns.map((_, i) => i).filter((i) => i % 2 === 0 && i + 1 < dialogue.turns.length);
  const end = humanEnds[rng.int(humanEnds.length)]!;
  return {
    turns: dialogue.turns.slice(0, end + 1).map((t, i) => ({ speaker: i % 2 === 0 ? "user" : "agent", text: t.text })),
    context: { corpus: "dailydialog", dialogueId: dialogue.id },
  };
}

/** The chosen candidate first, then the others by value (unvisited last): the order every chat planner reports. */
export function rankCandidates(stats: CandidateStats[], best: number): CandidateStats[] {
  const chosen = stats[best] as CandidateStats;
  return [chosen, ...stats.filter((_, i) => i !== best).sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity))];
}
