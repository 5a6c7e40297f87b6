import { Redis } from "ioredis";
import type { SessionRecord, SessionStore } from "./store.js";

const PREFIX = "foresight:session:";

// Compare-and-set in one round trip: write only when the stored version is the one the update started from.
const UPDATE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local stored = cjson.decode(current)
if tonumber(stored.version) ~= tonumber(ARGV[2]) - 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1`;

/** Sessions in Redis, so every server instance behind a load balancer sees the same sessions. */
export class RedisSessionStore implements SessionStore {
  readonly kind = "redis" as const;
  private readonly redis: Redis;

  constructor(url: string, private readonly ttlSeconds: number) {
    // Fail requests fast instead of queueing them while Redis is down; readiness reports it.
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 2000 });
    this.redis.on("error", () => undefined); // surfaced through ping() and failed commands, not as an unhandled event
  }

  async create(record: SessionRecord): Promise<void> {
    await this.redis.set(PREFIX + record.id, JSON.stringify(record), "EX", this.ttlSeconds);
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const raw = await this.redis.get(PREFIX + id);
    return raw === null ? undefined : (JSON.parse(raw) as SessionRecord);
  }

  async update(record: SessionRecord): Promise<boolean> {
    const ok = await this.redis.eval(UPDATE_SCRIPT, 1, PREFIX + record.id, JSON.stringify(record), String(record.version), String(this.ttlSeconds));
    return ok === 1;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.redis.del(PREFIX + id)) > 0;
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
