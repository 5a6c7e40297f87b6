import { createRng, type Rng } from "@foresight/dialogue";
import type { ChatModel, ChatRequest, ChatResponse } from "../chat.js";
import { systemClock, type Clock } from "../clock.js";
import { ChatModelError, abortError, isRetryableError } from "../errors.js";

/** What a retry wrapper reports before it waits and tries again. */
export interface RetryEvent {
  attempt: number;
  delayMs: number;
  error: unknown;
  request: ChatRequest;
}

/** Options for {@link withRetry}. */
export interface RetryOptions {
  /** Retries after the first attempt (default 4). */
  maxRetries?: number;
  /** Delay before the first retry before jitter (default 500 ms); doubles each retry. */
  baseDelayMs?: number;
  /** Cap on the exponential delay (default 30 s). */
  maxDelayMs?: number;
  /** Longest `Retry-After` honoured (default 120 s); a server asking for more fails the call instead. */
  maxRetryAfterMs?: number;
  /** Seeded generator for jitter (default: seed "retry-jitter"). */
  rng?: Rng;
  /** Clock whose `sleep` waits between attempts (inject a fake one in tests). */
  clock?: Clock;
  /** Which errors to retry (default {@link isRetryableError}: timeouts, network, 408, 429, 5xx). */
  retryable?: (error: unknown) => boolean;
  /** Called before each wait. */
  onRetry?: (event: RetryEvent) => void;
}

/** The exponential backoff with "equal jitter" for retry `attempt` (1-based): half fixed, half uniform. */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, rng: Rng): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + rng.next() * (ceiling / 2);
}

/** The error for a server that asked to wait longer than the cap: the original failure, saying why it was not retried. */
function refusedRetryAfter(error: ChatModelError, retryAfterMs: number, maxRetryAfterMs: number): ChatModelError {
  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  return new ChatModelError(
    error.kind,
    `${error.message} (not retried: the server asked to wait ${seconds(retryAfterMs)}, beyond the ${seconds(maxRetryAfterMs)} cap of maxRetryAfterMs)`,
    { status: error.status, retryAfterMs, cause: error },
  );
}

/**
 * Retries failed calls with exponential backoff and seeded jitter. A server's `Retry-After` replaces the
 * computed delay; errors that a retry cannot fix (other 4xx, aborts, malformed bodies) are thrown at once.
 */
export function withRetry(model: ChatModel, options: RetryOptions = {}): ChatModel {
  const maxRetries = options.maxRetries ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
  const rng = options.rng ?? createRng("retry-jitter");
  const clock = options.clock ?? systemClock;
  const retryable = options.retryable ?? isRetryableError;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new RangeError(`maxRetries must be a non-negative integer, got ${maxRetries}`);
  return {
    id: model.id,
    async complete(request: ChatRequest): Promise<ChatResponse> {
      for (let attempt = 0; ; attempt++) {
        try {
          return await model.complete(request);
        } catch (error) {
          if (request.signal?.aborted) throw abortError(request.signal);
          if (attempt >= maxRetries || !retryable(error)) throw error;
          const retryAfter = error instanceof ChatModelError ? error.retryAfterMs : undefined;
          if (retryAfter !== undefined && retryAfter > maxRetryAfterMs) throw refusedRetryAfter(error as ChatModelError, retryAfter, maxRetryAfterMs);
          const delayMs = retryAfter ?? backoffDelay(attempt + 1, baseDelayMs, maxDelayMs, rng);
          options.onRetry?.({ attempt: attempt + 1, delayMs, error, request });
          await clock.sleep(delayMs, request.signal);
        }
      }
    },
  };
}
