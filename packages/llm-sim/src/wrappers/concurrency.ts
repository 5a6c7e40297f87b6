import type { ChatModel, ChatRequest, ChatResponse } from "../chat.js";
import { abortError } from "../errors.js";

/** A FIFO counting semaphore whose waiters can be cancelled by an AbortSignal. */
export class Semaphore {
  private active = 0;
  private readonly waiters: { resolve: () => void; reject: (error: unknown) => void; signal?: AbortSignal }[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
  }

  /** Calls in flight now. */
  get inFlight(): number {
    return this.active;
  }

  /** Calls waiting for a slot now. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Waits for a free slot; call the returned function exactly once to release it. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw abortError(signal);
    if (this.active < this.limit) {
      this.active++;
      return this.releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = { resolve, reject, signal };
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(abortError(signal as AbortSignal));
      };
      waiter.resolve = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next.resolve();
      else this.active--;
    };
  }
}

/** Limits how many calls run at once; the rest queue in order (a queued call leaves the queue when aborted). */
export function withConcurrencyLimit(model: ChatModel, limit: number): ChatModel {
  const semaphore = new Semaphore(limit);
  return {
    id: model.id,
    async complete(request: ChatRequest): Promise<ChatResponse> {
      const release = await semaphore.acquire(request.signal);
      try {
        return await model.complete(request);
      } finally {
        release();
      }
    },
  };
}
