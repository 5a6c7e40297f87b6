import { createHash } from "node:crypto";
import { createRng, RecentMap } from "@foresight/dialogue";
import { loadDefaultWorldModel } from "@foresight/semantic-models";
import { PlannerInputError, resolveSettings, type CandidateStats, type Conversation, type Decision, type PlanOptions, type Planner, type PlanScheduler, type PlannerFactory, type PlanStopReason } from "../types.js";
import { chatCandidates, checkChatConversation, conversationTexts, heldOutChatConversation, rankCandidates } from "./chat.js";
import { clockModeError, type PlanningClockMode } from "./latency.js";
import { DEFAULT_SEMANTIC_SEARCH, semanticSearch, type SearchPace, type SemanticSearchSettings, type SemanticSearchWorld } from "./semantic-search.js";

/** A semantic world a SCOPE planner can embed conversations in and search. */
export interface ScopePlanningWorld extends SemanticSearchWorld {
  /** s̃ = f(s) of the context [dim] and ã = f(s + a) − f(s) of each candidate [candidates, dim], embedded together. */
  stateAndActions(context: readonly string[], candidates: readonly string[]): Promise<{ state: Float32Array; actions: Float32Array }>;
  /** Frees sessions. */
  release?(): Promise<void>;
}

/** SCOPE's settings: the search's, plus the candidate count m and the clock. */
export interface ScopeSettings extends SemanticSearchSettings {
  /** Candidate replies proposed per turn when the caller gives none (paper: m = 5). */
  candidates: number;
  /**
   * `wall`: a time budget is wall time; `charged`: a time budget t buys ⌊t·R/1000⌋ simulations at the reference rate
   * R = SCOPE_REFERENCE_ROLLOUTS_PER_SECOND, whatever this machine's speed or load (the bench's clock).
   */
  clock: PlanningClockMode;
}

/** The paper's defaults (A.11): λ = 0.1, γ = 0.9, m = 5, depth 6; wall clock. */
export const DEFAULT_SCOPE_SETTINGS: ScopeSettings = { ...DEFAULT_SEMANTIC_SEARCH, candidates: 5, clock: "wall" };

/**
 * Depth-6 rollouts per second a time budget buys on the charged clock: the speed target (5,000/s on 2 CPU
 * cores). The bench reports the rate actually measured next to it.
 */
export const SCOPE_REFERENCE_ROLLOUTS_PER_SECOND = 5000;

/** Simulations a time budget buys on the charged clock. */
export function chargedSimulations(timeMs: number): number {
  return Math.floor((timeMs * SCOPE_REFERENCE_ROLLOUTS_PER_SECOND) / 1000);
}

/** The default budget when a call gives none: 1 s, the paper's smallest realistic one. */
export const DEFAULT_SCOPE_TIME_MS = 1000;

/** Validates partial settings against the defaults; throws a PlannerInputError naming the bad field. */
function scopeSettings(name: string, base: ScopeSettings, given: Partial<ScopeSettings> | undefined): ScopeSettings {
  const out = resolveSettings(base, given, name);
  if (!Number.isInteger(out.candidates) || out.candidates < 1) throw new PlannerInputError(`${name}: setting "candidates" must be a positive integer, got ${out.candidates}`, "settings.candidates");
  const clockError = clockModeError(name, out.clock);
  if (clockError) throw new PlannerInputError(clockError, "settings.clock");
  return out;
}

/** What a plan searches from: the candidates, s̃ of the conversation and the candidates' action vectors. */
interface SearchInputs {
  candidates: string[];
  root: Float32Array;
  actions: Float32Array;
}

/** Conversations whose search inputs a planner keeps (least recently used dropped first). */
const INPUTS_CACHE_SIZE = 128;

/**
 * SCOPE (ICLR 2025): candidates from the system role, projected to action vectors ã = f(s + a) − f(s), then
 * semantic MCTS in the learned world (Alg. 1) with zero LLM calls; the candidate with the best Q is said.
 */
export class ScopePlanner implements Planner<ScopeSettings> {
  private readonly settings: ScopeSettings;
  /**
   * Search inputs of recent plans by conversation, given candidates, m and seed: they are a deterministic function of
   * these (the offline generator draws with the seed's own stream), so a repeated request (a retry, a load test)
   * skips the candidate retrieval and the encoder. Read-only once stored.
   */
  private readonly inputs = new RecentMap<string, SearchInputs>(INPUTS_CACHE_SIZE);
  /** The pace of this planner's searches, which sizes a time-budgeted plan's first wave to its time left. */
  private readonly pace: SearchPace = { msPerSimulation: 0 };

  /** A SCOPE planner over a semantic world (the default learned models, or any other). */
  constructor(
    readonly name: string,
    private readonly world: ScopePlanningWorld,
    settings: Partial<ScopeSettings> = {},
    private readonly dataDir?: string,
  ) {
    this.settings = scopeSettings(name, DEFAULT_SCOPE_SETTINGS, settings);
  }

  /** Plans the agent's next turn. */
  async plan(conversation: Conversation, options: PlanOptions<ScopeSettings> = {}): Promise<Decision> {
    const started = performance.now();
    checkChatConversation(conversation);
    const settings = scopeSettings(this.name, this.settings, options.settings);
    const seed = options.seed ?? 0;
    const rng = createRng(seed);
    const { inputs, embedded } = await this.searchInputs(conversation, options.candidates, settings.candidates, seed, rng, options.scheduler);
    const { candidates, root, actions } = inputs;
    const budget = options.budget ?? {};
    const timeMs = budget.timeMs ?? (budget.iterations === undefined && budget.signal === undefined ? DEFAULT_SCOPE_TIME_MS : undefined);
    // On the charged clock the time budget becomes a simulation count (the smaller of it and any iteration budget).
    const charged = settings.clock === "charged" && timeMs !== undefined;
    const iterations = charged ? Math.min(chargedSimulations(timeMs), budget.iterations ?? Infinity) : budget.iterations;
    const result = await searchOrInputError(
      this.world,
      root,
      actions,
      settings,
      {
        ...(iterations !== undefined ? { iterations } : {}),
        ...(timeMs !== undefined && !charged ? { timeMs: Math.max(0, timeMs - (performance.now() - started)) } : {}),
        ...(budget.signal ? { signal: budget.signal } : {}),
        ...(options.scheduler ? { scheduler: options.scheduler } : {}),
        pace: this.pace,
      },
      rng.fork("search"),
    );
    const prior = 1 / candidates.length;
    const stats: CandidateStats[] = candidates.map((text, i) => ({
      text,
      value: result.actions[i]?.q ?? null,
      visits: result.actions[i]?.visits ?? 0,
      prior,
      details: { index: i },
    }));
    const ranked = rankCandidates(stats, result.best);
    const chosen = ranked[0] as CandidateStats;
    const wallMs = performance.now() - started;
    const stopReason: PlanStopReason = result.stopReason;
    return {
      planner: this.name,
      reply: chosen.text as string,
      candidates: ranked,
      stats: {
        simulations: result.simulations,
        // The encoder call for s̃ and the candidates' ã counts when it was made, not when the inputs were cached.
        modelCalls: result.modelCalls + (embedded ? 1 : 0),
        modelRows: result.modelRows + (embedded ? 1 + candidates.length : 0),
        llmCalls: 0,
        tokens: 0,
        wallMs,
        stopReason,
        counters: {
          searchMs: Math.round(result.wallMs),
          rolloutsPerSecond: result.wallMs > 0 ? Math.round((result.simulations / result.wallMs) * 1000) : 0,
          nodes: result.nodes,
          depth: settings.depth,
        },
      },
      traceId: `scope-${seed}-${Date.now().toString(36)}`,
      ...(options.trace ? { trace: result.trace((i) => candidates[i], typeof options.trace === "object" ? options.trace.maxNodes : undefined) } : {}),
    };
  }

  /** The search inputs, and whether the encoder was called for them (false: from the cache). */
  private async searchInputs(conversation: Conversation, given: string[] | undefined, m: number, seed: number, rng: ReturnType<typeof createRng>, scheduler: PlanScheduler | undefined): Promise<{ inputs: SearchInputs; embedded: boolean }> {
    const generated = !given || given.length === 0;
    const key = createHash("sha256")
      .update(JSON.stringify([conversation.turns.map((t) => [t.speaker, t.text]), generated ? [m, seed] : given]))
      .digest("base64");
    const cached = this.inputs.touch(key);
    if (cached) return { inputs: cached, embedded: false };
    // Retrieval and embedding are CPU work like a search wave: under a scheduler they wait their turn, so a new
    // request does not hold up plans closer to their deadline.
    const endTurn = scheduler ? await scheduler.turn() : () => {};
    let inputs: SearchInputs;
    try {
      const candidates = chatCandidates(conversation, given, m, rng.fork("candidates"), this.dataDir);
      const texts = conversationTexts(conversation);
      // One encoder batch: s̃ is the row the action vectors are measured from, not a second, separately batched embedding.
      const { state, actions } = await this.world.stateAndActions(texts, candidates);
      inputs = { candidates, root: state, actions };
    } finally {
      endTurn();
    }
    this.inputs.set(key, inputs);
    return { inputs, embedded: true };
  }

  /**
   * Forgets the cached search inputs, so the next plans embed theirs (and count that call): the bench calls it at the
   * start of an episode, whose costs must not depend on which episodes ran before it in the same process.
   */
  clearInputCache(): void {
    this.inputs.clear();
  }

  /** Frees the world's sessions. */
  async close(): Promise<void> {
    await this.world.release?.();
  }
}

/** Runs the search; a setting out of range (a RangeError of the search) becomes a PlannerInputError. */
async function searchOrInputError(...args: Parameters<typeof semanticSearch>): ReturnType<typeof semanticSearch> {
  try {
    return await semanticSearch(...args);
  } catch (error) {
    if (error instanceof RangeError) throw new PlannerInputError(`scope: ${error.message}`);
    throw error;
  }
}

/** Releases every part of a loaded default world model. */
function releasable(world: Awaited<ReturnType<typeof loadDefaultWorldModel>>): ScopePlanningWorld {
  return Object.assign(world, {
    release: async () => {
      const { encoder, action, transition, reward } = world.parts;
      await Promise.all([(encoder as { release?: () => Promise<void> }).release?.(), action.release(), transition.release(), reward.release()]);
    },
  });
}

function scopeFactory(name: string, heads: "ensemble" | "mdn", reward: "length" | "harm", summary: string): PlannerFactory<ScopeSettings> {
  return {
    name,
    summary,
    domain: "chat",
    async create(options = {}) {
      // One intra-op thread per ONNX session: the batches are small, and concurrent plans (the server) then share the cores instead of oversubscribing them.
      const world = await loadDefaultWorldModel({ heads, reward, intraOpThreads: 1, ...(options.modelsDir ? { modelsDir: options.modelsDir } : {}), log: () => {} });
      return new ScopePlanner(name, releasable(world), options.settings ?? {}, options.dataDir);
    },
    heldOutConversation: (options) => heldOutChatConversation(options),
  };
}

/** SCOPE with the deep-ensemble action and transition models (SCOPE-DE), length reward. */
export const scopeFactoryEnsemble = scopeFactory("scope", "ensemble", "length", "SCOPE: semantic-space MCTS over learned models, zero LLM calls during search (deep ensemble; human reply length)");
/** SCOPE with the MDN action and transition models (SCOPE-MDN), length reward. */
export const scopeFactoryMdn = scopeFactory("scope-mdn", "mdn", "length", "SCOPE with mixture-density action and transition models (human reply length)");
/** SCOPE planning for safety: step reward −F_H(s̃′) from the harmfulness head, next states from transition-mdn-safety (Eq. 13–15). */
export const scopeFactorySafety = scopeFactory("scope-safety", "mdn", "harm", "SCOPE for safety: negative harmfulness of the human's replies from the semantic harmfulness head (MDN trained with the harm auxiliary loss)");
