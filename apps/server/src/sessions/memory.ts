import { SessionLimitError, type SessionRecord, type SessionStore } from "./store.js";

/** Sessions in this process's memory, each expiring `ttlSeconds` after its last write; at most `maxSessions`. */
export class MemorySessionStore implements SessionStore {
  readonly kind = "memory" as const;
  private readonly sessions = new Map<string, { record: SessionRecord; expiresAt: number }>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly maxSessions = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  private sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.sessions) if (entry.expiresAt <= now) this.sessions.delete(id);
  }

  async create(record: SessionRecord): Promise<void> {
    if (this.sessions.size >= this.maxSessions) this.sweep();
    if (this.sessions.size >= this.maxSessions) throw new SessionLimitError(this.maxSessions);
    this.sessions.set(record.id, { record: structuredClone(record), expiresAt: this.now() + this.ttlSeconds * 1000 });
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const entry = this.sessions.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return structuredClone(entry.record);
  }

  async update(record: SessionRecord): Promise<boolean> {
    const current = await this.get(record.id);
    if (!current || current.version !== record.version - 1) return false;
    this.sessions.set(record.id, { record: structuredClone(record), expiresAt: this.now() + this.ttlSeconds * 1000 });
    return true;
  }

  async delete(id: string): Promise<boolean> {
    return this.sessions.delete(id);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.sessions.clear();
  }
}
