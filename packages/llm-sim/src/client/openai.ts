import { inspect } from "node:util";
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { z } from "zod";
import type { ChatChoice, ChatModel, ChatRequest, ChatResponse, FinishReason, TokenLogprob } from "../chat.js";
import { ChatModelError, LlmConfigError, abortError, describeCause, parseRetryAfter, redactSecrets } from "../errors.js";

/** The default cap on a response body: larger bodies fail with a "malformed-response" error instead of filling memory. */
export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** The default deadline of one call, from sending the request to the last byte of the response body. */
export const DEFAULT_CHAT_TIMEOUT_MS = 600_000;

/** Upstream error text kept in our messages (the rest is cut). */
const MAX_UPSTREAM_TEXT = 300;

/** Options for {@link OpenAIChatModel}. */
export interface OpenAIChatModelOptions {
  /** The endpoint, e.g. `http://127.0.0.1:8000/v1` (vLLM), `http://localhost:11434/v1` (Ollama). */
  baseURL: string;
  /** The model name the endpoint serves. */
  model: string;
  /** API key; local servers usually accept any value (default "not-needed"). Never shown by inspect, logs or errors. */
  apiKey?: string;
  /** Identifier used in cache keys and accounting (default: the model name). */
  id?: string;
  /**
   * Deadline of one call covering the whole response, body included, so a body that trickles cannot hang it
   * (default {@link DEFAULT_CHAT_TIMEOUT_MS}; put shorter per-attempt timeouts in {@link withTimeout}).
   */
  timeoutMs?: number;
  /** Largest response body accepted, in bytes (default {@link DEFAULT_MAX_RESPONSE_BYTES}). */
  maxResponseBytes?: number;
  /** Send `max_completion_tokens` instead of `max_tokens` (newer hosted models require it). */
  useMaxCompletionTokens?: boolean;
  /** Extra headers on every request; values of credential-like headers (key, token, auth…) are redacted like the key. */
  defaultHeaders?: Record<string, string>;
  /** A custom fetch (proxies, tests). */
  fetch?: typeof fetch;
  /** Send `topK` / `repetitionPenalty` as `top_k` / `repetition_penalty` (servers such as vLLM accept them; OpenAI's API rejects them). */
  extendedSampling?: boolean;
}

const TopLogprobSchema = z.object({ token: z.string(), logprob: z.number() });
const CompletionSchema = z.object({
  model: z.string().optional(),
  choices: z.array(
    z.object({
      index: z.number().optional(),
      finish_reason: z.string().nullish(),
      message: z.object({ content: z.string().nullish() }),
      logprobs: z
        .object({
          content: z
            .array(z.object({ token: z.string(), logprob: z.number(), top_logprobs: z.array(TopLogprobSchema).nullish() }))
            .nullish(),
        })
        .nullish(),
    }),
  ),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish(),
});
type Completion = z.infer<typeof CompletionSchema>;

const FINISH_REASONS: readonly FinishReason[] = ["stop", "length", "content_filter", "tool_calls"];

function toFinishReason(reason: string | null | undefined): FinishReason {
  if (reason === "function_call") return "tool_calls";
  return FINISH_REASONS.find((known) => known === reason) ?? "unknown";
}

function toChoice(choice: Completion["choices"][number]): ChatChoice {
  const result: ChatChoice = { text: choice.message.content ?? "", finishReason: toFinishReason(choice.finish_reason) };
  const content = choice.logprobs?.content;
  if (content) {
    result.logprobs = content.map((entry): TokenLogprob => {
      const token: TokenLogprob = { token: entry.token, logprob: entry.logprob };
      if (entry.top_logprobs) token.topLogprobs = entry.top_logprobs.map((top) => ({ token: top.token, logprob: top.logprob }));
      return token;
    });
  }
  return result;
}

function malformed(modelId: string, what: string): ChatModelError {
  return new ChatModelError("malformed-response", `malformed chat completion from ${modelId}: ${what}`);
}

/**
 * Validates a raw chat-completions body and converts it. A malformed body throws a "malformed-response" error saying
 * what was received: the offending field, no choices or not `expectedChoices` of them, a `content: null` answer, or
 * missing or negative usage.
 */
export function parseCompletionBody(body: unknown, modelId: string, expectedChoices?: number): ChatResponse {
  const parsed = CompletionSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "(body)";
    const shown = typeof body === "string" ? `: body starts ${JSON.stringify(body.slice(0, 80))}` : "";
    throw malformed(modelId, `field ${field}: ${issue?.message ?? "invalid"}${shown}`);
  }
  const completion = parsed.data;
  const count = completion.choices.length;
  if (count === 0) throw malformed(modelId, `no choices (choices: [])${expectedChoices === undefined ? "" : ` for n=${expectedChoices}`}`);
  if (expectedChoices !== undefined && count !== expectedChoices) throw malformed(modelId, `${count} choices for n=${expectedChoices}`);
  const sorted = [...completion.choices].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  sorted.forEach((choice, position) => {
    const toolCall = choice.finish_reason === "tool_calls" || choice.finish_reason === "function_call";
    if (choice.message.content == null && !toolCall) {
      throw malformed(modelId, `choice ${choice.index ?? position} has content ${String(choice.message.content)} (finish_reason ${choice.finish_reason ?? "missing"})`);
    }
  });
  const usage = completion.usage;
  if (!usage) throw malformed(modelId, "no usage (prompt_tokens and completion_tokens)");
  for (const field of ["prompt_tokens", "completion_tokens"] as const) {
    if (!Number.isFinite(usage[field]) || usage[field] < 0) throw malformed(modelId, `usage.${field} is ${usage[field]}`);
  }
  return {
    model: completion.model ?? modelId,
    choices: sorted.map(toChoice),
    usage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens },
  };
}

/** What {@link toChatModelError} needs to word an error: where the call went, and what to keep out of messages. */
export interface ErrorContext {
  modelId: string;
  /** The endpoint as shown in messages (no credentials). */
  baseURL: string;
  /** Secrets to redact from upstream text (the API key). */
  secrets?: readonly (string | undefined)[];
}

function upstreamText(text: string, secrets: readonly (string | undefined)[] | undefined): string {
  const redacted = redactSecrets(text, secrets ?? []).replace(/\s+/g, " ").trim();
  return redacted.length > MAX_UPSTREAM_TEXT ? `${redacted.slice(0, MAX_UPSTREAM_TEXT)}…` : redacted;
}

/**
 * Converts whatever the SDK or the transport threw into a {@link ChatModelError}: every transport failure (reset,
 * hang-up, refused connection, TLS error) becomes a retryable "network" error naming the endpoint and the cause.
 * Upstream text is redacted of the secrets and cut short; the SDK's error objects are not kept as causes, since they
 * carry the upstream body.
 */
export function toChatModelError(error: unknown, signal: AbortSignal | undefined, context: ErrorContext): unknown {
  const { modelId, baseURL, secrets } = context;
  if (signal?.aborted) return abortError(signal);
  if (error instanceof ChatModelError) return error;
  if (error instanceof APIUserAbortError) return new ChatModelError("aborted", "the chat request was aborted");
  if (error instanceof APIConnectionTimeoutError) return new ChatModelError("timeout", `request to ${baseURL} (model ${modelId}) timed out`);
  if (error instanceof APIConnectionError) {
    const cause = error.cause ?? error;
    return new ChatModelError("network", `no response from ${baseURL} (model ${modelId}): ${upstreamText(describeCause(cause), secrets)}`, { cause });
  }
  if (error instanceof APIError && typeof error.status === "number") {
    const retryAfterMs = error.headers ? parseRetryAfter((name) => error.headers?.get(name)) : undefined;
    const text = upstreamText(error.message.replace(new RegExp(`^${error.status}\\s*`), ""), secrets);
    return new ChatModelError("http", `HTTP ${error.status} from ${baseURL} (model ${modelId})${text ? `: ${text}` : ""}`, { status: error.status, retryAfterMs });
  }
  if (error instanceof SyntaxError) return new ChatModelError("malformed-response", `response from ${baseURL} (model ${modelId}) is not valid JSON: ${error.message}`);
  return error;
}

/** The endpoint as messages show it: without user name or password. */
function displayURL(baseURL: string): string {
  const url = new URL(baseURL);
  url.username = "";
  url.password = "";
  return url.toString().replace(/\/$/, "");
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** Reads at most `limit` bytes of an error body as text, then lets the connection go; a broken body yields what arrived. */
async function readErrorText(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch {
    // The text is only for the message; a connection that breaks mid-way has said what it could.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit));
}

/** A fetch whose error responses carry at most a few kilobytes of body (the SDK reads error bodies whole). */
function cappingErrorBodies(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.ok || NULL_BODY_STATUSES.has(response.status)) return response;
    const text = await readErrorText(response, 4096);
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    headers.delete("content-encoding");
    return new Response(text, { status: response.status, statusText: response.statusText, headers });
  };
}

/** Options of {@link readResponseBody}. */
export interface ReadBodyOptions {
  /** Largest body accepted, in bytes. */
  maxBytes: number;
  /** Aborts the read (its reason is thrown). */
  signal?: AbortSignal;
  /** What the body is, for messages (e.g. `the response of http://127.0.0.1:8000/v1 (model m)`). */
  source: string;
}

/**
 * Reads a response body into memory, at most `maxBytes` of it (a larger declared or actual body throws a
 * "malformed-response" error), stopping when `signal` aborts; a connection that breaks mid-body is a "network" error.
 */
export async function readResponseBody(response: Response, options: ReadBodyOptions): Promise<Uint8Array> {
  const { maxBytes, signal, source } = options;
  const tooLarge = (size: string) =>
    new ChatModelError("malformed-response", `${source} is larger than the ${maxBytes}-byte cap (${size}); raise maxResponseBytes if it is expected`);
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(`content-length ${declared}`);
  }
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(0);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      let step: Awaited<ReturnType<typeof reader.read>>;
      try {
        step = await Promise.race([reader.read(), aborted]);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw new ChatModelError("network", `connection broke while reading ${source}: ${describeCause(error)}`, { cause: error });
      }
      if (step.done) break;
      total += step.value.byteLength;
      if (total > maxBytes) throw tooLarge(`more than ${maxBytes} bytes arrived`);
      chunks.push(step.value);
    }
  } catch (error) {
    reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
  return Buffer.concat(chunks, total);
}

/**
 * A {@link ChatModel} over the official `openai` package, aimed at any OpenAI-compatible chat-completions endpoint.
 * The SDK client and the key live in private fields, so `util.inspect`, `JSON.stringify` and logs never show the key.
 */
export class OpenAIChatModel implements ChatModel {
  readonly id: string;
  readonly model: string;
  /** The endpoint, without credentials. */
  readonly baseURL: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly #client: OpenAI;
  /** The key and credential-like header values, redacted from every message. */
  readonly #secrets: readonly string[];
  readonly #useMaxCompletionTokens: boolean;
  readonly #extendedSampling: boolean;

  constructor(options: OpenAIChatModelOptions) {
    if (!options.baseURL) throw new LlmConfigError("OpenAIChatModel needs a baseURL (e.g. http://127.0.0.1:8000/v1)");
    if (!options.model) throw new LlmConfigError("OpenAIChatModel needs a model name");
    try {
      new URL(options.baseURL);
    } catch {
      throw new LlmConfigError(`OpenAIChatModel: baseURL ${JSON.stringify(options.baseURL)} is not a valid URL`);
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_CHAT_TIMEOUT_MS;
    if (!(timeoutMs > 0)) throw new LlmConfigError(`OpenAIChatModel: timeoutMs must be positive, got ${timeoutMs}`);
    const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    if (!(maxResponseBytes > 0)) throw new LlmConfigError(`OpenAIChatModel: maxResponseBytes must be positive, got ${maxResponseBytes}`);
    this.model = options.model;
    this.id = options.id ?? options.model;
    this.baseURL = displayURL(options.baseURL);
    this.timeoutMs = timeoutMs;
    this.maxResponseBytes = maxResponseBytes;
    const apiKey = options.apiKey || "not-needed";
    const credentialHeaders = Object.entries(options.defaultHeaders ?? {}).filter(([name]) => /key|token|auth|secret|cookie/i.test(name));
    this.#secrets = [apiKey, ...credentialHeaders.map(([, value]) => value.replace(/^Bearer\s+/i, ""))];
    this.#useMaxCompletionTokens = options.useMaxCompletionTokens ?? false;
    this.#extendedSampling = options.extendedSampling ?? false;
    this.#client = new OpenAI({
      baseURL: options.baseURL,
      apiKey,
      maxRetries: 0,
      timeout: timeoutMs,
      logLevel: "off",
      defaultHeaders: options.defaultHeaders,
      fetch: cappingErrorBodies(options.fetch ?? ((input, init) => fetch(input, init))),
    });
  }

  /** Sends one chat-completions request (no SDK retries: compose {@link withRetry} for that). */
  async complete(request: ChatRequest): Promise<ChatResponse> {
    const n = request.n ?? 1;
    const body: Record<string, unknown> = { model: this.model, messages: request.messages };
    if (n !== 1) body.n = n;
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.topP !== undefined) body.top_p = request.topP;
    if (this.#extendedSampling && request.topK !== undefined) body.top_k = request.topK;
    if (this.#extendedSampling && request.repetitionPenalty !== undefined) body.repetition_penalty = request.repetitionPenalty;
    if (request.maxTokens !== undefined) body[this.#useMaxCompletionTokens ? "max_completion_tokens" : "max_tokens"] = request.maxTokens;
    if (request.stop?.length) body.stop = request.stop;
    if (request.logprobs) body.logprobs = true;
    if (request.logprobs && request.topLogprobs !== undefined) body.top_logprobs = request.topLogprobs;
    if (request.logitBias) body.logit_bias = request.logitBias;
    if (request.seed !== undefined) body.seed = request.seed;
    if (request.signal?.aborted) throw abortError(request.signal);
    const where = `${this.baseURL} (model ${this.id})`;
    // The SDK's own timeout stops at the headers; this deadline also covers reading the body.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new ChatModelError("timeout", `no complete response from ${where} within ${this.timeoutMs} ms`)), this.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, deadline.signal]) : deadline.signal;
    try {
      const response = await this.#client.chat.completions
        .create(body as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, { signal, maxRetries: 0 })
        .asResponse();
      const bytes = await readResponseBody(response, { maxBytes: this.maxResponseBytes, signal, source: `the response of ${where}` });
      const text = new TextDecoder().decode(bytes);
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (error) {
        const start = upstreamText(text.slice(0, 80), this.#secrets);
        throw new ChatModelError("malformed-response", `response from ${where} is not valid JSON (${(error as Error).message}): body starts ${JSON.stringify(start)}`);
      }
      return parseCompletionBody(raw, this.id, n);
    } catch (error) {
      if (deadline.signal.aborted && !request.signal?.aborted) throw deadline.signal.reason;
      throw toChatModelError(error, request.signal, { modelId: this.id, baseURL: this.baseURL, secrets: this.#secrets });
    } finally {
      clearTimeout(timer);
    }
  }

  /** What `util.inspect` shows: the identity of the model, never the key. */
  [inspect.custom](): string {
    return `OpenAIChatModel { id: ${JSON.stringify(this.id)}, model: ${JSON.stringify(this.model)}, baseURL: ${JSON.stringify(this.baseURL)} }`;
  }

  /** What `JSON.stringify` shows: the identity of the model, never the key. */
  toJSON(): { id: string; model: string; baseURL: string } {
    return { id: this.id, model: this.model, baseURL: this.baseURL };
  }
}
