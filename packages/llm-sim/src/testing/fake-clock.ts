import type { Clock } from "../clock.js";
import { abortError } from "../errors.js";

/** A {@link Clock} whose sleeps return at once and advance virtual time; it records every sleep. */
export class FakeClock implements Clock {
  /** Every requested sleep in milliseconds, in order. */
  readonly sleeps: number[] = [];
  private time = 0;

  /** Virtual milliseconds elapsed. */
  now(): number {
    return this.time;
  }

  /** Records the sleep, advances virtual time and resolves immediately (rejects if `signal` already aborted). */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortError(signal);
    this.sleeps.push(ms);
    this.time += ms;
  }

  /** Moves virtual time forward (e.g. to give calls a latency). */
  advance(ms: number): void {
    this.time += ms;
  }
}
