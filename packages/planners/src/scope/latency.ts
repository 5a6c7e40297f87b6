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

/** A planner's clock: monotonic wall time plus the latency charged for (simulated) LLM calls. */
export class PlanningClock {
  private readonly start = performance.now();
  private charged = 0;

  /** Adds `ms` of simulated latency. */
  charge(ms: number): void {
    this.charged += ms;
  }

  /** Milliseconds since the clock started, charged latency included. */
  elapsed(): number {
    return performance.now() - this.start + this.charged;
  }

  /** The simulated latency charged so far. */
  get chargedMs(): number {
    return this.charged;
  }
}
