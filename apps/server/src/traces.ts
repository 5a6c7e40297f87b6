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

/** The last `capacity` traces, oldest evicted first (a Map keeps insertion order). */
export class TraceStore {
  private readonly traces = new Map<string, StoredTrace>();
  constructor(private readonly capacity: number) {}

  /** Keeps the trace of a decision. */
  put(conversation: Conversation, decision: Decision): void {
    const { trace, ...rest } = decision;
    this.traces.delete(decision.traceId);
    this.traces.set(decision.traceId, {
      id: decision.traceId,
      createdAt: new Date().toISOString(),
      planner: decision.planner,
      conversation,
      decision: rest,
      tree: trace ?? null,
    });
    while (this.traces.size > this.capacity) this.traces.delete(this.traces.keys().next().value!);
  }

  get(id: string): StoredTrace | undefined {
    return this.traces.get(id);
  }

  get size(): number {
    return this.traces.size;
  }
}
