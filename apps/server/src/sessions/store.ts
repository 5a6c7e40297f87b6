import type { ConversationTurn } from "@foresight/planners";

/** What a session store keeps: enough to rebuild the planner on any instance. */
export interface SessionRecord {
  id: string;
  planner: string;
  settings?: Record<string, unknown>;
  context?: Record<string, unknown>;
  turns: ConversationTurn[];
  createdAt: string;
  /** Incremented on every update; an update from a stale copy is refused. */
  version: number;
}

/** A session store shared by every server instance that points at it. */
export interface SessionStore {
  readonly kind: "memory" | "redis";
  create(record: SessionRecord): Promise<void>;
  get(id: string): Promise<SessionRecord | undefined>;
  /** Writes `record` (whose version is one above the stored one); false when another writer got there first. */
  update(record: SessionRecord): Promise<boolean>;
  delete(id: string): Promise<boolean>;
  /** True when the store answers (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** Too many sessions held (the memory bound); answered 503 with Retry-After. */
export class SessionLimitError extends Error {
  constructor(limit: number) {
    super(`session limit of ${limit} reached; delete sessions or retry after some expire`);
    this.name = "SessionLimitError";
  }
}
