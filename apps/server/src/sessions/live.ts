import type { Planner } from "@foresight/planners";

/** A planner (with its search tree) this instance holds for a session, and how many turns it has seen. */
interface LiveSession {
  planner: Planner<Record<string, unknown>>;
  turnsSeen: number;
}

/**
 * The planners of recently used sessions, least recently used evicted beyond `capacity` (the memory bound). A
 * session whose planner is not here — evicted, or created on another instance — gets a fresh planner: the plan is
 * still correct, only the tree reuse of `observe` is lost.
 */
export class LiveSessions {
  private readonly live = new Map<string, LiveSession>();
  constructor(private readonly capacity: number) {}

  /** The live planner of a session if it has seen exactly `turnsSeen` turns (otherwise its tree is stale). */
  take(id: string, turnsSeen: number): Planner<Record<string, unknown>> | undefined {
    const entry = this.live.get(id);
    if (!entry) return undefined;
    this.live.delete(id);
    if (entry.turnsSeen !== turnsSeen) {
      void entry.planner.close?.();
      return undefined;
    }
    return entry.planner;
  }

  /** Keeps a session's planner after a turn; evicts the least recently used beyond capacity. */
  put(id: string, planner: Planner<Record<string, unknown>>, turnsSeen: number): void {
    this.live.delete(id);
    this.live.set(id, { planner, turnsSeen });
    while (this.live.size > this.capacity) {
      const [oldest, entry] = this.live.entries().next().value!;
      this.live.delete(oldest);
      void entry.planner.close?.();
    }
  }

  drop(id: string): void {
    const entry = this.live.get(id);
    this.live.delete(id);
    void entry?.planner.close?.();
  }

  get size(): number {
    return this.live.size;
  }

  async close(): Promise<void> {
    const entries = [...this.live.values()];
    this.live.clear();
    await Promise.allSettled(entries.map((e) => e.planner.close?.()));
  }
}
