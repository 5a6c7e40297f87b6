import { Semaphore } from "@foresight/llm-sim";
import { linkedSignal } from "./deadline.js";

/** Answered 429 with Retry-After when every plan slot is taken and the queue is full (no unbounded queue). */
export class PlanSlotsFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanSlotsFullError";
  }
}

/**
 * At most `maxRunning` plans at once; up to `maxQueued` more wait (first come, first served) for a slot, each for at
 * most its own `maxWaitMs`. Beyond the queue, or once a waiter's time is up, a {@link PlanSlotsFullError}.
 */
export class PlanSlots {
  private readonly slots: Semaphore;

  constructor(
    readonly maxRunning: number,
    readonly maxQueued: number,
  ) {
    this.slots = new Semaphore(maxRunning);
  }

  /** Plans running now. */
  get inFlight(): number {
    return this.slots.inFlight;
  }

  /** Plans waiting for a slot now. */
  get queued(): number {
    return this.slots.waiting;
  }

  /** Runs `task` in a slot, waiting in the queue for one when all are taken (until `maxWaitMs` or a signal aborts). */
  async run<T>(task: () => Promise<T>, wait: { maxWaitMs: number; signals?: readonly AbortSignal[] }): Promise<T> {
    const release = this.slots.inFlight < this.maxRunning ? await this.slots.acquire() : await this.waitForSlot(wait.maxWaitMs, wait.signals ?? []);
    try {
      return await task();
    } finally {
      release();
    }
  }

  private async waitForSlot(maxWaitMs: number, signals: readonly AbortSignal[]): Promise<() => void> {
    if (this.slots.waiting >= this.maxQueued) {
      throw new PlanSlotsFullError(`server busy: ${this.slots.inFlight} plans running and ${this.slots.waiting} queued; retry shortly`);
    }
    const timeUp = new AbortController();
    const timer = setTimeout(() => timeUp.abort(), Math.max(0, maxWaitMs));
    const link = linkedSignal([...signals, timeUp.signal]);
    try {
      return await this.slots.acquire(link.signal);
    } catch (error) {
      const aborted = signals.find((signal) => signal.aborted);
      if (aborted) throw aborted.reason instanceof Error ? aborted.reason : new Error("aborted while waiting for a plan slot");
      if (timeUp.signal.aborted) throw new PlanSlotsFullError(`server busy: no plan slot freed within the ${Math.round(maxWaitMs)} ms budget; retry shortly`);
      throw error;
    } finally {
      clearTimeout(timer);
      link.dispose();
    }
  }

  /** Resolves once no plan is running or waiting (graceful shutdown), or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (this.slots.inFlight + this.slots.waiting > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.slots.inFlight === 0;
  }
}
