import type { Turn } from "@foresight/dialogue";
import { describeAct, packVariables, renderMessages } from "../packs/render.js";
import { TEMPLATE_NAMES } from "../packs/schema.js";
import { cleanUtterance, dedupeKey } from "../parse/utterance.js";
import { LlmRole, type LlmRoleOptions } from "./base.js";
import type { ActInput, RoleCallOptions, SystemCandidate, SystemRole } from "./types.js";

/** Options for {@link LlmSystemRole}. */
export interface LlmSystemRoleOptions extends LlmRoleOptions {
  /** Request `ceil(m × oversample)` samples to make up for duplicates (default 1). */
  oversample?: number;
}

/**
 * The system role over an LLM: the pack's `systemReply` template with the act's natural-language form at every
 * turn (not just the first), `m` samples in one request, cleaned and de-duplicated. Unusable samples are
 * dropped and counted; when none is usable the pack's fallback reply is returned, flagged.
 */
export class LlmSystemRole extends LlmRole implements SystemRole {
  private readonly temperature: number;
  private readonly maxTokens: number;
  private readonly oversample: number;

  constructor(options: LlmSystemRoleOptions) {
    super(options, "system");
    this.temperature = options.temperature ?? 0.7;
    this.maxTokens = options.maxTokens ?? 256;
    this.oversample = options.oversample ?? 1;
    if (!(this.oversample >= 1)) throw new RangeError(`oversample must be at least 1, got ${this.oversample}`);
  }

  /** The prompt for one reply (exposed for inspection and tests). */
  messages(history: readonly Turn[], act: ActInput) {
    const spec = describeAct(this.pack, act);
    return renderMessages(this.pack, TEMPLATE_NAMES.systemReply, packVariables(this.pack, history, this.pack.systemActs, { ...this.variables, act: spec.label, actDescription: spec.description }));
  }

  /** Up to `m` distinct replies realising `act`. */
  async reply(history: readonly Turn[], act: ActInput, m: number, options: RoleCallOptions = {}): Promise<SystemCandidate[]> {
    if (!Number.isInteger(m) || m < 1) throw new RangeError(`m must be a positive integer, got ${m}`);
    const label = describeAct(this.pack, act).label;
    const n = Math.ceil(m * this.oversample);
    const response = await this.send(this.messages(history, act), { n, temperature: this.temperature, maxTokens: this.maxTokens }, options);
    const others = [this.pack.speakers.user];
    const seen = new Set<string>();
    const candidates: SystemCandidate[] = [];
    let failures = 0;
    for (const choice of response.choices) {
      const text = cleanUtterance(choice.text, { speaker: this.pack.speakers.system, others }).text;
      const key = dedupeKey(text);
      if (key.length === 0) {
        failures++;
        continue;
      }
      if (seen.has(key) || candidates.length >= m) continue;
      seen.add(key);
      candidates.push({ text, act: label, fallback: false });
    }
    this.recordParse(response.choices.length, failures, options);
    if (candidates.length === 0) candidates.push({ text: this.pack.fallbackReplies.system, act: label, fallback: true });
    return candidates;
  }
}
