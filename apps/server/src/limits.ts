/** Answered 429 with Retry-After when every plan slot is taken (no unbounded queue). */
export class PlanSlotsFullError extends Error {
  constructor(readonly limit: number) {
    super(`server busy: ${limit} plans already running; retry shortly`);
    this.name = "PlanSlotsFullError";
  }
}

/** A non-queuing counter of plans in flight. */
export class PlanSlots {
  private running = 0;
  constructor(readonly limit: number) {}

  /** Plans running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Runs `task` in a slot, or throws {@link PlanSlotsFullError} at once when none is free. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) throw new PlanSlotsFullError(this.limit);
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
    }
  }

  /** Resolves once no plan is running (graceful shutdown), or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.running > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.running === 0;
  }
}
