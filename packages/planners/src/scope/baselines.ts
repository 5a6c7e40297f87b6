import { createRng, type Rng, type Turn } from "@foresight/dialogue";
import { Mcts, type GenerativeModel } from "@foresight/mcts-core";
import { tokenLength } from "@foresight/rewards";
import { PlannerInputError, resolveSettings, type CandidateStats, type Conversation, type Decision, type PlanOptions, type Planner, type PlannerFactory, type PlanStopReason } from "../types.js";
import { chatCandidates, chatPartner, checkChatConversation, dialogueTurns, heldOutChatConversation, chatWorld, type ChatWorldSetting, rankCandidates } from "./chat.js";
import { clockModeError, PAPER_LATENCY_MS, PlanningClock, type PlanningClockMode } from "./latency.js";
import { CorpusCandidateGenerator, type SystemRole, type UserSimulator } from "@foresight/llm-sim";

/** Settings shared by SCOPE's baselines. */
export interface ChatBaselineSettings {
  /** Candidate replies proposed per turn when the caller gives none (m = 5). */
  candidates: number;
  /** Simulate with the judge's own chat world (`matched`) or one built on a disjoint half (`mismatched`). */
  world: ChatWorldSetting;
  /** Charge the paper's LLM latency per simulated call against the time budget (Table 2). */
  chargeLatency: boolean;
  /** `wall`: the time budget counts wall time plus charged latency; `charged`: only charged latency (load-independent). */
  clock: PlanningClockMode;
  /** 1-step greedy: simulated human replies per candidate (paper: 5). */
  samples: number;
  /** Charged per simulated human reply of 1-step greedy (ms). */
  greedyLatencyMs: number;
  /** Vanilla MCTS: depth, UCT weight on scaled rewards, discount, reward scale, charged latency per LLM call (ms). */
  depth: number;
  lambda: number;
  gamma: number;
  rewardScale: number;
  mctsCallLatencyMs: number;
}

/** The paper's settings (A.10, A.11). */
export const DEFAULT_CHAT_BASELINE_SETTINGS: ChatBaselineSettings = {
  candidates: 5,
  world: "matched",
  chargeLatency: false,
  clock: "wall",
  samples: 5,
  greedyLatencyMs: PAPER_LATENCY_MS.greedyRollout,
  depth: 6,
  lambda: 0.1,
  gamma: 0.9,
  rewardScale: 0.01,
  mctsCallLatencyMs: PAPER_LATENCY_MS.mctsCall,
};

function resolveBaselineSettings(name: string, base: ChatBaselineSettings, given: Partial<ChatBaselineSettings> | undefined): ChatBaselineSettings {
  const out = resolveSettings(base, given, name);
  if (out.world !== "matched" && out.world !== "mismatched") throw new PlannerInputError(`${name}: setting "world" must be "matched" or "mismatched", got ${JSON.stringify(out.world)}`, "settings.world");
  const clockError = clockModeError(name, out.clock);
  if (clockError) throw new PlannerInputError(clockError, "settings.clock");
  for (const key of ["candidates", "samples", "depth"] as const) {
    if (!Number.isInteger(out[key]) || out[key] < 1) throw new PlannerInputError(`${name}: setting "${key}" must be a positive integer, got ${out[key]}`, `settings.${key}`);
  }
  return out;
}

/** What one baseline decides for a turn, before it becomes a Decision. */
interface BaselineOutcome {
  best: number;
  values: Array<number | null>;
  visits: number[];
  simulations: number;
  llmCalls: number;
  stopReason: PlanStopReason;
  degraded?: string;
  counters?: Record<string, number>;
}

/**
 * Text roles a baseline can simulate with instead of the offline corpus roles (live mode: LLM roles). Their calls
 * are real LLM calls with real latency; with `chargeLatency` the paper's latency is charged for them as offline, so
 * on the charged clock a live search does as many rollouts as an offline one (and replays from a response cache).
 */
export interface ChatTextRoles {
  /** Proposes the agent's replies at simulated states. */
  system: SystemRole;
  /** Answers as the human at simulated states. */
  user: UserSimulator;
}

/** The act asked of an LLM system role for open-chat candidates: any reply that keeps the human talking. */
export const OPEN_CHAT_REPLY_ACT = { label: "reply", description: "Reply in whatever way best keeps the Human engaged in the conversation." };

type Decide = (input: {
  conversation: Conversation;
  candidates: string[];
  settings: ChatBaselineSettings;
  rng: Rng;
  clock: PlanningClock;
  options: PlanOptions<ChatBaselineSettings>;
  dataDir?: string;
  roles?: ChatTextRoles;
}) => BaselineOutcome | Promise<BaselineOutcome>;

/** A chat baseline: candidates like SCOPE's, then its own rule for choosing among them. */
class ChatBaselinePlanner implements Planner<ChatBaselineSettings> {
  private readonly settings: ChatBaselineSettings;

  constructor(
    readonly name: string,
    private readonly decide: Decide,
    settings: Partial<ChatBaselineSettings>,
    private readonly dataDir?: string,
    private readonly roles?: ChatTextRoles,
  ) {
    this.settings = resolveBaselineSettings(name, DEFAULT_CHAT_BASELINE_SETTINGS, settings);
  }

  /** Plans the agent's next turn. */
  async plan(conversation: Conversation, options: PlanOptions<ChatBaselineSettings> = {}): Promise<Decision> {
    checkChatConversation(conversation);
    const settings = resolveBaselineSettings(this.name, this.settings, options.settings);
    const clock = new PlanningClock(settings.clock);
    const seed = options.seed ?? 0;
    const rng = createRng(seed);
    const candidates = chatCandidates(conversation, options.candidates, settings.candidates, rng.fork("candidates"), this.dataDir);
    const outcome = await this.decide({ conversation, candidates, settings, rng: rng.fork(this.name), clock, options, ...(this.dataDir ? { dataDir: this.dataDir } : {}), ...(this.roles ? { roles: this.roles } : {}) });
    const stats: CandidateStats[] = candidates.map((text, i) => ({ text, value: outcome.values[i] ?? null, visits: outcome.visits[i] ?? 0, prior: 1 / candidates.length, details: { index: i } }));
    const ranked = rankCandidates(stats, outcome.best);
    const chosen = ranked[0] as CandidateStats;
    return {
      planner: this.name,
      reply: chosen.text as string,
      candidates: ranked,
      stats: {
        simulations: outcome.simulations,
        modelCalls: 0,
        llmCalls: outcome.llmCalls,
        tokens: 0,
        wallMs: clock.wallMs() + clock.chargedMs,
        stopReason: outcome.stopReason,
        counters: { chargedLatencyMs: Math.round(clock.chargedMs), ...(outcome.counters ?? {}) },
      },
      ...(outcome.degraded ? { degraded: { reason: outcome.degraded } } : {}),
      traceId: `${this.name}-${seed}-${Date.now().toString(36)}`,
    };
  }
}

/** Random: one of the candidates uniformly. */
const decideRandom: Decide = ({ candidates, rng }) => ({
  best: rng.int(candidates.length),
  values: candidates.map(() => null),
  visits: candidates.map(() => 0),
  simulations: 0,
  llmCalls: 0,
  stopReason: "converged",
});

/** 0-step greedy (A.11): the reward applied to the reply itself, i.e. the candidate with the most tokens. */
const decideGreedy0: Decide = ({ candidates }) => {
  const values = candidates.map((c) => tokenLength(c));
  let best = 0;
  values.forEach((v, i) => {
    if (v > (values[best] as number)) best = i;
  });
  return { best, values, visits: candidates.map(() => 0), simulations: 0, llmCalls: 0, stopReason: "converged" };
};

/** Whether a budget allows one more simulated call costing `costMs` (charged latency) and iteration. */
function budgetStop(options: PlanOptions<ChatBaselineSettings>, clock: PlanningClock, done: number, llmCalls: number, costMs: number): PlanStopReason | undefined {
  const budget = options.budget ?? {};
  if (budget.signal?.aborted) return "aborted";
  if (budget.iterations !== undefined && done >= budget.iterations) return "iterations";
  if (budget.llmCalls !== undefined && llmCalls >= budget.llmCalls) return "llmCalls";
  if (budget.timeMs !== undefined && clock.elapsed() + costMs > budget.timeMs) return "time";
  return undefined;
}

/**
 * 1-step greedy (A.11): for each candidate, `samples` simulated human replies (the corpus chat partner), scored by
 * their length in tokens; the best mean wins. Replies are drawn round-robin over the candidates until all are done
 * or the budget ends (with charged latency, a reply is only started if its latency fits). With no reply simulated
 * at all it falls back to a random candidate and says so.
 */
const decideGreedy1: Decide = ({ conversation, candidates, settings, rng, clock, options, dataDir }) => {
  const partner = chatPartner(rng.fork("partner"), { ...(dataDir ? { dataDir } : {}), setting: settings.world });
  const history = dialogueTurns(conversation);
  const sums = candidates.map(() => 0);
  const counts = candidates.map(() => 0);
  const cost = settings.chargeLatency ? settings.greedyLatencyMs : 0;
  let done = 0;
  let stopReason: PlanStopReason = "converged";
  for (let round = 0; round < settings.samples; round++) {
    for (let i = 0; i < candidates.length; i++) {
      const stop = budgetStop(options, clock, done, done, cost);
      if (stop) {
        stopReason = stop;
        round = settings.samples;
        break;
      }
      const reply = partner.pick([...history, { speaker: "system", text: candidates[i] as string }], rng);
      clock.charge(cost);
      sums[i] = (sums[i] as number) + tokenLength(reply.text);
      counts[i] = (counts[i] as number) + 1;
      done++;
    }
  }
  const values = candidates.map((_, i) => ((counts[i] as number) > 0 ? (sums[i] as number) / (counts[i] as number) : null));
  let best = -1;
  values.forEach((v, i) => {
    if (v !== null && (best < 0 || v > (values[best] as number))) best = i;
  });
  if (best < 0) return { best: rng.int(candidates.length), values, visits: counts, simulations: 0, llmCalls: 0, stopReason, degraded: "the budget allowed no simulated reply; chose at random" };
  return { best, values, visits: counts, simulations: done, llmCalls: done, stopReason };
};

/** A text-level search state: the dialogue so far and the exchanges simulated from the root. */
interface TextState {
  turns: Turn[];
  depth: number;
}

/**
 * Vanilla MCTS (A.11): MCTS over text, the system role proposing m replies at each new state and the user role
 * (the corpus chat partner) answering, to depth D; reward = the human reply's tokens (scaled), UCT with λ, γ,
 * progressive widening of the sampled replies, the best-Q candidate. Every role call is an LLM call (charged
 * when `chargeLatency`); a rollout is only started when a full one fits the time budget.
 */
const decideVanillaMcts: Decide = async ({ conversation, candidates, settings, rng, clock, options, dataDir, roles }) => {
  const setting = { ...(dataDir ? { dataDir } : {}), setting: settings.world };
  // Offline: the corpus roles of the chat world (answered at once); live: the given roles. Either way `chargeLatency`
  // charges the paper's latency per call.
  const partner = roles ? undefined : chatPartner(rng.fork("partner"), setting);
  const generator = roles ? undefined : new CorpusCandidateGenerator(chatWorld(setting), { rng: rng.fork("system") });
  const cost = settings.chargeLatency ? settings.mctsCallLatencyMs : 0;
  let llmCalls = 0;
  const actionCache = new WeakMap<TextState, string[] | Promise<string[]>>();
  const root: TextState = { turns: dialogueTurns(conversation), depth: 0 };
  const stepped = (state: TextState, turns: Turn[], reply: string) => {
    turns.push({ speaker: "user", text: reply });
    return { state: { turns, depth: state.depth + 1 }, reward: tokenLength(reply) * settings.rewardScale, terminal: state.depth + 1 >= settings.depth };
  };
  const model: GenerativeModel<TextState, string> = {
    actions(state) {
      if (state === root) return candidates;
      let cached = actionCache.get(state);
      if (!cached) {
        llmCalls++;
        clock.charge(cost);
        cached = roles ? roles.system.reply(state.turns, OPEN_CHAT_REPLY_ACT, settings.candidates).then((c) => c.map((p) => p.text)) : generator!.candidates(state.turns, settings.candidates).map((p) => p.text);
        actionCache.set(state, cached);
      }
      return cached;
    },
    step(state, action, stepRng) {
      llmCalls++;
      clock.charge(cost);
      const turns: Turn[] = [...state.turns, { speaker: "system", text: action }];
      if (roles) return roles.user.respond(turns).then((reply) => stepped(state, turns, reply.text));
      return stepped(state, turns, partner!.pick(turns, stepRng as unknown as Rng).text);
    },
  };
  const rolloutCost = 2 * settings.depth * cost;
  const before = budgetStop(options, clock, 0, 0, rolloutCost);
  if (before) {
    return { best: rng.int(candidates.length), values: candidates.map(() => null), visits: candidates.map(() => 0), simulations: 0, llmCalls: 0, stopReason: before, degraded: "the budget allowed no rollout; chose at random" };
  }
  const engine = new Mcts(model, root, {
    seed: rng.int(2 ** 31),
    selection: { kind: "uct", c: settings.lambda },
    discount: settings.gamma,
    loop: { kind: "closed", outcomes: { kind: "sampled", widening: { k: 1, alpha: 0.5 } } },
    rollout: { depth: Infinity },
    finalChoice: "bestQ",
  });
  let stopReason: PlanStopReason = "iterations";
  const search = (budget: Parameters<typeof engine.search>[0]) => (roles ? engine.searchAsync(budget) : engine.search(budget));
  const result = await search({
    ...(options.budget?.iterations !== undefined ? { iterations: options.budget.iterations } : {}),
    ...(options.budget?.signal ? { signal: options.budget.signal } : {}),
    custom: {
      name: "budget",
      exhausted: () => {
        const budget = options.budget ?? {};
        if (budget.llmCalls !== undefined && llmCalls + 2 * settings.depth > budget.llmCalls) return (stopReason = "llmCalls"), true;
        if (budget.timeMs !== undefined && clock.elapsed() + rolloutCost > budget.timeMs) return (stopReason = "time"), true;
        return false;
      },
    },
  });
  if (result.stopReason === "iterations" || result.stopReason === "aborted") stopReason = result.stopReason;
  const values = result.actions.map((a) => (Number.isNaN(a.q) ? null : a.q / settings.rewardScale));
  return { best: result.actionIndex, values, visits: result.actions.map((a) => a.visits), simulations: result.iterations, llmCalls, stopReason, counters: { nodes: result.nodeCount } };
};

/**
 * Vanilla MCTS over text with the given roles (live mode: the LLM as system and user role) instead of the chat
 * world's corpus roles; settings as `chat-vanilla-mcts` (with `chargeLatency`, the paper's latency is charged per call;
 * on the wall clock the roles' real latency counts as well).
 */
export function createChatVanillaMcts(roles: ChatTextRoles, settings: Partial<ChatBaselineSettings> = {}, dataDir?: string): Planner<ChatBaselineSettings> {
  return new ChatBaselinePlanner("chat-vanilla-mcts", decideVanillaMcts, settings, dataDir, roles);
}

function baselineFactory(name: string, summary: string, decide: Decide): PlannerFactory<ChatBaselineSettings> {
  return {
    name,
    summary,
    domain: "chat",
    async create(options = {}) {
      return new ChatBaselinePlanner(name, decide, options.settings ?? {}, options.dataDir);
    },
    heldOutConversation: (options) => heldOutChatConversation(options),
  };
}

/** SCOPE's baselines (A.11), behind the common planner interface. */
export const chatRandomFactory = baselineFactory("chat-random", "Random: one of the m candidate replies at random (SCOPE's baseline)", decideRandom);
export const chatGreedy0Factory = baselineFactory("chat-greedy-0", "0-step greedy: the candidate reply with the most tokens (SCOPE's baseline)", decideGreedy0);
export const chatGreedy1Factory = baselineFactory("chat-greedy-1", "1-step greedy: 5 simulated human replies per candidate, longest mean wins (SCOPE's baseline)", decideGreedy1);
export const chatVanillaMctsFactory = baselineFactory("chat-vanilla-mcts", "Vanilla MCTS over text with the system and user roles (SCOPE's baseline)", decideVanillaMcts);
