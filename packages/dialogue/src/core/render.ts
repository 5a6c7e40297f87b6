import type { Dialogue, Speaker, Turn } from "./schema.js";

/** Display names for the two sides, e.g. `{ system: "Persuader", user: "Persuadee" }`. */
export interface RoleNames {
  system: string;
  user: string;
}

/** Role names conventionally used for each known domain. */
export const DEFAULT_ROLE_NAMES: Record<string, RoleNames> = {
  persuasion: { system: "Persuader", user: "Persuadee" },
  multiwoz: { system: "Assistant", user: "User" },
  "open-chat": { system: "Assistant", user: "Human" },
  sop: { system: "Agent", user: "User" },
};

/** Options for {@link renderTranscript}. */
export interface TranscriptOptions {
  roles?: RoleNames;
  /** Append the turn's acts in brackets after the speaker name, e.g. `Persuader [greeting]: Hello`. */
  showActs?: boolean;
}

function rolesFor(domain: string, roles?: RoleNames): RoleNames {
  return roles ?? DEFAULT_ROLE_NAMES[domain] ?? { system: "System", user: "User" };
}

/** Renders turns as a `Name: text` transcript, one turn per line. */
export function renderTranscript(dialogue: Pick<Dialogue, "domain" | "turns">, options: TranscriptOptions = {}): string {
  const roles = rolesFor(dialogue.domain, options.roles);
  return dialogue.turns
    .map((turn) => {
      const acts = options.showActs && turn.acts?.length ? ` [${turn.acts.map((a) => a.intent).join(", ")}]` : "";
      return `${roles[turn.speaker]}${acts}: ${turn.text}`;
    })
    .join("\n");
}

/** A chat message in the OpenAI shape. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/**
 * Renders turns as chat messages from one side's point of view: that side's turns become `assistant`
 * messages, the other side's `user` messages; consecutive turns of one side are merged.
 */
export function toChatMessages(turns: readonly Turn[], perspective: Speaker, systemPrompt?: string): ChatMessage[] {
  const messages: ChatMessage[] = systemPrompt === undefined ? [] : [{ role: "system", content: systemPrompt }];
  for (const turn of turns) {
    const role = turn.speaker === perspective ? "assistant" : "user";
    const last = messages[messages.length - 1];
    if (last && last.role === role) last.content = `${last.content}\n${turn.text}`;
    else messages.push({ role, content: turn.text });
  }
  return messages;
}
