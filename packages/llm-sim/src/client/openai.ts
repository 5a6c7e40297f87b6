import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { z } from "zod";
import type { ChatChoice, ChatModel, ChatRequest, ChatResponse, FinishReason, TokenLogprob } from "../chat.js";
import { ChatModelError, LlmConfigError, abortError, parseRetryAfter } from "../errors.js";

/** Options for {@link OpenAIChatModel}. */
export interface OpenAIChatModelOptions {
  /** The endpoint, e.g. `http://127.0.0.1:8000/v1` (vLLM), `http://localhost:11434/v1` (Ollama). */
  baseURL: string;
  /** The model name the endpoint serves. */
  model: string;
  /** API key; local servers usually accept any value (default "not-needed"). */
  apiKey?: string;
  /** Identifier used in cache keys and accounting (default: the model name). */
  id?: string;
  /** The SDK's own request timeout in ms (default 10 min; put per-request timeouts in {@link withTimeout}). */
  sdkTimeoutMs?: number;
  /** Send `max_completion_tokens` instead of `max_tokens` (newer hosted models require it). */
  useMaxCompletionTokens?: boolean;
  /** Extra headers on every request. */
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

/** Validates a raw chat-completions body and converts it; a malformed body throws a "malformed-response" error naming the field. */
export function parseCompletionBody(body: unknown, modelId: string): ChatResponse {
  const parsed = CompletionSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "(body)";
    const shown = typeof body === "string" ? `: body starts ${JSON.stringify(body.slice(0, 80))}` : "";
    throw new ChatModelError("malformed-response", `malformed chat completion from ${modelId}: field ${field}: ${issue?.message ?? "invalid"}${shown}`);
  }
  const completion = parsed.data;
  const choices = [...completion.choices].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)).map(toChoice);
  return {
    model: completion.model ?? modelId,
    choices,
    usage: { promptTokens: completion.usage?.prompt_tokens ?? 0, completionTokens: completion.usage?.completion_tokens ?? 0 },
  };
}

/** Converts whatever the SDK threw into a {@link ChatModelError}. */
export function toChatModelError(error: unknown, signal: AbortSignal | undefined, modelId: string): unknown {
  if (signal?.aborted) return abortError(signal);
  if (error instanceof ChatModelError) return error;
  if (error instanceof APIUserAbortError) return new ChatModelError("aborted", "the chat request was aborted", { cause: error });
  if (error instanceof APIConnectionTimeoutError) return new ChatModelError("timeout", `request to ${modelId} timed out`, { cause: error });
  if (error instanceof APIConnectionError) return new ChatModelError("network", `could not reach the endpoint of ${modelId}: ${error.message}`, { cause: error });
  if (error instanceof APIError && typeof error.status === "number") {
    const retryAfterMs = error.headers ? parseRetryAfter((name) => error.headers?.get(name)) : undefined;
    return new ChatModelError("http", `HTTP ${error.status} from ${modelId}: ${error.message}`, { status: error.status, retryAfterMs, cause: error });
  }
  if (error instanceof SyntaxError) return new ChatModelError("malformed-response", `response from ${modelId} is not valid JSON: ${error.message}`, { cause: error });
  return error;
}

/** A {@link ChatModel} over the official `openai` package, aimed at any OpenAI-compatible chat-completions endpoint. */
export class OpenAIChatModel implements ChatModel {
  readonly id: string;
  readonly model: string;
  readonly client: OpenAI;
  private readonly useMaxCompletionTokens: boolean;
  private readonly extendedSampling: boolean;

  constructor(options: OpenAIChatModelOptions) {
    if (!options.baseURL) throw new LlmConfigError("OpenAIChatModel needs a baseURL (e.g. http://127.0.0.1:8000/v1)");
    if (!options.model) throw new LlmConfigError("OpenAIChatModel needs a model name");
    try {
      new URL(options.baseURL);
    } catch {
      throw new LlmConfigError(`OpenAIChatModel: baseURL ${JSON.stringify(options.baseURL)} is not a valid URL`);
    }
    this.model = options.model;
    this.id = options.id ?? options.model;
    this.useMaxCompletionTokens = options.useMaxCompletionTokens ?? false;
    this.extendedSampling = options.extendedSampling ?? false;
    this.client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey || "not-needed",
      maxRetries: 0,
      timeout: options.sdkTimeoutMs ?? 600_000,
      defaultHeaders: options.defaultHeaders,
      fetch: options.fetch,
    });
  }

  /** Sends one chat-completions request (no SDK retries: compose {@link withRetry} for that). */
  async complete(request: ChatRequest): Promise<ChatResponse> {
    const body: Record<string, unknown> = { model: this.model, messages: request.messages };
    if (request.n !== undefined && request.n !== 1) body.n = request.n;
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.topP !== undefined) body.top_p = request.topP;
    if (this.extendedSampling && request.topK !== undefined) body.top_k = request.topK;
    if (this.extendedSampling && request.repetitionPenalty !== undefined) body.repetition_penalty = request.repetitionPenalty;
    if (request.maxTokens !== undefined) body[this.useMaxCompletionTokens ? "max_completion_tokens" : "max_tokens"] = request.maxTokens;
    if (request.stop?.length) body.stop = request.stop;
    if (request.logprobs) body.logprobs = true;
    if (request.logprobs && request.topLogprobs !== undefined) body.top_logprobs = request.topLogprobs;
    if (request.logitBias) body.logit_bias = request.logitBias;
    if (request.seed !== undefined) body.seed = request.seed;
    let raw: unknown;
    try {
      raw = await this.client.chat.completions.create(body as unknown as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, {
        signal: request.signal,
        maxRetries: 0,
      });
    } catch (error) {
      throw toChatModelError(error, request.signal, this.id);
    }
    return parseCompletionBody(raw, this.id);
  }
}
