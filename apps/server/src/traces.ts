import { RecentMap } from "@foresight/dialogue";
import type { Conversation, Decision } from "@foresight/planners";

/** What `/v1/traces/{id}` returns: the decision, its conversation and the search tree when the planner gave one. */
export interface StoredTrace {
  id: string;
  createdAt: string;
  planner: string;
  conversation: Conversation;
  decision: Omit<Decision, "trace">;
  tree: unknown;
}

/** The last `capacity` traces, oldest evicted first. */
export class TraceStore {
  private readonly traces: RecentMap<string, StoredTrace>;
  constructor(capacity: number) {
    this.traces = new RecentMap(capacity);
  }

  /**
   * Keeps the trace of a decision and returns its id: the planner's trace id, made unique when another kept trace
   * has it (planners derive ids from the seed and the clock, so concurrent plans with one seed can share one).
   */
  put(conversation: Conversation, decision: Decision): string {
    const { trace, ...rest } = decision;
    let id = decision.traceId;
    for (let n = 2; this.traces.has(id); n++) id = `${decision.traceId}-${n}`;
    this.traces.set(id, {
      id,
      createdAt: new Date().toISOString(),
      planner: decision.planner,
      conversation,
      decision: { ...rest, traceId: id },
      tree: trace ?? null,
    });
    return id;
  }

  get(id: string): StoredTrace | undefined {
    return this.traces.get(id);
  }

  get size(): number {
    return this.traces.size;
  }
}
