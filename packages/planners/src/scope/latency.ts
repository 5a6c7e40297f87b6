/**
 * Simulated LLM latency, the paper's Table 2 (A.10): one 1-step-greedy rollout (one simulated human reply) took
 * 2.46 s and one vanilla-MCTS rollout at depth 6 (6 system + 6 user calls) 16.6 s. Offline roles answer in
 * microseconds, so the bench charges these to reproduce the reward-vs-planning-time comparison honestly.
 */
export const PAPER_LATENCY_MS = {
  /** Per simulated human reply of 1-step greedy. */
  greedyRollout: 2460,
  /** Per LLM call of vanilla MCTS: 16.63 s per depth-6 rollout of 12 calls. */
  mctsCall: 16630 / 12,
} as const;

/**
 * How a planner measures its time budget: `wall` — monotonic wall time (plus charged latency); `charged` — only
 * what is charged (simulated LLM latency; for SCOPE, simulations at the reference rate), so a result does not depend
 * on the machine or its load.
 */
export type PlanningClockMode = "wall" | "charged";

/** Checks a `clock` setting; returns an error message naming the bad value, or undefined. */
export function clockModeError(name: string, value: unknown): string | undefined {
  return value === "wall" || value === "charged" ? undefined : `${name}: setting "clock" must be "wall" or "charged", got ${JSON.stringify(value)}`;
}

/** A planner's clock: monotonic wall time plus the latency charged for (simulated) LLM calls. */
export class PlanningClock {
  private readonly start = performance.now();
  private charged = 0;

  constructor(readonly mode: PlanningClockMode = "wall") {}

  /** Adds `ms` of simulated latency. */
  charge(ms: number): void {
    this.charged += ms;
  }

  /** The time the budget is measured in: wall time since the start plus charged latency, or only the charged latency. */
  elapsed(): number {
    return this.mode === "charged" ? this.charged : this.wallMs() + this.charged;
  }

  /** Wall milliseconds since the clock started (no charged latency). */
  wallMs(): number {
    return performance.now() - this.start;
  }

  /** The simulated latency charged so far. */
  get chargedMs(): number {
    return this.charged;
  }
}
