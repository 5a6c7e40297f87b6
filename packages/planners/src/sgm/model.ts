import { SOPDAIL_SINK, createRng, hashString, type Rng } from "@foresight/dialogue";
import { OfflineSopRationalityJudge, SOP_USER_END, type SopCorpusWorld } from "@foresight/llm-sim";
import type { GenerativeModel, StepResult } from "@foresight/mcts-core";
import { allowedNextActions, expansionActions, locate, proactiveActions, type SopGraph } from "@foresight/sop-graph";

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

/**
 * SGM's world model over SOP nodes for mcts-core: actions are M actions sampled by the action generator (the
 * planning world's corpus prior) from the SOP's local subgraph two levels below the current node plus the proactive
 * actions off the SOP; a step takes the action, lets the planning world's user answer, and rewards rationality (the
 * judge's mean vote) plus completion. The simulation follows the highest step reward (mcts-core's "maxReward"
 * rollout), which steps each offered action. Every random choice is a hash of (seed, history), so the same path always
 * gives the same child, as the paper's tree stores c(d, a), and a repeated step costs no new calls.
 */
export class SgmModel implements GenerativeModel<SgmState, string> {
  readonly calls: SgmCalls = { prior: 0, judge: 0, user: 0 };
  readonly judge: OfflineSopRationalityJudge;
  private readonly proactive: string[];
  private readonly steps = new Map<string, StepResult<SgmState>>();
  private readonly expansions = new Map<string, string[]>();

  /** A model over the planning world and the SOP the agent follows. */
  constructor(
    readonly world: SopCorpusWorld,
    readonly graph: SopGraph,
    readonly settings: SgmSettings,
    readonly seed: number,
  ) {
    this.judge = new OfflineSopRationalityJudge(world, {
      allowedNext: (history) => allowedNextActions(graph, history),
      samples: settings.judgeSamples,
      seed,
    });
    this.proactive = proactiveActions(graph, world.agentNodes);
  }

  /** A root state for a real history of nodes. */
  root(nodes: readonly string[]): SgmState {
    return { nodes, depth: 0, success: this.world.pathEarnsSuccess(nodes), ended: false };
  }

  /** SGM's expansion set at a history: the two-level SOP subgraph's actions, then the proactive ones. */
  allowed(nodes: readonly string[]): string[] {
    return expansionActions(this.graph, locate(this.graph, nodes).node, this.proactive).filter((a) => this.world.agentNodes.includes(a));
  }

  private rng(nodes: readonly string[], what: string): Rng {
    return createRng(hashString(`${this.seed}\u0000${what}\u0000${nodes.join("\u0001")}`));
  }

  /** M actions drawn without replacement from the expansion set by the corpus prior. */
  actions(state: SgmState): readonly string[] {
    if (state.ended) return [];
    const key = state.nodes.join("\u0001");
    const cached = this.expansions.get(key);
    if (cached) return cached;
    this.calls.prior++;
    const pool = this.allowed(state.nodes);
    const prior = this.world.agentDistribution(state.nodes);
    const rng = this.rng(state.nodes, "expand");
    const weights = pool.map((a) => prior.get(a) ?? 0);
    const chosen: string[] = [];
    while (chosen.length < Math.min(this.settings.actions, pool.length)) {
      const total = weights.reduce((s, w) => s + w, 0);
      let u = rng.next() * total;
      let index = weights.findIndex((w) => (u -= w) < 0);
      if (index < 0) index = weights.findLastIndex((w) => w > 0);
      chosen.push(pool[index]!);
      weights[index] = 0;
    }
    this.expansions.set(key, chosen);
    return chosen;
  }

  /** The expansion set's prior weights (the generator's probabilities, for UCT's unvisited order). */
  prior(state: SgmState, actions: readonly string[]): number[] {
    const prior = this.world.agentDistribution(state.nodes);
    return actions.map((a) => prior.get(a) ?? 0);
  }

  /** Takes `action`: the judge's rationality, the user's answer and the completion reward. */
  step(state: SgmState, action: string): StepResult<SgmState> {
    const key = `${state.nodes.join("\u0001")}\u0000${action}`;
    const cached = this.steps.get(key);
    if (cached) return cached;
    this.calls.judge += this.settings.judgeSamples;
    const votes = this.judge.votes(state.nodes, action);
    const rationality = votes.reduce((s, v) => s + v, 0) / votes.length;
    let completion = 0;
    let success = state.success;
    let ended = false;
    const nodes = [...state.nodes];
    const reach = (node: string) => {
      if (!success && this.world.earnsSuccess(nodes, node)) {
        success = true;
        completion += SGM_SUCCESS_REWARD;
      }
      nodes.push(node);
    };
    reach(action);
    if (action === SOPDAIL_SINK) {
      ended = true;
    } else {
      this.calls.user++;
      const table = this.world.userDistribution(nodes);
      const rng = this.rng(nodes, "user");
      let u = rng.next() * [...table.values()].reduce((s, p) => s + p, 0);
      let answer: string | null = null;
      for (const [state, p] of table) {
        answer = state;
        if ((u -= p) < 0) break;
      }
      if (answer !== null) {
        reach(answer);
        if (answer === SOP_USER_END) ended = true;
      }
    }
    if (ended) completion += SGM_TERMINAL_REWARD;
    const depth = state.depth + 1;
    const result: StepResult<SgmState> = {
      state: { nodes, depth, success, ended },
      reward: this.settings.rationalityWeight * rationality + completion,
      terminal: ended || depth >= this.settings.depth,
    };
    this.steps.set(key, result);
    return result;
  }
}
