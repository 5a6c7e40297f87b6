import type { Turn } from "@foresight/dialogue";
import { describeAct, packVariables, renderMessages } from "../packs/render.js";
import { PromptPackError, TEMPLATE_NAMES } from "../packs/schema.js";
import { parseBinary, parseProbability } from "../parse/values.js";
import { LlmRole, type LlmRoleOptions } from "./base.js";
import { parseUserOutput } from "./user.js";
import type { ValueEstimate, ValueFunction, ValueOptions } from "./types.js";

function estimate(samples: number[], unparsed: number, fallbackValue: number): ValueEstimate {
  if (samples.length === 0) return { value: fallbackValue, samples, unparsed, fallback: true };
  return { value: samples.reduce((sum, value) => sum + value, 0) / samples.length, samples, unparsed, fallback: false };
}

/** Options for the sampled LLM value functions. */
export interface LlmValueOptions extends LlmRoleOptions {
  /** Samples l (defaults differ per value function). */
  samples?: number;
  /** Returned when no sample can be parsed (flagged as a fallback). */
  fallbackValue?: number;
}

function checkSamples(samples: number): number {
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`samples must be a positive integer, got ${samples}`);
  return samples;
}

/**
 * GDP-Zero's value: append the pack's question ("Would you be interested in donating to Save the Children?") as a
 * system turn, sample the simulated user's reaction l=10 times at T=1.1 with the `userReply` template, map each
 * reaction to its value (no donation −1 … donate 1) and average. Unlabelled samples are excluded and counted.
 */
export class LlmReactionValue extends LlmRole implements ValueFunction {
  private readonly samples: number;
  private readonly temperature: number;
  private readonly maxTokens: number;
  private readonly fallbackValue: number;
  private readonly question: string;

  constructor(options: LlmValueOptions) {
    super(options, "value");
    this.samples = checkSamples(options.samples ?? 10);
    this.temperature = options.temperature ?? 1.1;
    this.maxTokens = options.maxTokens ?? 64;
    this.fallbackValue = options.fallbackValue ?? 0;
    if (this.pack.userReactions.length === 0) throw new PromptPackError(`LlmReactionValue needs userReactions with values; prompt pack ${this.pack.id} has none`);
    if (!this.pack.valueQuestion) throw new PromptPackError(`LlmReactionValue needs a valueQuestion; prompt pack ${this.pack.id} has none`);
    this.question = this.pack.valueQuestion;
  }

  /** The prompt: the history plus the value question, for the user's reaction. */
  messages(history: readonly Turn[]) {
    const probed: Turn[] = [...history, { speaker: "system", text: this.question }];
    return renderMessages(this.pack, TEMPLATE_NAMES.userReply, packVariables(this.pack, probed, this.pack.systemActs, this.variables));
  }

  /** The mean reaction value over l samples. */
  async evaluate(history: readonly Turn[], options: ValueOptions = {}): Promise<ValueEstimate> {
    const response = await this.send(this.messages(history), { n: this.samples, temperature: this.temperature, maxTokens: this.maxTokens }, options);
    const values: number[] = [];
    let unparsed = 0;
    for (const choice of response.choices) {
      const parsed = parseUserOutput(this.pack, choice.text);
      // Only the reaction matters here: a readable label with no words after it ("[donate]") still counts.
      const reaction = parsed.reactionFallback ? undefined : this.pack.userReactions.find((spec) => spec.label === parsed.reply.reaction);
      if (reaction) values.push(reaction.value);
      else unparsed++;
    }
    this.recordParse(response.choices.length, unparsed, options);
    return estimate(values, unparsed, this.fallbackValue);
  }
}

/**
 * An LLM judge of SMCTS-TOD's V(h, a) ∈ [0, 1]: the probability that the dialogue ends in success if the system
 * takes act `a` next (or from `h` alone without an act), read as JSON or a number from the `successJudge` template.
 */
export class LlmSuccessValue extends LlmRole implements ValueFunction {
  private readonly samples: number;
  private readonly temperature: number;
  private readonly maxTokens: number;
  private readonly fallbackValue: number;

  constructor(options: LlmValueOptions) {
    super(options, "value");
    this.samples = checkSamples(options.samples ?? 1);
    this.temperature = options.temperature ?? 0;
    this.maxTokens = options.maxTokens ?? 32;
    this.fallbackValue = options.fallbackValue ?? 0.5;
  }

  /** The judge prompt for V(h, a). */
  messages(history: readonly Turn[], options: ValueOptions = {}) {
    const spec = options.act === undefined ? undefined : describeAct(this.pack, options.act);
    return renderMessages(
      this.pack,
      TEMPLATE_NAMES.successJudge,
      packVariables(this.pack, history, this.pack.systemActs, { ...this.variables, act: spec?.label ?? "", actDescription: spec?.description ?? "", guidance: options.guidance ?? "" }),
    );
  }

  /** The mean judged success probability. */
  async evaluate(history: readonly Turn[], options: ValueOptions = {}): Promise<ValueEstimate> {
    const response = await this.send(this.messages(history, options), { n: this.samples, temperature: this.temperature, maxTokens: this.maxTokens }, options);
    const values: number[] = [];
    for (const choice of response.choices) {
      const value = parseProbability(choice.text);
      if (value !== undefined) values.push(value);
    }
    const unparsed = response.choices.length - values.length;
    this.recordParse(response.choices.length, unparsed, options);
    return estimate(values, unparsed, this.fallbackValue);
  }
}

/**
 * ChatSOP's rationality judge: is taking act `a` after `h` rational under the SOP? The mean of `samples` 0/1
 * judgements from the `rationalityJudge` template (pass the SOP's allowed next actions as `guidance`).
 */
export class LlmRationalityValue extends LlmRole implements ValueFunction {
  private readonly samples: number;
  private readonly temperature: number;
  private readonly maxTokens: number;
  private readonly fallbackValue: number;

  constructor(options: LlmValueOptions) {
    super(options, "value");
    this.samples = checkSamples(options.samples ?? 5);
    this.temperature = options.temperature ?? 0.7;
    this.maxTokens = options.maxTokens ?? 16;
    this.fallbackValue = options.fallbackValue ?? 0.5;
  }

  /** The judge prompt for act `a` after `h`. */
  messages(history: readonly Turn[], options: ValueOptions) {
    if (options.act === undefined) throw new RangeError("LlmRationalityValue.evaluate needs options.act: the action to judge");
    const spec = describeAct(this.pack, options.act);
    return renderMessages(
      this.pack,
      TEMPLATE_NAMES.rationalityJudge,
      packVariables(this.pack, history, this.pack.systemActs, { ...this.variables, act: spec.label, actDescription: spec.description, guidance: options.guidance ?? "" }),
    );
  }

  /** The share of samples judging the action rational. */
  async evaluate(history: readonly Turn[], options: ValueOptions = {}): Promise<ValueEstimate> {
    const response = await this.send(this.messages(history, options), { n: this.samples, temperature: this.temperature, maxTokens: this.maxTokens }, options);
    const values: number[] = [];
    for (const choice of response.choices) {
      const value = parseBinary(choice.text);
      if (value !== undefined) values.push(value);
    }
    const unparsed = response.choices.length - values.length;
    this.recordParse(response.choices.length, unparsed, options);
    return estimate(values, unparsed, this.fallbackValue);
  }
}
