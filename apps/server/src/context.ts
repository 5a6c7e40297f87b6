import type { FastifyBaseLogger } from "fastify";
import type { ServerConfig } from "./config.js";
import type { PlanSlots } from "./limits.js";
import type { ServerMetrics } from "./metrics.js";
import type { PlannerPool } from "./planner-pool.js";
import type { DeadlineScheduler } from "./scheduler.js";
import type { LiveSessions } from "./sessions/live.js";
import type { SessionStore } from "./sessions/store.js";
import type { TraceStore } from "./traces.js";
import type { UpstreamFactory } from "./upstream.js";

/** Everything a route needs, built once per server. */
export interface ServerContext {
  config: ServerConfig;
  pool: PlannerPool;
  sessions: SessionStore;
  live: LiveSessions;
  traces: TraceStore;
  slots: PlanSlots;
  /** The process's CPU, shared by the searches of the plans in flight (earliest deadline first). */
  scheduler: DeadlineScheduler;
  metrics: ServerMetrics;
  upstream: UpstreamFactory;
  log: FastifyBaseLogger;
  /** Settles once the warm-up has run; `/readyz` answers ready only after it. */
  warm: { done: boolean };
  /** Aborted when the server shuts down: in-flight plans end with their best decision so far. */
  shutdown: AbortSignal;
}
