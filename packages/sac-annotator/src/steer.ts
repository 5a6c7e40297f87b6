import type { ChatRequest } from "@foresight/llm-sim";
import { ACTION_TAGS, TAG_CLOSE, TAG_OPEN, USER_TAGS, formatSacHeader } from "./chain/serialize.js";
import { SacFormatError } from "./errors.js";
import { LabelSchema, type SacState } from "./schema.js";

/** A desired action for the next assistant message (each part optional), and the user state when it is known. */
export interface SteeringTarget {
  motivation?: string;
  emotion?: string;
  topics?: string[];
  /** The user state to write before the action; null when no user turn precedes; leave out when unknown. */
  userState?: SacState | null;
}

function checked(label: string, field: string): string {
  const result = LabelSchema.safeParse(label);
  if (!result.success) throw new SacFormatError(`steering ${field}: ${result.error.issues[0]?.message ?? "invalid label"}`);
  return label;
}

function tag(name: string, value: string): string {
  return `${TAG_OPEN}${name}=${value}${TAG_CLOSE}`;
}

/**
 * The beginning of an assistant message in State-Action Chain form that fixes the desired action, for a model
 * fine-tuned on SAC data to continue. Tags follow the fixed order, so a later part needs the earlier ones
 * (emotion needs motivation; topics need both). With all three parts (and a known user state) the prefix is the
 * whole header and ends with a line feed; otherwise it ends with a space and the model writes the rest.
 */
export function actionPrefix(target: SteeringTarget): string {
  if (target.emotion !== undefined && target.motivation === undefined) throw new SacFormatError("steering by emotion needs a motivation too: a_motivation comes first");
  if (target.topics !== undefined && (target.motivation === undefined || target.emotion === undefined)) {
    throw new SacFormatError("steering by topic needs motivation and emotion too: a_topic comes last");
  }
  if (target.userState === undefined && target.motivation !== undefined) {
    throw new SacFormatError("the user state must be given (or null) to prefill action tags: u_ tags come before a_ tags");
  }
  if (target.motivation !== undefined && target.emotion !== undefined && target.topics !== undefined && target.userState !== undefined) {
    const action: SacState = { motivation: checked(target.motivation, "motivation"), emotion: checked(target.emotion, "emotion"), topics: target.topics.map((topic) => checked(topic, "topic")) };
    return `${formatSacHeader(target.userState, action)}\n`;
  }
  const tags: string[] = [];
  if (target.userState) {
    const header = formatSacHeader(target.userState, { motivation: null, emotion: null, topics: [] });
    tags.push(header.slice(0, header.indexOf(`${TAG_OPEN}${ACTION_TAGS.motivation}`)).trimEnd());
  }
  if (target.motivation !== undefined) tags.push(tag(ACTION_TAGS.motivation, checked(target.motivation, "motivation")));
  if (target.emotion !== undefined) tags.push(tag(ACTION_TAGS.emotion, checked(target.emotion, "emotion")));
  return tags.length === 0 ? "" : `${tags.join(" ")} `;
}

/**
 * Steers by prefill: appends an assistant message holding the prefix, for endpoints that continue a final assistant
 * message (e.g. vLLM with `continue_final_message`). The reply is the prefix followed by the completion.
 */
export function steerByPrefill(request: ChatRequest, target: SteeringTarget): ChatRequest {
  const prefix = actionPrefix(target);
  return { ...request, messages: [...request.messages, { role: "assistant", content: prefix }] };
}

/** Steers by instruction: a system message asking for the desired action, for endpoints without prefill. */
export function steerByInstruction(request: ChatRequest, target: Omit<SteeringTarget, "userState">): ChatRequest {
  const parts: string[] = [];
  if (target.motivation !== undefined) parts.push(`${ACTION_TAGS.motivation} = "${checked(target.motivation, "motivation")}"`);
  if (target.emotion !== undefined) parts.push(`${ACTION_TAGS.emotion} = "${checked(target.emotion, "emotion")}"`);
  if (target.topics !== undefined) parts.push(`${ACTION_TAGS.topic} = ${target.topics.map((topic) => `"${checked(topic, "topic")}"`).join(", ")}`);
  if (parts.length === 0) return request;
  const note = `In your next message, act with ${parts.join(", ")}: write these action tags in your header (after the ${USER_TAGS.motivation}/${USER_TAGS.emotion}/${USER_TAGS.topic} tags) and let the reply follow them.`;
  return { ...request, messages: [...request.messages, { role: "system", content: note }] };
}

/** Turns text into the endpoint's token ids (the tokenizer of the served model; this package ships none). */
export type Tokenize = (text: string) => readonly number[];

/**
 * A `logit_bias` map that favours (positive bias) or suppresses (negative) the tokens of the given labels, e.g.
 * `["humor"]`; each label is tokenized as written and with a leading space. Biases are clamped to OpenAI's
 * [-100, 100]; where two labels share a token the larger magnitude wins.
 */
export function logitBiasFor(labels: readonly string[], tokenize: Tokenize, bias: number): Record<string, number> {
  if (!Number.isFinite(bias)) throw new RangeError(`bias must be a finite number, got ${bias}`);
  const clamped = Math.max(-100, Math.min(100, bias));
  const result: Record<string, number> = {};
  for (const label of labels) {
    for (const variant of [label, ` ${label}`]) {
      for (const id of tokenize(variant)) {
        if (!Number.isInteger(id) || id < 0) throw new RangeError(`tokenizer returned an invalid token id ${id} for ${JSON.stringify(variant)}`);
        const key = String(id);
        const existing = result[key];
        if (existing === undefined || Math.abs(clamped) > Math.abs(existing)) result[key] = clamped;
      }
    }
  }
  return result;
}

/** Adds a logit bias to a request (merged over any bias it already has). */
export function withLogitBias(request: ChatRequest, bias: Record<string, number>): ChatRequest {
  return { ...request, logitBias: { ...(request.logitBias ?? {}), ...bias } };
}
