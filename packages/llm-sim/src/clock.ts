import { abortError } from "./errors.js";

/** Time as the wrappers see it: injectable so tests neither wait nor depend on the wall clock. */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Resolves after `ms` milliseconds; rejects with an "aborted" ChatModelError when `signal` fires first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Sleeps `ms` with a real timer, cancelled by `signal`. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The real clock: `performance.now()` and timer-based sleep. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep,
};
