import type { ChatMessage, Turn } from "@foresight/dialogue";
import { describeAct, packVariables, renderMessages } from "../packs/render.js";
import { PromptPackError, TEMPLATE_NAMES } from "../packs/schema.js";
import { parseBinary, parseProbability } from "../parse/values.js";
import { LlmRole, type LlmRoleOptions } from "./base.js";
import { parseUserOutput } from "./user.js";
import type { ValueEstimate, ValueFunction, ValueOptions } from "./types.js";

/** Options for the sampled LLM value functions. */
export interface LlmValueOptions extends LlmRoleOptions {
  /** Samples l (defaults differ per value function). */
  samples?: number;
  /** Returned when no sample can be parsed (flagged as a fallback). */
  fallbackValue?: number;
}

/** The defaults a sampled value function gives the options it is not passed. */
interface SampledValueDefaults {
  samples: number;
  temperature: number;
  maxTokens: number;
  fallbackValue: number;
}

function checkSamples(samples: number): number {
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`samples must be a positive integer, got ${samples}`);
  return samples;
}

/**
 * Shared plumbing of the sampled LLM value functions: l samples of one prompt, each read as a number, averaged;
 * unreadable samples are excluded and counted, and when none is readable the fallback value is returned (flagged).
 */
export abstract class SampledLlmValue extends LlmRole {
  protected readonly samples: number;
  protected readonly temperature: number;
  protected readonly maxTokens: number;
  protected readonly fallbackValue: number;

  protected constructor(options: LlmValueOptions, defaults: SampledValueDefaults) {
    super(options, "value");
    this.samples = checkSamples(options.samples ?? defaults.samples);
    this.temperature = options.temperature ?? defaults.temperature;
    this.maxTokens = options.maxTokens ?? defaults.maxTokens;
    this.fallbackValue = options.fallbackValue ?? defaults.fallbackValue;
  }

  /** Sends the prompt for l samples, reads each with `read` (undefined: unparsed), books the parses and averages. */
  protected async sampleMean(messages: ChatMessage[], options: ValueOptions, read: (text: string) => number | undefined): Promise<ValueEstimate> {
    const response = await this.send(messages, { n: this.samples, temperature: this.temperature, maxTokens: this.maxTokens }, options);
    const values: number[] = [];
    for (const choice of response.choices) {
      const value = read(choice.text);
      if (value !== undefined) values.push(value);
    }
    const unparsed = response.choices.length - values.length;
    this.recordParse(response.choices.length, unparsed, options);
    if (values.length === 0) return { value: this.fallbackValue, samples: values, unparsed, fallback: true };
    return { value: values.reduce((sum, value) => sum + value, 0) / values.length, samples: values, unparsed, fallback: false };
  }
}

/**
 * GDP-Zero's value: append the pack's question ("Would you be interested in donating to Save the Children?") as a
 * system turn, sample the simulated user's reaction l=10 times at T=1.1 with the `userReply` template, map each
 * reaction to its value (no donation −1 … donate 1) and average. Unlabelled samples are excluded and counted.
 */
export class LlmReactionValue extends SampledLlmValue implements ValueFunction {
  private readonly question: string;

  constructor(options: LlmValueOptions) {
    super(options, { samples: 10, temperature: 1.1, maxTokens: 64, fallbackValue: 0 });
    if (this.pack.userReactions.length === 0) throw new PromptPackError(`LlmReactionValue needs userReactions with values; prompt pack ${this.pack.id} has none`);
    if (!this.pack.valueQuestion) throw new PromptPackError(`LlmReactionValue needs a valueQuestion; prompt pack ${this.pack.id} has none`);
    this.question = this.pack.valueQuestion;
  }

  /** The prompt: the history plus the value question, for the user's reaction. */
  messages(history: readonly Turn[]) {
    const probed: Turn[] = [...history, { speaker: "system", text: this.question }];
    return renderMessages(this.pack, TEMPLATE_NAMES.userReply, packVariables(this.pack, probed, this.pack.systemActs, this.variables, TEMPLATE_NAMES.userReply));
  }

  /** The mean reaction value over l samples. */
  async evaluate(history: readonly Turn[], options: ValueOptions = {}): Promise<ValueEstimate> {
    return this.sampleMean(this.messages(history), options, (text) => {
      const parsed = parseUserOutput(this.pack, text);
      // Only the reaction matters here: a readable label with no words after it ("[donate]") still counts.
      const reaction = parsed.reactionFallback ? undefined : this.pack.userReactions.find((spec) => spec.label === parsed.reply.reaction);
      return reaction?.value;
    });
  }
}

/**
 * An LLM judge of SMCTS-TOD's V(h, a) ∈ [0, 1]: the probability that the dialogue ends in success if the system
 * takes act `a` next (or from `h` alone without an act), read as JSON or a number from the `successJudge` template.
 */
export class LlmSuccessValue extends SampledLlmValue implements ValueFunction {
  constructor(options: LlmValueOptions) {
    super(options, { samples: 1, temperature: 0, maxTokens: 32, fallbackValue: 0.5 });
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
    return this.sampleMean(this.messages(history, options), options, parseProbability);
  }
}

/**
 * ChatSOP's rationality judge: is taking act `a` after `h` rational under the SOP? The mean of `samples` 0/1
 * judgements from the `rationalityJudge` template (pass the SOP's allowed next actions as `guidance`).
 */
export class LlmRationalityValue extends SampledLlmValue implements ValueFunction {
  constructor(options: LlmValueOptions) {
    super(options, { samples: 5, temperature: 0.7, maxTokens: 512, fallbackValue: 0.5 });
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
    return this.sampleMean(this.messages(history, options), options, parseBinary);
  }
}
