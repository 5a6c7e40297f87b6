import { createRng, type Turn } from "@foresight/dialogue";
import { sopUtteranceTurn, type ChatModel } from "@foresight/llm-sim";
import { Mcts, type SearchBudget, type StopReason } from "@foresight/mcts-core";
import { allowedNextActions } from "@foresight/sop-graph";
import { resolveSettings, type CandidateStats, type Conversation, type Decision, type PlanOptions, type PlanStopReason, type Planner } from "../types.js";
import { taskOf, toDialogueTurns, type SopDomain } from "./domain.js";
import { llmNextAction, sgmLlmCounters } from "./llm.js";
import { SGM_DEFAULTS, SgmModel, type SgmSettings } from "./model.js";

/** The paper's N = 3 roll-outs: the default iteration budget of SGM. */
export const SGM_DEFAULT_ROLLOUTS = 3;

/** Returns the domain of a task (cached by the caller). */
export type SopDomainProvider = (task: string) => SopDomain;

function stopReasonOf(reason: StopReason, custom: string | undefined): PlanStopReason {
  if (reason === "custom") return custom === "llmCalls" ? "llmCalls" : "tokens";
  return reason;
}

/** The reply for a chosen action: a real utterance of it from the planning world, chosen for the context. */
function replyFor(domain: SopDomain, turns: readonly Turn[], act: string, seed: number): string | undefined {
  return sopUtteranceTurn(domain.world, turns, act, createRng(seed))?.text ?? sopUtteranceTurn(domain.world, [], act, createRng(seed))?.text;
}

function describe(domain: SopDomain, act: string, allowed: readonly string[]): Record<string, unknown> {
  return { gloss: domain.graph.gloss(act), onSop: domain.graph.hasNode(act), allowedBySop: allowed.includes(act) };
}

/**
 * ChatSOP's SOP-guided MCTS (SGM) as a {@link Planner}: UCT with w = 1 over agent actions, expansion restricted to
 * the SOP's local subgraph two levels below the current node plus the proactive actions off the SOP (the distinct
 * ones of M = 3 draws per node), simulation following the action with the highest step reward, reward =
 * rationality + completion (0.7 success, 0.3 end), depth 8, N = 3 roll-outs by default; Q averages the mean of the future rewards along
 * each simulated path (RAP's aggregation); the child with the highest Q is chosen. With `chat`, the action
 * generator and the rationality judge are ChatSOP's prompts on that model (the user stays the planning world's);
 * `stats.counters` then counts requests and every parser fallback.
 */
export class SopGuidedPlanner implements Planner<SgmSettings> {
  readonly name = "sgm";

  /** A planner over per-task domains, with settings overriding the paper's, on an LLM when `chat` is given. */
  constructor(
    private readonly domainOf: SopDomainProvider,
    private readonly defaults: Partial<SgmSettings> = {},
    private readonly chat?: ChatModel,
  ) {}

  /** Plans the next agent action of `conversation` (its `context.task` names the SOPDAIL task). */
  async plan(conversation: Conversation, options: PlanOptions<SgmSettings> = {}): Promise<Decision> {
    const started = performance.now();
    const task = taskOf(conversation, this.name);
    const domain = this.domainOf(task);
    const settings = resolveSettings<SgmSettings>({ ...SGM_DEFAULTS, ...this.defaults }, options.settings, this.name);
    const seed = options.seed ?? 0;
    const turns = toDialogueTurns(conversation.turns);
    const nodes = domain.world.nodesOfTurns(turns);
    const counters = sgmLlmCounters();
    const model = new SgmModel(domain.world, domain.graph, settings, seed, this.chat ? { chat: this.chat, counters } : undefined);
    const root = model.root(nodes, turns);
    const engine = new Mcts<typeof root, string>(model, root, {
      seed,
      selection: { kind: "uct", c: settings.exploration },
      rollout: { depth: settings.depth, policy: "maxReward" },
      backup: settings.backup,
      returns: settings.returns,
      finalChoice: "bestQ",
    });
    const budget = options.budget ?? {};
    const calls = () => model.calls.prior + model.calls.judge + model.calls.user;
    const search: SearchBudget = {
      iterations: budget.iterations ?? (budget.timeMs === undefined && budget.llmCalls === undefined ? SGM_DEFAULT_ROLLOUTS : undefined),
      ...(budget.timeMs !== undefined ? { timeMs: budget.timeMs } : {}),
      ...(budget.signal ? { signal: budget.signal } : {}),
      ...(budget.llmCalls !== undefined ? { custom: { name: "llmCalls", exhausted: () => calls() >= budget.llmCalls! } } : {}),
    };
    if (search.iterations === undefined) delete search.iterations;
    const result = this.chat ? await engine.searchAsync(search) : engine.search(search);
    const allowed = model.allowed(nodes);
    const sopAllowed = allowedNextActions(domain.graph, nodes);
    const searched: CandidateStats[] = result.actions.map((a) => ({
      act: a.action,
      value: Number.isNaN(a.q) ? null : a.q,
      visits: a.visits,
      prior: a.prior,
      details: { ...describe(domain, a.action, sopAllowed), sampled: true },
    }));
    searched.sort((x, y) => (y.value ?? -Infinity) - (x.value ?? -Infinity) || y.visits - x.visits);
    const rest: CandidateStats[] = allowed
      .filter((a) => !searched.some((c) => c.act === a))
      .map((a) => ({ act: a, value: null, visits: 0, prior: 0, details: { ...describe(domain, a, sopAllowed), sampled: false } }));
    const act = result.action;
    const reply = replyFor(domain, turns, act, seed);
    return {
      planner: this.name,
      act,
      ...(reply !== undefined ? { reply } : {}),
      candidates: [...searched, ...rest],
      stats: {
        simulations: result.iterations,
        modelCalls: 0,
        llmCalls: calls(),
        tokens: counters.tokens,
        wallMs: performance.now() - started,
        stopReason: stopReasonOf(result.stopReason, search.custom?.name),
        roleCalls: { ...model.calls },
        ...(this.chat ? { counters: { ...counters } } : {}),
      },
      traceId: `sgm-${task}-${seed}-${nodes.length}`,
      ...(options.trace ? { trace: engine.trace(typeof options.trace === "object" ? options.trace : {}) } : {}),
    };
  }
}

/** Which baseline: CoT picks from every agent action, CoT+SOP only among those the SOP allows next. */
export type CotVariant = "cot" | "cot-sop";

/**
 * ChatSOP's baselines without search. Offline: CoT takes the action generator's most likely next action among all
 * the task's actions; CoT+SOP the most likely among the actions the SOP allows after the history (falling back to
 * CoT, counted as `noSopAction`, when the SOP allows none there). With an LLM (`chat`), the paper's prompt with the
 * task and user profiles offers every action, CoT+SOP adding the SOP's actions to prioritise; an answer naming no
 * offered action falls back to the offline choice (counted as `unparsed`, `degraded`), one named outside the
 * answer marker is counted as `parserFallback`.
 */
export class SopCotPlanner implements Planner {
  /** A baseline over per-task domains, on an LLM when `chat` is given. */
  constructor(
    readonly name: CotVariant,
    private readonly domainOf: SopDomainProvider,
    private readonly chat?: ChatModel,
  ) {}

  /** The baseline's action for the conversation's next agent turn. */
  async plan(conversation: Conversation, options: PlanOptions = {}): Promise<Decision> {
    const started = performance.now();
    const task = taskOf(conversation, this.name);
    const domain = this.domainOf(task);
    const turns = toDialogueTurns(conversation.turns);
    const nodes = domain.world.nodesOfTurns(turns);
    const prior = domain.world.agentDistribution(nodes);
    const sopAllowed = allowedNextActions(domain.graph, nodes).filter((a) => prior.has(a));
    const counters: Record<string, number> = {};
    let offered = [...prior.keys()];
    if (this.name === "cot-sop") {
      if (sopAllowed.length > 0) offered = sopAllowed;
      else counters.noSopAction = 1;
    }
    const total = offered.reduce((s, a) => s + prior.get(a)!, 0);
    const candidates: CandidateStats[] = offered
      .map((a) => ({ act: a, value: null, visits: 0, prior: prior.get(a)! / total, details: describe(domain, a, sopAllowed) }))
      .sort((x, y) => y.prior - x.prior);
    let act = candidates[0]!.act!;
    let tokens = 0;
    let degraded: Decision["degraded"] = counters.noSopAction ? { reason: "the SOP allows no action here; chose among all actions" } : undefined;
    if (this.chat) {
      const choice = await llmNextAction(this.chat, domain, turns, [...prior.keys()], this.name === "cot-sop" ? sopAllowed : [], options.seed ?? 0);
      tokens = choice.tokens;
      if (choice.fallback) counters.parserFallback = 1;
      if (choice.act !== undefined) act = choice.act;
      else {
        counters.unparsed = 1;
        degraded = { reason: `the LLM named none of the offered actions; took the corpus prior's (answer: ${JSON.stringify(choice.answer.slice(0, 80))})` };
      }
    }
    const reply = replyFor(domain, turns, act, options.seed ?? 0);
    return {
      planner: this.name,
      act,
      ...(reply !== undefined ? { reply } : {}),
      candidates,
      stats: { simulations: 0, modelCalls: 0, llmCalls: 1, tokens, wallMs: performance.now() - started, stopReason: "converged", roleCalls: { prior: 1 }, counters },
      ...(degraded ? { degraded } : {}),
      traceId: `${this.name}-${task}-${nodes.length}`,
    };
  }
}
