import { SOPDAIL_SINK, createRng, hashString, type Rng, type Turn } from "@foresight/dialogue";
import { OfflineSopRationalityJudge, SOP_USER_END, sampleFromTable, sampleIndex, sopNodeTurn, type ChatModel, type SopCorpusWorld } from "@foresight/llm-sim";
import type { GenerativeModel, StepResult } from "@foresight/mcts-core";
import { allowedNextActions, expansionActions, locate, proactiveActions, type SopGraph } from "@foresight/sop-graph";
import { llmExpansion, llmRationalityVotes, type SgmLlmCounters } from "./llm.js";

/** ChatSOP's task-completion reward: 0.7 when success is earned, 0.3 when the dialogue ends. */
export const SGM_SUCCESS_REWARD = 0.7;
export const SGM_TERMINAL_REWARD = 0.3;

/** SGM's settings with the paper's defaults. */
export interface SgmSettings {
  /** Actions sampled per expansion, M (default 3). */
  actions: number;
  /** Depth limit L in agent actions from the current turn (default 8). */
  depth: number;
  /** UCT exploration weight w (default 1). */
  exploration: number;
  /** 0/1 votes of the rationality judge per action (default 3). */
  judgeSamples: number;
  /** Weight of rationality against completion, λ (default 1). */
  rationalityWeight: number;
  /**
   * What a simulation backs up at each step of its path (mcts-core's `returns`): "mean" (default) the mean of the
   * rewards from that step to the end, as RAP does with per-step rewards in [0, 1] (Algorithm 1: "Update Q(d_t', a_t')
   * with {r_t', …, r_t}"; Q "estimates the expected future reward"), or "sum" their sum.
   */
  returns: "mean" | "sum";
  /** mcts-core's backup: "mean" (default; Q averages the backed-up returns) or "max" (V(node) = its best child's Q; sum returns only). */
  backup: "mean" | "max";
}

/** The paper's settings: M = 3 actions, depth 8, w = 1, λ = 1; three judge votes; mean of future rewards. Roll-outs N = 3 is the iteration budget. */
export const SGM_DEFAULTS: SgmSettings = Object.freeze({
  actions: 3,
  depth: 8,
  exploration: 1,
  judgeSamples: 3,
  rationalityWeight: 1,
  returns: "mean" as const,
  backup: "mean" as const,
});

/** A simulated dialogue state d: the node history (Agent.Start first) and what it has earned. */
export interface SgmState {
  nodes: readonly string[];
  /**
   * The dialogue's turns (LLM roles only: they read text): the real history, then each simulated node voiced by a
   * real utterance of it from the planning world.
   */
  turns?: readonly Turn[];
  /** Agent actions taken since the real history ended. */
  depth: number;
  success: boolean;
  ended: boolean;
}

/** Role calls the model made (what an LLM implementation would have sent), by role. */
export interface SgmCalls {
  prior: number;
  judge: number;
  user: number;
}

/** SGM's roles on an LLM: the action generator and the rationality judge ask `chat`; what they read is counted. */
export interface SgmLlm {
  chat: ChatModel;
  counters: SgmLlmCounters;
}

type MaybePromise<T> = T | Promise<T>;

function then<T, U>(value: MaybePromise<T>, f: (value: T) => U): MaybePromise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}

/**
 * SGM's world model over SOP nodes for mcts-core: actions are the distinct ones of M draws of the action generator
 * (the planning world's corpus prior) from the SOP's local subgraph two levels below the current node plus the
 * proactive actions off the SOP; a step takes the action, lets the planning world's user answer, and rewards rationality (the
 * judge's mean vote) plus completion. The simulation follows the highest step reward (mcts-core's "maxReward"
 * rollout), which steps each offered action. Every random choice is a hash of (seed, history), so the same path always
 * gives the same child, as the paper's tree stores c(d, a), and a repeated step costs no new calls. With `llm`, the
 * action generator and the judge are ChatSOP's prompts on that model (answers are promises: search with
 * `searchAsync`); the user stays the planning world's.
 */
export class SgmModel implements GenerativeModel<SgmState, string> {
  readonly calls: SgmCalls = { prior: 0, judge: 0, user: 0 };
  readonly judge: OfflineSopRationalityJudge;
  private readonly proactive: string[];
  private readonly steps = new Map<string, MaybePromise<StepResult<SgmState>>>();
  private readonly expansions = new Map<string, MaybePromise<readonly string[]>>();

  /** A model over the planning world and the SOP the agent follows. */
  constructor(
    readonly world: SopCorpusWorld,
    readonly graph: SopGraph,
    readonly settings: SgmSettings,
    readonly seed: number,
    readonly llm?: SgmLlm,
  ) {
    this.judge = new OfflineSopRationalityJudge(world, {
      allowedNext: (history) => allowedNextActions(graph, history),
      samples: settings.judgeSamples,
      seed,
    });
    this.proactive = proactiveActions(graph, world.agentNodes);
  }

  /** A root state for a real history of nodes (and its turns, which the LLM roles read). */
  root(nodes: readonly string[], turns?: readonly Turn[]): SgmState {
    return { nodes, ...(this.llm ? { turns: turns ?? [] } : {}), depth: 0, success: this.world.pathEarnsSuccess(nodes), ended: false };
  }

  /** SGM's expansion set at a history: the two-level SOP subgraph's actions, then the proactive ones. */
  allowed(nodes: readonly string[]): string[] {
    return expansionActions(this.graph, locate(this.graph, nodes).node, this.proactive).filter((a) => this.world.agentNodes.includes(a));
  }

  private rng(nodes: readonly string[], what: string): Rng {
    return createRng(hashString(`${this.seed}\u0000${what}\u0000${nodes.join("\u0001")}`));
  }

  /**
   * A(d): M draws from the action generator a_φ over the expansion set, the distinct ones (Algorithm 1, line 14:
   * a^(i) ~ a_φ(p | d) for i = 1..M, so A(d) holds fewer than M when the generator is sure, as the LLM's samples
   * do). Offline a_φ is the planning world's corpus prior restricted to the set; with an LLM, its samples.
   */
  actions(state: SgmState): MaybePromise<readonly string[]> {
    if (state.ended) return [];
    const key = state.nodes.join("\u0001");
    const cached = this.expansions.get(key);
    if (cached) return cached;
    this.calls.prior++;
    const pool = this.allowed(state.nodes);
    const prior = this.world.agentDistribution(state.nodes);
    if (this.llm) {
      const asked = llmExpansion(this.llm.chat, this.domain(), state.turns ?? [], pool, this.settings.actions, prior, this.requestSeed(state.nodes), this.llm.counters);
      this.expansions.set(key, asked);
      return asked;
    }
    const rng = this.rng(state.nodes, "expand");
    const weights = pool.map((a) => prior.get(a) ?? 0);
    const chosen: string[] = [];
    for (let i = 0; i < this.settings.actions; i++) {
      const action = pool[sampleIndex(weights, rng)]!;
      if (!chosen.includes(action)) chosen.push(action);
    }
    this.expansions.set(key, chosen);
    return chosen;
  }

  /** The expansion set's prior weights (the generator's probabilities, for UCT's unvisited order). */
  prior(state: SgmState, actions: readonly string[]): number[] {
    const prior = this.world.agentDistribution(state.nodes);
    return actions.map((a) => prior.get(a) ?? 0);
  }

  private domain() {
    return { world: this.world, graph: this.graph };
  }

  /** The request seed of a history (endpoints that honour seeds answer the same history the same way). */
  private requestSeed(nodes: readonly string[]): number {
    return hashString(`${this.seed}\u0000${nodes.join("\u0001")}`) % 2 ** 31;
  }

  /** The judge's 0/1 votes on `action` at `state`: the offline judge's, or the LLM's. */
  private votes(state: SgmState, action: string): MaybePromise<number[]> {
    this.calls.judge += this.settings.judgeSamples;
    if (!this.llm) return this.judge.votes(state.nodes, action);
    const allowed = allowedNextActions(this.graph, state.nodes);
    return llmRationalityVotes(this.llm.chat, this.domain(), state.turns ?? [], action, allowed, this.settings.judgeSamples, this.requestSeed([...state.nodes, action]), this.llm.counters);
  }

  /** Takes `action`: the judge's rationality, the user's answer and the completion reward. */
  step(state: SgmState, action: string): MaybePromise<StepResult<SgmState>> {
    const key = `${state.nodes.join("\u0001")}\u0000${action}`;
    const cached = this.steps.get(key);
    if (cached) return cached;
    const result = then(this.votes(state, action), (votes) => this.transition(state, action, votes));
    this.steps.set(key, result);
    return result;
  }

  private transition(state: SgmState, action: string, votes: readonly number[]): StepResult<SgmState> {
    const rationality = votes.reduce((s, v) => s + v, 0) / votes.length;
    let completion = 0;
    let success = state.success;
    let ended = false;
    const nodes = [...state.nodes];
    const turns = state.turns ? [...state.turns] : undefined;
    const voice = this.rng([...state.nodes, action], "voice");
    const reach = (node: string) => {
      if (!success && this.world.earnsSuccess(nodes, node)) {
        success = true;
        completion += SGM_SUCCESS_REWARD;
      }
      nodes.push(node);
      if (turns) turns.push(sopNodeTurn(this.world, turns, node, voice));
    };
    reach(action);
    if (action === SOPDAIL_SINK) {
      ended = true;
    } else {
      this.calls.user++;
      const answer = sampleFromTable(this.world.userDistribution(nodes), this.rng(nodes, "user"));
      if (answer !== null) {
        reach(answer);
        if (answer === SOP_USER_END) ended = true;
      }
    }
    if (ended) completion += SGM_TERMINAL_REWARD;
    const depth = state.depth + 1;
    return {
      state: { nodes, ...(turns ? { turns } : {}), depth, success, ended },
      reward: this.settings.rationalityWeight * rationality + completion,
      terminal: ended || depth >= this.settings.depth,
    };
  }
}
