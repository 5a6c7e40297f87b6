import type { ChatModel, ChatRequest, ChatResponse } from "../chat.js";
import { ChatModelError, abortError } from "../errors.js";
import { cacheKey } from "./cache.js";

/** Waits for `promise`, or rejects with the abort error as soon as `signal` fires. */
function waitUnlessAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Makes identical temperature-0 requests in flight at the same time (same model, messages, parameters and n) share one
 * upstream call: the first goes out, the others get a copy of its answer marked `cached` (their tokens cost nothing).
 * A waiter's own signal still ends its wait; when the shared call was aborted by its first caller, the waiters ask again.
 * Requests at any other temperature pass through, since each is meant to be a fresh draw.
 */
export function withInFlightDeduplication(model: ChatModel): ChatModel {
  const inFlight = new Map<string, Promise<ChatResponse>>();
  return {
    id: model.id,
    async complete(request: ChatRequest): Promise<ChatResponse> {
      if (request.temperature !== 0) return model.complete(request);
      const key = `${request.n ?? 1}:${cacheKey(model.id, request, 0)}`;
      for (;;) {
        const shared = inFlight.get(key);
        if (!shared) {
          const call = model.complete(request);
          inFlight.set(key, call);
          try {
            return await call;
          } finally {
            if (inFlight.get(key) === call) inFlight.delete(key);
          }
        }
        try {
          const response = await waitUnlessAborted(shared, request.signal);
          return { ...structuredClone(response), cached: true };
        } catch (error) {
          if (request.signal?.aborted) throw abortError(request.signal);
          if (!(error instanceof ChatModelError && error.kind === "aborted")) throw error;
          if (inFlight.get(key) === shared) inFlight.delete(key);
        }
      }
    },
  };
}
