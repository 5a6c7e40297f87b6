import type { Turn } from "@foresight/dialogue";
import type { TokenLogprob } from "../chat.js";
import { describeAct, packVariables, renderMessages } from "../packs/render.js";
import { TEMPLATE_NAMES, type ActSpec, type PromptPack } from "../packs/schema.js";
import { aliasesOf, matchLabel, optionKeys } from "../parse/labels.js";
import { sopAnswerSpan } from "../parse/sop.js";
import { LlmRole, type LlmRoleOptions } from "./base.js";
import type { ActInput, PriorOptions, PriorPolicy, PriorResult } from "./types.js";

function resolveActs(pack: PromptPack, acts: readonly ActInput[] | undefined): ActSpec[] {
  const resolved = (acts ?? pack.systemActs).map((act) => describeAct(pack, act));
  if (resolved.length === 0) throw new RangeError(`prior: no acts to choose from (prompt pack ${pack.id} lists no systemActs and none were passed)`);
  return resolved;
}

/** Add-k smoothed probabilities from counts: (count + k) / (total + k·|A|). */
export function smoothCounts(counts: readonly number[], smoothing: number): number[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  const denominator = total + smoothing * counts.length;
  if (denominator === 0) return counts.map(() => 1 / counts.length);
  return counts.map((count) => (count + smoothing) / denominator);
}

/** Options for {@link LlmSamplingPrior}. */
export interface LlmSamplingPriorOptions extends LlmRoleOptions {
  /** Samples m (default 15, GDP-Zero). */
  samples?: number;
  /** Add-k smoothing (default 1). */
  smoothing?: number;
}

/**
 * GDP-Zero's prior: sample the next act m=15 times at T=1 with the pack's `nextAct` template (in one request
 * with n=m) and smooth the counts with add-1. Unreadable samples are excluded and counted; if none is readable
 * the prior is uniform, flagged as a fallback.
 */
export class LlmSamplingPrior extends LlmRole implements PriorPolicy {
  private readonly samples: number;
  private readonly smoothing: number;
  private readonly temperature: number;
  private readonly maxTokens: number;

  constructor(options: LlmSamplingPriorOptions) {
    super(options, "prior");
    this.samples = options.samples ?? 15;
    this.smoothing = options.smoothing ?? 1;
    this.temperature = options.temperature ?? 1;
    this.maxTokens = options.maxTokens ?? 32;
    if (!Number.isInteger(this.samples) || this.samples < 1) throw new RangeError(`samples must be a positive integer, got ${this.samples}`);
  }

  /** The prompt for choosing among `acts` (exposed for inspection and tests). */
  messages(history: readonly Turn[], acts: readonly ActSpec[], guidance = "") {
    return renderMessages(this.pack, TEMPLATE_NAMES.nextAct, packVariables(this.pack, history, acts, { ...this.variables, guidance }));
  }

  /** The smoothed sampled distribution over the next act. */
  async prior(history: readonly Turn[], options: PriorOptions = {}): Promise<PriorResult> {
    const acts = resolveActs(this.pack, options.acts);
    const labels = acts.map((act) => act.label);
    const keys = acts.length <= 26 ? optionKeys(acts.length) : undefined;
    const response = await this.send(this.messages(history, acts, options.guidance), { n: this.samples, temperature: this.temperature, maxTokens: this.maxTokens }, options);
    const counts = labels.map(() => 0);
    let unparsed = 0;
    for (const choice of response.choices) {
      // An answer concluding "Therefore, the best agent action is: X" (ChatSOP's format) is read at its conclusion.
      const match = matchLabel(sopAnswerSpan(choice.text, "action") ?? choice.text, labels, keys ? { optionKeys: keys, aliases: aliasesOf(acts) } : { aliases: aliasesOf(acts) });
      if (match) counts[labels.indexOf(match.label)]! += 1;
      else unparsed++;
    }
    this.recordParse(response.choices.length, unparsed, options);
    const parsed = response.choices.length - unparsed;
    return {
      acts: labels,
      probabilities: parsed === 0 ? labels.map(() => 1 / labels.length) : smoothCounts(counts, this.smoothing),
      method: parsed === 0 ? "uniform" : "sampling",
      requests: 1,
      completions: response.choices.length,
      unparsed,
      fallback: parsed === 0,
    };
  }
}

/** Probability mass per option key at the first answer token's top alternatives; undefined when no key is there. */
export function keyMassFromLogprobs(logprobs: readonly TokenLogprob[] | undefined, keys: readonly string[]): number[] | undefined {
  if (!logprobs) return undefined;
  const position = logprobs.find((entry) => entry.token.replace(/[\s([*`"']+/g, "").length > 0);
  if (!position) return undefined;
  const firstKey = position.token.replace(/[^A-Za-z0-9]/g, "");
  if (!keys.includes(firstKey)) return undefined;
  const alternatives = position.topLogprobs?.length ? position.topLogprobs : [{ token: position.token, logprob: position.logprob }];
  const mass = keys.map(() => 0);
  for (const alternative of alternatives) {
    const index = keys.indexOf(alternative.token.replace(/[^A-Za-z0-9]/g, ""));
    if (index >= 0) mass[index]! += Math.exp(alternative.logprob);
  }
  return mass.some((value) => value > 0) ? mass : undefined;
}

/** Options for {@link LlmLogprobPrior}. */
export interface LlmLogprobPriorOptions extends LlmRoleOptions {
  /** The m whose smoothed sampling distribution this reproduces in expectation (default 15). */
  equivalentSamples?: number;
  /** Add-k smoothing (default 1). */
  smoothing?: number;
  /** Top alternatives to ask for (default 20, the OpenAI maximum). */
  topLogprobs?: number;
  /** Used when the endpoint returns no usable logprobs (default: a {@link LlmSamplingPrior} with the same options). */
  fallback?: PriorPolicy;
}

/**
 * The same distribution as {@link LlmSamplingPrior} from one completion: the top-logprobs of the option letter
 * give p(act); with m equivalent samples and add-k smoothing the prior is (m·p + k) / (m + k·|A|), the expectation
 * of the sampled estimate. Saves m−1 completions per call; falls back (flagged, counted) when there are no logprobs.
 */
export class LlmLogprobPrior extends LlmRole implements PriorPolicy {
  private readonly equivalentSamples: number;
  private readonly smoothing: number;
  private readonly topLogprobs: number;
  private readonly sampling: LlmSamplingPrior;
  private readonly fallback: PriorPolicy;

  constructor(options: LlmLogprobPriorOptions) {
    super(options, "prior");
    this.equivalentSamples = options.equivalentSamples ?? 15;
    this.smoothing = options.smoothing ?? 1;
    this.topLogprobs = options.topLogprobs ?? 20;
    this.sampling = new LlmSamplingPrior({ ...options, pack: this.pack, samples: this.equivalentSamples });
    this.fallback = options.fallback ?? this.sampling;
  }

  /** The prior from one logprob request, or the fallback's when no logprobs come back. */
  async prior(history: readonly Turn[], options: PriorOptions = {}): Promise<PriorResult> {
    const acts = resolveActs(this.pack, options.acts);
    const keys = optionKeys(acts.length);
    const response = await this.send(
      this.sampling.messages(history, acts, options.guidance),
      { n: 1, temperature: 1, maxTokens: 4, logprobs: true, topLogprobs: this.topLogprobs },
      options,
    );
    const mass = keyMassFromLogprobs(response.choices[0]?.logprobs, keys);
    this.recordParse(1, mass ? 0 : 1, options);
    if (!mass) {
      const fallback = await this.fallback.prior(history, options);
      return { ...fallback, requests: fallback.requests + 1, completions: fallback.completions + 1, fallback: true, savedCompletions: 0 };
    }
    const total = mass.reduce((sum, value) => sum + value, 0);
    const m = this.equivalentSamples;
    const k = this.smoothing;
    const probabilities = mass.map((value) => (m * (value / total) + k) / (m + k * acts.length));
    return {
      acts: acts.map((act) => act.label),
      probabilities,
      method: "logprobs",
      requests: 1,
      completions: 1,
      unparsed: 0,
      fallback: false,
      savedCompletions: m - 1,
    };
  }
}
