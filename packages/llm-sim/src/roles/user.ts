import type { Turn } from "@foresight/dialogue";
import { packVariables, renderMessages } from "../packs/render.js";
import { PromptPackError, TEMPLATE_NAMES, type PromptPack } from "../packs/schema.js";
import { aliasesOf, matchLabel } from "../parse/labels.js";
import { cleanUtterance } from "../parse/utterance.js";
import { LlmRole, type LlmRoleOptions } from "./base.js";
import type { RoleCallOptions, UserReply, UserSimulator } from "./types.js";

/** A simulated user's output after parsing, with the number of parts that needed a fallback. */
export interface ParsedUserOutput {
  reply: UserReply;
  failures: number;
  /** The pack has reactions and none could be read (the default reaction was used). */
  reactionFallback: boolean;
}

/**
 * Parses a simulated user's raw output for a pack: strips the speaker name, reads a leading `[reaction]` when the
 * pack has reactions (falling back to the pack's default reaction), and detects the pack's end token.
 */
export function parseUserOutput(pack: PromptPack, raw: string): ParsedUserOutput {
  let text = raw;
  let ended = false;
  if (pack.endToken) {
    const lower = text.toLowerCase();
    const token = pack.endToken.toLowerCase();
    if (lower.includes(token)) {
      ended = true;
      text = text.split(new RegExp(pack.endToken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi")).join(" ");
    }
  }
  const cleaned = cleanUtterance(text, { speaker: pack.speakers.user, others: [pack.speakers.system] });
  let failures = 0;
  let reactionFallback = false;
  let body = cleaned.text.replace(/[ \t]{2,}/g, " ").trim();
  const reply: UserReply = { text: body, ended, fallback: false };
  if (pack.userReactions.length > 0) {
    const labels = pack.userReactions.map((reaction) => reaction.label);
    const aliases = { aliases: aliasesOf(pack.userReactions) };
    let reaction = cleaned.tag === undefined ? undefined : matchLabel(cleaned.tag, labels, aliases)?.label;
    if (reaction === undefined) {
      // "positive reaction: sounds good", "(positive reaction) sounds good", "**donate** ok" — a label (or one of its
      // aliases, e.g. "[positive]", "[donation]") at the very start, set off by punctuation or brackets.
      const lead = /^(?:\(([^()\n]{1,40})\)|\*\*([^*\n]{1,40})\*\*|<([^<>\n]{1,40})>|([^:\-–—\n]{1,40})\s*[:\-–—])\s*/.exec(body);
      const named = lead ? (lead[1] ?? lead[2] ?? lead[3] ?? lead[4]) : undefined;
      const match = named === undefined ? undefined : matchLabel(named, labels, aliases);
      if (lead && match && (match.method === "exact" || match.method === "bracketed")) {
        reaction = match.label;
        body = body.slice(lead[0].length).trim();
        reply.text = body;
      }
    }
    if (reaction === undefined) {
      failures++;
      reactionFallback = true;
      reply.fallback = true;
      reaction = pack.defaultReaction ?? labels[Math.floor(labels.length / 2)];
    }
    if (reaction !== undefined) reply.reaction = reaction;
  }
  if (body.length === 0 && !ended) {
    failures++;
    reply.fallback = true;
    reply.text = pack.fallbackReplies.user;
  }
  return { reply, failures, reactionFallback };
}

/** Options for {@link LlmUserSimulator}. */
export interface LlmUserSimulatorOptions extends LlmRoleOptions {
  /** A persona label from the pack (e.g. "cooperative", "less-cooperative"). */
  persona?: string;
  /** The user's goal block (see `renderMultiwozGoal`). */
  goal?: string;
}

/**
 * A user simulator over an LLM with the pack's `userReply` template: GDP-Zero's persuadee (reaction label first),
 * SMCTS-TOD's cooperative / less-cooperative personas with a goal block and `<END>`, or SCOPE's simulated human.
 */
export class LlmUserSimulator extends LlmRole implements UserSimulator {
  private readonly temperature: number;
  private readonly maxTokens: number;
  private readonly persona: { label: string; description: string } | undefined;
  private readonly goal: string;

  constructor(options: LlmUserSimulatorOptions) {
    super(options, "user");
    this.temperature = options.temperature ?? 0.7;
    this.maxTokens = options.maxTokens ?? 256;
    this.goal = options.goal ?? "";
    if (options.persona !== undefined) {
      this.persona = this.pack.personas.find((persona) => persona.label === options.persona);
      if (!this.persona) {
        throw new PromptPackError(`prompt pack ${this.pack.id} has no persona "${options.persona}" (it has: ${this.pack.personas.map((p) => p.label).join(", ") || "none"})`);
      }
    }
  }

  /** The prompt for the user's next turn (exposed for inspection and tests). */
  messages(history: readonly Turn[]) {
    return renderMessages(
      this.pack,
      TEMPLATE_NAMES.userReply,
      packVariables(
        this.pack,
        history,
        this.pack.systemActs,
        { persona: this.persona?.label ?? "", personaDescription: this.persona?.description ?? "", goal: this.goal, ...this.variables },
        TEMPLATE_NAMES.userReply,
      ),
    );
  }

  /** The user's next turn. */
  async respond(history: readonly Turn[], options: RoleCallOptions = {}): Promise<UserReply> {
    const response = await this.send(this.messages(history), { temperature: this.temperature, maxTokens: this.maxTokens }, options);
    const parsed = parseUserOutput(this.pack, response.choices[0]?.text ?? "");
    this.recordParse(1, parsed.failures > 0 ? 1 : 0, options);
    return parsed.reply;
  }
}
