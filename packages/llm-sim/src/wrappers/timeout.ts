import type { ChatModel, ChatRequest, ChatResponse } from "../chat.js";
import { ChatModelError, abortError } from "../errors.js";

/**
 * Gives every call its own deadline: after `timeoutMs` the call's signal aborts and the call fails with a
 * retryable "timeout" ChatModelError. The caller's own signal still aborts it (as "aborted", not retried). The
 * deadline holds even for a model that ignores its signal: the call is abandoned and the error thrown on time.
 */
export function withTimeout(model: ChatModel, timeoutMs: number): ChatModel {
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be positive, got ${timeoutMs}`);
  return {
    id: model.id,
    async complete(request: ChatRequest): Promise<ChatResponse> {
      const outer = request.signal;
      if (outer?.aborted) throw abortError(outer);
      const controller = new AbortController();
      const timeoutError = new ChatModelError("timeout", `the chat request timed out after ${timeoutMs} ms`);
      const abandoned = new Promise<never>((_, reject) => {
        controller.signal.addEventListener("abort", () => reject(abortError(controller.signal)), { once: true });
      });
      const timer = setTimeout(() => controller.abort(timeoutError), timeoutMs);
      const onAbort = (): void => controller.abort(abortError(outer as AbortSignal));
      outer?.addEventListener("abort", onAbort, { once: true });
      try {
        return await Promise.race([model.complete({ ...request, signal: controller.signal }), abandoned]);
      } catch (error) {
        if (controller.signal.aborted) throw abortError(controller.signal);
        throw error;
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener("abort", onAbort);
      }
    },
  };
}
