import type { ChatMessage } from "@foresight/dialogue";

export type { ChatMessage } from "@foresight/dialogue";

/** One request to a chat model: messages in, `n` sampled choices out. */
export interface ChatRequest {
  messages: ChatMessage[];
  /** Number of choices to sample (default 1). */
  n?: number;
  temperature?: number;
  topP?: number;
  /**
   * Sample among the k most likely tokens, and penalise repeated tokens (>1 discourages repeats). Not part of
   * OpenAI's own API: an {@link OpenAIChatModel} sends them (as `top_k`, `repetition_penalty`) only when created
   * with `extendedSampling` (vLLM, TGI, llama.cpp servers accept them); other models ignore them.
   */
  topK?: number;
  repetitionPenalty?: number;
  maxTokens?: number;
  stop?: string[];
  /** Ask for per-token logprobs; `topLogprobs` alternatives per position where the endpoint supports it. */
  logprobs?: boolean;
  topLogprobs?: number;
  /** Token-id → bias, for endpoints that accept `logit_bias`. */
  logitBias?: Record<string, number>;
  seed?: number;
  /** The role making the call (system, user, prior, value, judge…), used for accounting and tracing. */
  role?: string;
  /** The planning turn the call belongs to, used for per-turn accounting (not part of the cache key). */
  turn?: string | number;
  signal?: AbortSignal;
}

/** A token's log-probability with its most likely alternatives. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  topLogprobs?: { token: string; logprob: number }[];
}

/** Why generation of a choice stopped. */
export type FinishReason = "stop" | "length" | "content_filter" | "tool_calls" | "unknown";

/** One sampled completion. */
export interface ChatChoice {
  text: string;
  finishReason: FinishReason;
  logprobs?: TokenLogprob[];
}

/** Token counts reported by the endpoint. */
export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

/** The model's answer to a {@link ChatRequest}. */
export interface ChatResponse {
  model: string;
  choices: ChatChoice[];
  usage: TokenUsage;
  /** True when every choice was replayed from a response cache rather than generated. */
  cached?: boolean;
}

/** The one minimal chat interface every LLM role is written against. */
export interface ChatModel {
  /** A stable identifier of the model (used in cache keys and accounting). */
  readonly id: string;
  /** Samples `n` choices for the messages. */
  complete(request: ChatRequest): Promise<ChatResponse>;
}
