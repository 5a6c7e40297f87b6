import { chatModelFromEnv, type ChatModel } from "@foresight/llm-sim";

/**
 * The one planner interface shared by every system in this package, the CLI, the server and the bench
 * (see DESIGN.md, "Planners, worlds and judges"). A planner is `plan(conversation, options) → Decision`; it may keep
 * a search tree across turns and advance it with `observe(turns)`.
 */

/** Who speaks a turn: the agent we plan for, or the other side (the human / user / persuadee). */
export type Speaker = "agent" | "user";

/** One turn of the conversation the planner sees. `act` is a dialogue act / SOP action when the domain has one. */
export interface ConversationTurn {
  speaker: Speaker;
  text: string;
  act?: string;
}

/** The conversation so far, plus whatever the domain needs (a MultiWOZ goal, an SOP task id …). */
export interface Conversation {
  turns: ConversationTurn[];
  /** Domain context, e.g. `{ task: "…" }` for ChatSOP or `{ goalId: "…" }` for SMCTS-TOD. Validated by the planner. */
  context?: Record<string, unknown>;
}

/** Budgets: the search stops at whichever ends first. At least one must be given (planners apply their defaults). */
export interface PlanBudget {
  /** Simulations / rollouts. */
  iterations?: number;
  /** Wall-clock milliseconds, on a monotonic clock. */
  timeMs?: number;
  /** LLM (or simulated-LLM) role calls. */
  llmCalls?: number;
  /** Tokens (prompt + completion) charged by the roles. */
  tokens?: number;
  /** Aborting ends the search with the best decision so far. */
  signal?: AbortSignal;
}

/** Which budget ended a search ("converged" when a planner with no search, e.g. a baseline, finished on its own). */
export type PlanStopReason = "iterations" | "time" | "llmCalls" | "tokens" | "aborted" | "converged";

/** Options of one `plan` call; `settings` carries the planner's own knobs (papers' defaults when absent). */
export interface PlanOptions<Settings = Record<string, unknown>> {
  budget?: PlanBudget;
  /** Seed of every random choice of this call; the same seed gives the same decision. */
  seed?: number;
  settings?: Partial<Settings>;
  /** Candidate replies supplied by the caller (e.g. from an upstream LLM); planners generate their own otherwise. */
  candidates?: string[];
  /**
   * Return the search tree in `Decision.trace` (mcts-core's `SearchTrace`, from `Mcts.trace()`), for the server's
   * viewer. Off by default: a trace costs time and memory.
   */
  trace?: boolean | { maxNodes?: number };
  /**
   * Shares the CPU with the caller's other plans in flight: a planner that supports it (SCOPE) awaits `turn()`
   * before each batch of search work and calls what it returns once the batch is done; the caller chooses the order
   * (the server: earliest deadline first). Planners without batched search ignore it. It never changes a decision.
   */
  scheduler?: PlanScheduler;
}

/** Turns on a shared CPU for one plan (see {@link PlanOptions.scheduler}). */
export interface PlanScheduler {
  /** Resolves when this plan may run its next batch of work, with the function that ends the turn (idempotent). */
  turn(): Promise<() => void>;
}

/** One option the planner considered: a reply and/or an act with its search statistics. */
export interface CandidateStats {
  /** The reply text, when the candidate is (or has) a concrete reply. */
  text?: string;
  /** The act / SOP action, when the planner searches over acts. */
  act?: string;
  /** Mean return Q (NaN → null when never visited). */
  value: number | null;
  visits: number;
  /** Normalised prior P. */
  prior: number;
  /** Anything planner-specific (V̄ of realizations, gloss of an SOP node …). */
  details?: Record<string, unknown>;
}

/** What a `plan` call cost and why it ended. */
export interface PlanStatistics {
  simulations: number;
  /** Calls of learned models (ONNX batches count their rows in `modelRows`). */
  modelCalls: number;
  modelRows?: number;
  /** LLM role calls (offline roles count what they would have been). */
  llmCalls: number;
  tokens: number;
  wallMs: number;
  stopReason: PlanStopReason;
  /** Role calls by role name, e.g. `{ prior: 1, value: 40, system: 20, user: 20 }`. */
  roleCalls?: Record<string, number>;
  /** Parser fallbacks and other counted events, by name. */
  counters?: Record<string, number>;
}

/** A planner's answer for one turn. */
export interface Decision {
  planner: string;
  /** The reply to say (absent for act-only planners with no reply generation). */
  reply?: string;
  /** The chosen act / SOP action, where the planner searches over acts. */
  act?: string;
  /** Every candidate considered, best first. */
  candidates: CandidateStats[];
  stats: PlanStatistics;
  /** Set when a fallback was used (upstream failure, parser fallback …), with the reason. */
  degraded?: { reason: string };
  /** Identifies the search tree of this decision (for traces and the viewer). */
  traceId: string;
  /** The search tree in mcts-core's trace format, when the caller asked for it (`settings.trace`). */
  trace?: unknown;
}

/** A planner: stateless between calls unless it keeps a tree that `observe` advances. */
export interface Planner<Settings = Record<string, unknown>> {
  /** Registry name, e.g. "scope", "gdpzero", "smcts-tod", "sgm", "greedy-0". */
  readonly name: string;
  plan(conversation: Conversation, options?: PlanOptions<Settings>): Promise<Decision>;
  /** Advances any kept state with the turns that were actually said after the last decision. */
  observe?(turns: ConversationTurn[]): void;
  /** Frees anything the planner holds (sessions, ONNX sessions). */
  close?(): Promise<void>;
}

/** Options of {@link PlannerFactory.create}. */
export interface PlannerCreateOptions<Settings = Record<string, unknown>> {
  settings?: Partial<Settings>;
  dataDir?: string;
  modelsDir?: string;
  /**
   * The chat model a planner with LLM roles asks (the bench's live or replaying model, a test's scripted endpoint);
   * `null`: none, the planner plays its offline roles; absent: the endpoint configured by `FORESIGHT_LLM_BASE_URL`
   * and `FORESIGHT_LLM_MODEL`, if any. Planners without LLM roles ignore it. See {@link factoryChatModel}.
   */
  llm?: ChatModel | null;
}

/** The chat model a factory's planner uses for its `llm` option: the one given, none for `null`, else the environment's. */
export function factoryChatModel(llm: ChatModel | null | undefined): ChatModel | undefined {
  return llm === undefined ? chatModelFromEnv() : (llm ?? undefined);
}

/** Builds a planner from its settings; registered by name in the planner registry. */
export interface PlannerFactory<Settings = Record<string, unknown>> {
  name: string;
  /** One line for `--help` and the server's planner list. */
  summary: string;
  /** The domain the planner plans in (chat, persuasion, tod, sop). */
  domain: string;
  create(options?: PlannerCreateOptions<Settings>): Promise<Planner<Settings>>;
  /**
   * A conversation from the held-out side of the planner's corpus, cut before an agent turn, chosen by `seed`
   * (`foresight plan <name>` and the server's examples use it). `context` narrows the choice (e.g. `{ task }`).
   */
  heldOutConversation?(options: { seed: number; dataDir?: string; context?: Record<string, string> }): Promise<Conversation>;
}

/**
 * Thrown by a planner for input the caller got wrong (an unknown setting, a value out of range, a conversation the
 * planner cannot plan for, a missing context field). The CLI prints it as one line; the server answers 400 with it.
 */
export class PlannerInputError extends Error {
  constructor(
    message: string,
    /** The offending field, e.g. "settings.depth" or "conversation.context.task". */
    readonly field?: string,
  ) {
    super(message);
    this.name = "PlannerInputError";
  }
}

/** Checks settings against the planner's defaults: unknown keys and values of the wrong type are a PlannerInputError. */
export function resolveSettings<S extends object>(defaults: S, given: Partial<S> | undefined, planner: string): S {
  const out = { ...defaults };
  for (const [key, value] of Object.entries(given ?? {})) {
    if (!(key in defaults)) throw new PlannerInputError(`${planner}: unknown setting "${key}" (known: ${Object.keys(defaults).join(", ")})`, `settings.${key}`);
    const expected = typeof (defaults as Record<string, unknown>)[key];
    if (value !== undefined && expected !== "undefined" && typeof value !== expected) {
      throw new PlannerInputError(`${planner}: setting "${key}" must be a ${expected}, got ${JSON.stringify(value)}`, `settings.${key}`);
    }
    if (typeof value === "number" && !Number.isFinite(value)) throw new PlannerInputError(`${planner}: setting "${key}" must be finite`, `settings.${key}`);
    (out as Record<string, unknown>)[key] = value;
  }
  return out;
}
