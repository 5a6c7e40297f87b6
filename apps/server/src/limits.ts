/** Answered 429 with Retry-After when every plan slot is taken and the queue is full (no unbounded queue). */
export class PlanSlotsFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanSlotsFullError";
  }
}

interface Waiter {
  start(): void;
}

/**
 * At most `maxRunning` plans at once; up to `maxQueued` more wait (first come, first served) for a slot, each for at
 * most its own `maxWaitMs`. Beyond the queue, or once a waiter's time is up, a {@link PlanSlotsFullError}.
 */
export class PlanSlots {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly maxRunning: number,
    readonly maxQueued: number,
  ) {}

  /** Plans running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Plans waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `task` in a slot, waiting in the queue for one when all are taken. */
  async run<T>(task: () => Promise<T>, wait: { maxWaitMs: number; signal?: AbortSignal }): Promise<T> {
    if (this.running < this.maxRunning) this.running++;
    else await this.enqueue(wait.maxWaitMs, wait.signal);
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so `running` only drops when nobody waits.
      const next = this.waiting.shift();
      if (next) next.start();
      else this.running--;
    }
  }

  private enqueue(maxWaitMs: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.waiting.length >= this.maxQueued) {
      return Promise.reject(new PlanSlotsFullError(`server busy: ${this.running} plans running and ${this.waiting.length} queued; retry shortly`));
    }
    return new Promise<void>((resolve, reject) => {
      const leave = (error: Error) => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        cleanup();
        reject(error);
      };
      const timer = setTimeout(() => leave(new PlanSlotsFullError(`server busy: no plan slot freed within the ${Math.round(maxWaitMs)} ms budget; retry shortly`)), Math.max(0, maxWaitMs));
      const onAbort = () => leave(signal?.reason instanceof Error ? signal.reason : new Error("aborted while waiting for a plan slot"));
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const waiter: Waiter = { start: () => (cleanup(), resolve()) };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  /** Resolves once no plan is running or waiting (graceful shutdown), or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.running + this.waiting.length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.running === 0;
  }
}
