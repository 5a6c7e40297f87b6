import { createRng, type Turn } from "@foresight/dialogue";
import {
  CorpusPersuadee,
  CorpusPersuader,
  CorpusPersuaderPrior,
  CorpusReactionValue,
  LlmLogprobPrior,
  LlmReactionValue,
  LlmSamplingPrior,
  LlmSystemRole,
  LlmUserSimulator,
  buildChatModel,
  persuasionPack,
  type ChatModel,
  type PersuasionCorpusWorld,
  type PriorPolicy,
  type PriorResult,
  type ReactionModelKind,
  type SystemCandidate,
  type SystemRole,
  type UsageLedger,
  type UserReply,
  type UserSimulator,
  type ValueEstimate,
  type ValueFunction,
} from "@foresight/llm-sim";

/** GDP-Zero's four roles: prior policy, value, system (persuader) and user simulator (persuadee). */
export interface GdpZeroRoles {
  prior: PriorPolicy;
  value: ValueFunction;
  system: SystemRole;
  user: UserSimulator;
  /** "offline" (the corpus world, no LLM) or "llm" (an OpenAI-compatible endpoint). */
  backend: "offline" | "llm";
}

/** The role names counted in a decision's `roleCalls`. */
export type RoleName = "prior" | "value" | "system" | "user";

/**
 * Counts every role call and, when `latencyMs` > 0, delays each by that much (a simulated endpoint latency, so that
 * the effect of running independent simulations' calls in flight together can be measured offline).
 */
export class RoleMeter {
  readonly calls: Record<RoleName, number> = { prior: 0, value: 0, system: 0, user: 0 };
  /** Counted events: parse fallbacks, replies taken from another act's pool … */
  readonly counters: Record<string, number> = {};
  /** The most role calls that were in flight at once. */
  peakInFlight = 0;
  private inFlight = 0;

  /** A meter with a simulated per-call latency in milliseconds (0: none). */
  constructor(readonly latencyMs = 0) {
    if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) throw new RangeError(`latencyMs must be a finite number ≥ 0, got ${latencyMs}`);
  }

  /** Role calls so far. */
  total(): number {
    return this.calls.prior + this.calls.value + this.calls.system + this.calls.user;
  }

  /** Adds to a named counter. */
  count(name: string, by = 1): void {
    if (by !== 0) this.counters[name] = (this.counters[name] ?? 0) + by;
  }

  /** Runs one role call: counted, then delayed by the simulated latency, then made. */
  async call<T>(role: RoleName, make: () => Promise<T>): Promise<T> {
    this.calls[role]++;
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      return await make();
    } finally {
      this.inFlight--;
    }
  }
}

/** The roles with every call going through a meter (counted, delayed, fallbacks counted). */
export function meteredRoles(roles: GdpZeroRoles, meter: RoleMeter): GdpZeroRoles {
  return {
    backend: roles.backend,
    prior: {
      prior: (history, options) =>
        meter.call("prior", async () => {
          const result: PriorResult = await roles.prior.prior(history, options);
          if (result.fallback) meter.count("priorFallback");
          meter.count("priorUnparsed", result.unparsed);
          return result;
        }),
    },
    value: {
      evaluate: (history, options) =>
        meter.call("value", async () => {
          const estimate: ValueEstimate = await roles.value.evaluate(history, options);
          if (estimate.fallback) meter.count("valueFallback");
          meter.count("valueUnparsed", estimate.unparsed);
          return estimate;
        }),
    },
    system: {
      reply: (history, act, m, options) =>
        meter.call("system", async () => {
          const candidates: SystemCandidate[] = await roles.system.reply(history, act, m, options);
          meter.count("systemFallback", candidates.filter((candidate) => candidate.fallback).length);
          return candidates;
        }),
    },
    user: {
      respond: (history, options) =>
        meter.call("user", async () => {
          const reply: UserReply = await roles.user.respond(history, options);
          if (reply.fallback) meter.count("userReactionFallback");
          return reply;
        }),
    },
  };
}

/** Options of {@link offlineRoles}. */
export interface OfflineRoleOptions {
  seed: number;
  /** Reactions sampled per value estimate (default 10, GDP-Zero's l; 0: the exact expected reaction value). */
  valueSamples?: number;
  /** Called when the corpus persuadee takes a reply from another act's pool. */
  onFallback?: (reason: string) => void;
  /** The simulated persuadee's reaction model (default the world's, "words"). */
  persuadee?: ReactionModelKind;
}

/**
 * GDP-Zero's roles played by a PersuasionForGood corpus world without any LLM: the persuader act n-gram prior, the
 * sampled-reaction value (the memory model answering the donation question), real persuader utterances for the act
 * and the fitted persuadee (by default the words model: acts, its own history and the persuader's words).
 */
export function offlineRoles(world: PersuasionCorpusWorld, options: OfflineRoleOptions): GdpZeroRoles {
  const rng = createRng(`gdpzero-offline-${options.seed}`);
  return {
    backend: "offline",
    prior: new CorpusPersuaderPrior(world),
    value: new CorpusReactionValue(world, { rng: rng.fork("value"), samples: options.valueSamples ?? 10 }),
    system: new CorpusPersuader(world, { rng: rng.fork("system") }),
    user: new CorpusPersuadee(world, {
      rng: rng.fork("user"),
      ...(options.onFallback ? { onFallback: options.onFallback } : {}),
      ...(options.persuadee ? { reactionModel: options.persuadee } : {}),
    }),
  };
}

/** Options of {@link llmRoles}. */
export interface LlmRoleSetOptions {
  seed: number;
  /** Books calls, tokens and parse outcomes. */
  ledger: UsageLedger;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Prior from one logprobs request (default true; falls back to 15 samples when the endpoint gives none). */
  priorLogprobs?: boolean;
  /** Prior samples m (default 15) and value samples l (default 10). */
  priorSamples?: number;
  valueSamples?: number;
}

/** GDP-Zero's roles over an OpenAI-compatible chat model with the persuasion prompt pack. */
export function llmRoles(base: ChatModel, options: LlmRoleSetOptions): GdpZeroRoles {
  const model = buildChatModel(base, { ledger: options.ledger, concurrency: options.concurrency ?? 8, retry: { maxRetries: 2 } });
  const rng = createRng(`gdpzero-llm-${options.seed}`);
  const common = { model, pack: persuasionPack, ledger: options.ledger, seedRequests: true };
  const sampling = new LlmSamplingPrior({ ...common, rng: rng.fork("prior"), samples: options.priorSamples ?? 15 });
  return {
    backend: "llm",
    prior: options.priorLogprobs === false ? sampling : new LlmLogprobPrior({ ...common, rng: rng.fork("prior-logprobs"), equivalentSamples: options.priorSamples ?? 15, fallback: sampling }),
    value: new LlmReactionValue({ ...common, rng: rng.fork("value"), samples: options.valueSamples ?? 10 }),
    system: new LlmSystemRole({ ...common, rng: rng.fork("system") }),
    user: new LlmUserSimulator({ ...common, rng: rng.fork("user") }),
  };
}

/** A persuader turn as the planner records it: the words, with the act kept in `state` (never shown to prompts that hide acts). */
export function persuaderTurn(text: string, act: string): Turn {
  return { speaker: "system", text, acts: [{ intent: act }], state: { gdpZeroAct: act } };
}

/** A persuadee turn as the planner records it: the words, with the reaction (when known) in `state`. */
export function persuadeeTurn(text: string, reaction: string | undefined): Turn {
  return reaction === undefined ? { speaker: "user", text } : { speaker: "user", text, state: { reaction } };
}
