import type { Turn } from "@foresight/dialogue";
import { packVariables, renderMessages } from "../packs/render.js";
import { PromptPackError, TEMPLATE_NAMES } from "../packs/schema.js";
import { aliasesOf, matchLabel } from "../parse/labels.js";
import { sopAnswerSpan } from "../parse/sop.js";
import { LlmRole, type LlmRoleOptions } from "./base.js";
import type { RoleCallOptions, StateClassification, UserStateClassifier } from "./types.js";

/**
 * ChatSOP's user-state classifier over an LLM: the pack's `userState` template; the answer is matched tolerantly
 * against the pack's userStates, and an unreadable answer takes the pack's default state (flagged, counted).
 */
export class LlmStateClassifier extends LlmRole implements UserStateClassifier {
  private readonly temperature: number;
  private readonly maxTokens: number;

  constructor(options: LlmRoleOptions) {
    super(options, "classifier");
    this.temperature = options.temperature ?? 0;
    this.maxTokens = options.maxTokens ?? 32;
    if (this.pack.userStates.length === 0) throw new PromptPackError(`LlmStateClassifier needs userStates; prompt pack ${this.pack.id} has none`);
  }

  /** The classification prompt. */
  messages(history: readonly Turn[]) {
    return renderMessages(this.pack, TEMPLATE_NAMES.userState, packVariables(this.pack, history, this.pack.systemActs, this.variables));
  }

  /** The user's state after the latest turn. */
  async classify(history: readonly Turn[], options: RoleCallOptions = {}): Promise<StateClassification> {
    const response = await this.send(this.messages(history), { temperature: this.temperature, maxTokens: this.maxTokens }, options);
    const labels = this.pack.userStates.map((state) => state.label);
    const text = response.choices[0]?.text ?? "";
    const match = matchLabel(sopAnswerSpan(text, "state") ?? text, labels, { aliases: aliasesOf(this.pack.userStates) });
    this.recordParse(1, match ? 0 : 1, options);
    if (match) return { label: match.label, fallback: false };
    return { label: this.pack.defaultUserState ?? (labels[0] as string), fallback: true };
  }
}
