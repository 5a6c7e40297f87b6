import type { ChatChoice, ChatModel, ChatRequest, ChatResponse, FinishReason, TokenLogprob, TokenUsage } from "../chat.js";
import { sleep } from "../clock.js";
import { ChatModelError, abortError, type ChatErrorKind } from "../errors.js";

/** One scripted choice: text with optional logprobs and finish reason. */
export interface ScriptedChoice {
  text: string;
  finishReason?: FinishReason;
  logprobs?: TokenLogprob[];
}

/** A scripted answer: its choices (one is repeated to fill `n`), optional usage and a delay before it arrives. */
export interface ScriptedReply {
  choices: (string | ScriptedChoice)[];
  usage?: TokenUsage;
  /** Milliseconds to wait before answering (cancelled by the request's signal). */
  delayMs?: number;
  /** Mark the answer as served from a cache. */
  cached?: boolean;
}

/** A scripted failure: an HTTP status (with optional Retry-After) or another error kind. */
export interface ScriptedFailure {
  error: {
    kind?: ChatErrorKind;
    status?: number;
    /** Retry-After in seconds, as a server would send it. */
    retryAfterSeconds?: number;
    message?: string;
  };
  delayMs?: number;
}

/** What the script produces for one request: a single text, a list of choice texts, a reply or a failure. */
export type ScriptStep = string | string[] | ScriptedReply | ScriptedFailure;

/** Computes the step for a request (`call` counts requests from 0). */
export type ScriptFunction = (request: ChatRequest, call: number) => ScriptStep | Promise<ScriptStep>;

/** Options for {@link ScriptedChatModel}. */
export interface ScriptedChatModelOptions {
  id?: string;
  /** Steps answered in order, one per request (entries may be functions). */
  script?: (ScriptStep | ScriptFunction)[];
  /** Answers requests once the queue is empty (without it, an empty queue is an error). */
  respond?: ScriptFunction;
}

/** A recorded request, without its AbortSignal. */
export type RecordedRequest = Omit<ChatRequest, "signal">;

function approxTokens(text: string): number {
  const words = text.trim().split(/\s+/).filter(Boolean);
  return words.length;
}

function isFailure(step: ScriptStep): step is ScriptedFailure {
  return typeof step === "object" && !Array.isArray(step) && "error" in step;
}

/**
 * A deterministic {@link ChatModel} for tests: answers from a queue of steps or a function of the request,
 * records every request, and can delay, fail with an HTTP status and Retry-After, and return logprobs.
 */
export class ScriptedChatModel implements ChatModel {
  readonly id: string;
  /** Every request received, in order (signals removed). */
  readonly requests: RecordedRequest[] = [];
  private readonly queue: (ScriptStep | ScriptFunction)[];
  private readonly respond: ScriptFunction | undefined;

  constructor(options: ScriptedChatModelOptions = {}) {
    this.id = options.id ?? "scripted";
    this.queue = [...(options.script ?? [])];
    this.respond = options.respond;
  }

  /** Appends steps to the queue. */
  push(...steps: (ScriptStep | ScriptFunction)[]): this {
    this.queue.push(...steps);
    return this;
  }

  /** Steps left in the queue. */
  get remaining(): number {
    return this.queue.length;
  }

  /** Answers the request from the script. */
  async complete(request: ChatRequest): Promise<ChatResponse> {
    const call = this.requests.length;
    const { signal, ...recorded } = request;
    this.requests.push(structuredClone(recorded));
    if (signal?.aborted) throw abortError(signal);
    const next = this.queue.shift() ?? this.respond;
    if (next === undefined) throw new Error(`ScriptedChatModel ${this.id}: script exhausted at request ${call} (role ${request.role ?? "unset"})`);
    const step = typeof next === "function" ? await next(request, call) : next;
    const reply: ScriptedReply | ScriptedFailure =
      typeof step === "string" ? { choices: [step] } : Array.isArray(step) ? { choices: step } : step;
    if (reply.delayMs !== undefined && reply.delayMs > 0) await sleep(reply.delayMs, signal);
    if (isFailure(reply)) throw this.failure(reply);
    return this.answer(request, reply);
  }

  private failure(step: ScriptedFailure): ChatModelError {
    const { kind, status, retryAfterSeconds, message } = step.error;
    const resolvedKind = kind ?? (status === undefined ? "network" : "http");
    return new ChatModelError(resolvedKind, message ?? (status === undefined ? `scripted ${resolvedKind} failure` : `scripted HTTP ${status}`), {
      status,
      retryAfterMs: retryAfterSeconds === undefined ? undefined : retryAfterSeconds * 1000,
    });
  }

  private answer(request: ChatRequest, reply: ScriptedReply): ChatResponse {
    const n = request.n ?? 1;
    const given = reply.choices.map((choice): ChatChoice => {
      const scripted = typeof choice === "string" ? { text: choice } : choice;
      const result: ChatChoice = { text: scripted.text, finishReason: scripted.finishReason ?? "stop" };
      if (scripted.logprobs) result.logprobs = structuredClone(scripted.logprobs);
      return result;
    });
    let choices: ChatChoice[];
    if (given.length === 1) choices = Array.from({ length: n }, () => structuredClone(given[0] as ChatChoice));
    else if (given.length >= n) choices = given.slice(0, n);
    else throw new Error(`ScriptedChatModel ${this.id}: step has ${given.length} choices but the request asked for n=${n}`);
    const usage = reply.usage ?? {
      promptTokens: request.messages.reduce((sum, message) => sum + approxTokens(message.content), 0),
      completionTokens: choices.reduce((sum, choice) => sum + approxTokens(choice.text), 0),
    };
    const response: ChatResponse = { model: this.id, choices, usage };
    if (reply.cached) response.cached = true;
    return response;
  }
}

/** Builds a logprobs entry whose first token has the given alternatives (probabilities, converted to logprobs). */
export function logprobsFor(token: string, alternatives: Record<string, number>): TokenLogprob[] {
  const topLogprobs = Object.entries(alternatives).map(([alt, probability]) => ({ token: alt, logprob: Math.log(probability) }));
  return [{ token, logprob: Math.log(alternatives[token] ?? 1e-9), topLogprobs }];
}
