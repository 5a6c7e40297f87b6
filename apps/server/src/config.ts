import { z } from "zod";

/** The server's default {@link ServerConfig.plannerSettings}. */
export const SERVED_PLANNER_SETTINGS: Record<string, Record<string, unknown>> = { scope: { batch: 32 }, "scope-mdn": { batch: 32 }, "scope-safety": { batch: 32 } };

/** Every server setting, with its default. */
export const ServerConfigSchema = z
  .object({
    host: z.string().default("127.0.0.1"),
    port: z.number().int().min(0).max(65535).default(8787),
    /** Bearer token required on /v1/* when set. */
    authToken: z.string().min(8).optional(),
    /** Largest request body in bytes. */
    bodyLimit: z.number().int().min(1024).default(1_000_000),
    /** Requests per minute per API key (or client address without auth); 0 = no limit. */
    rateLimitPerMinute: z.number().int().min(0).default(600),
    /** Plans running at once; more wait in a queue of `maxQueuedPlans`, and beyond it get 429 with Retry-After. */
    maxRunningPlans: z.number().int().min(1).default(32),
    maxQueuedPlans: z.number().int().min(0).default(64),
    /** Default and largest planning budget in ms. */
    defaultBudgetMs: z.number().positive().default(1000),
    maxBudgetMs: z.number().positive().default(30_000),
    /** Time a plan may run past its budget before the server answers without it. */
    deadlineMarginMs: z.number().min(0).default(250),
    /** Planner the chat proxy uses when the `model` field names none. */
    defaultPlanner: z.string().default("scope"),
    /** Candidates the chat proxy asks the upstream model for. */
    proxyCandidates: z.number().int().min(1).max(16).default(5),
    /** Session store: in memory, or Redis at `redisUrl`. */
    sessionStore: z.enum(["memory", "redis"]).default("memory"),
    redisUrl: z.string().optional(),
    sessionTtlSeconds: z.number().int().min(1).default(1800),
    /** Sessions whose planner (and search tree) this instance keeps in memory; older ones are rebuilt on use. */
    maxLiveSessions: z.number().int().min(1).default(256),
    /** Traces kept for `/v1/traces/{id}` and the viewer. */
    traceCapacity: z.number().int().min(1).default(200),
    /**
     * Settings each planner is created with, by planner name (a request's `settings` override them). SCOPE runs 32
     * simulations per wave instead of the paper's 128 so that a wave of many concurrent plans fits a short budget.
     */
    plannerSettings: z.record(z.string(), z.record(z.string(), z.unknown())).default(SERVED_PLANNER_SETTINGS),
    /** Planners loaded and run once before `/readyz` answers ready (default: the proxy's default planner, if served). */
    warmPlanners: z.array(z.string()).optional(),
    /** Folders handed to planner factories. */
    dataDir: z.string().optional(),
    modelsDir: z.string().optional(),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .strict();
export type ServerConfig = z.infer<typeof ServerConfigSchema>;
export type ServerConfigInput = z.input<typeof ServerConfigSchema>;

function numberFromEnv(env: Record<string, string | undefined>, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
  return value;
}

/** Reads the FORESIGHT_SERVER_* variables (and FORESIGHT_REDIS_URL) into a config input; flags override them. */
export function configFromEnv(env: Record<string, string | undefined> = process.env): ServerConfigInput {
  const input: ServerConfigInput = {};
  const set = <K extends keyof ServerConfigInput>(key: K, value: ServerConfigInput[K] | undefined) => {
    if (value !== undefined) input[key] = value;
  };
  set("host", env.FORESIGHT_SERVER_HOST || undefined);
  set("port", numberFromEnv(env, "FORESIGHT_SERVER_PORT"));
  set("authToken", env.FORESIGHT_SERVER_TOKEN || undefined);
  set("maxRunningPlans", numberFromEnv(env, "FORESIGHT_SERVER_MAX_PLANS"));
  set("maxQueuedPlans", numberFromEnv(env, "FORESIGHT_SERVER_MAX_QUEUED"));
  set("rateLimitPerMinute", numberFromEnv(env, "FORESIGHT_SERVER_RATE_LIMIT"));
  set("defaultPlanner", env.FORESIGHT_SERVER_PLANNER || undefined);
  if (env.FORESIGHT_REDIS_URL) {
    set("sessionStore", "redis");
    set("redisUrl", env.FORESIGHT_REDIS_URL);
  }
  return input;
}

/** Validates a config, naming the failing setting. */
export function parseServerConfig(input: ServerConfigInput): ServerConfig {
  const parsed = ServerConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`server setting ${issue.path.join(".") || "(config)"}: ${issue.message}`);
  }
  if (parsed.data.sessionStore === "redis" && !parsed.data.redisUrl) throw new Error("server setting redisUrl: required when sessionStore is redis (set FORESIGHT_REDIS_URL)");
  return parsed.data;
}
