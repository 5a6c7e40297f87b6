import { SOPDAIL_SINK, SOPDAIL_START, createRng, splitSopdailNode, type Dialogue, type Turn } from "@foresight/dialogue";
import { sampleFromTable } from "../text/sample.js";
import { SOP_USER_END, sopNodeTurn } from "./roles.js";
import type { SopCorpusWorld } from "./world.js";

/** Options of {@link simulateSop}. */
export interface SimulateSopOptions {
  seed: number;
  /** Turns at most (default 30). */
  maxTurns?: number;
}

/** The outcome of a simulated SOP dialogue. */
export interface SopOutcome {
  /** A success mark of the task was visited. */
  success: boolean;
  successMarksReached: string[];
  /** The walk reached Agent.PoliteEnd (or a node with no successor) before the turn limit. */
  completed: boolean;
  /** Every node visited, Agent.Start first. */
  path: string[];
}

/**
 * Walks a task's graph the way the annotated dialogues did: from Agent.Start, each next node (user state after an
 * agent action, agent action after a user state, or a further agent action) is drawn from the corpus' transition
 * counts, falling back to the task's SOP successors when the corpus never left a node; each node is voiced by a
 * real utterance chosen for the context. The same seed gives the same dialogue.
 */
export function simulateSop(world: SopCorpusWorld, options: SimulateSopOptions): { dialogue: Dialogue; outcome: SopOutcome } {
  const maxTurns = options.maxTurns ?? 30;
  if (!Number.isInteger(maxTurns) || maxTurns < 1) throw new Error(`maxTurns must be a positive integer, got ${maxTurns}`);
  const rng = createRng(options.seed);
  const turns: Turn[] = [];
  const path = [SOPDAIL_START];
  let node = SOPDAIL_START;
  let completed = false;
  while (turns.length < maxTurns) {
    let next = world.successors(node);
    if (next.size === 0) next = new Map((world.task.sop.adjacencyList[node] ?? []).filter((n) => world.nodePools.has(n)).map((n) => [n, 1]));
    if (next.size === 0) {
      completed = true;
      break;
    }
    node = sampleFromTable(next, rng);
    path.push(node);
    turns.push(sopNodeTurn(world, turns, node, rng));
    if (node === SOPDAIL_SINK) {
      completed = true;
      break;
    }
  }
  const successMarksReached = world.task.successMarks.filter((mark) => path.includes(mark));
  const outcome: SopOutcome = { success: successMarksReached.length > 0, successMarksReached, completed, path };
  return {
    dialogue: {
      id: `sop-sim-${world.task.id}-${options.seed}`,
      domain: "sop",
      turns,
      outcome: { ...outcome },
      metadata: { simulator: "SopCorpusWorld", task: world.task.id, seed: options.seed, roles: path.map((n) => splitSopdailNode(n)?.role) },
    },
    outcome,
  };
}

/** Picks the agent's next action from the history so far (node names, Agent.Start first, and the turns said). */
export type SopAgentPolicy = (nodes: readonly string[], turns: readonly Turn[]) => string | Promise<string>;

/** Options of {@link playSopEpisode}. */
export interface PlaySopOptions {
  seed: number | string;
  /** Agent turns at most (default 12). */
  maxAgentTurns?: number;
}

/** An episode played against the world's user. */
export interface SopEpisode {
  /** Every node, Agent.Start first. */
  nodes: string[];
  turns: Turn[];
  /** Success was earned (see {@link SopCorpusWorld.earnsSuccess}). */
  success: boolean;
  /** The agent said Agent.PoliteEnd or the user ended (用户.结束) before the turn limit. */
  ended: boolean;
  agentTurns: number;
}

/**
 * Plays an agent policy against the world's history-dependent user: each agent action is voiced by a real
 * utterance of it, the user answers with a state drawn from the node model (or lets the agent go on) and a real
 * utterance of that state; success counts only when earned. The same seed and policy give the same episode.
 */
export async function playSopEpisode(world: SopCorpusWorld, agent: SopAgentPolicy, options: PlaySopOptions): Promise<SopEpisode> {
  const maxAgentTurns = options.maxAgentTurns ?? 12;
  const rng = createRng(options.seed);
  const episode: SopEpisode = { nodes: [SOPDAIL_START], turns: [], success: false, ended: false, agentTurns: 0 };
  const reach = (node: string) => {
    if (!episode.success && world.earnsSuccess(episode.nodes, node)) episode.success = true;
    episode.turns.push(sopNodeTurn(world, episode.turns, node, rng));
    episode.nodes.push(node);
  };
  while (!episode.ended && episode.agentTurns < maxAgentTurns) {
    const act = await agent(episode.nodes, episode.turns);
    if (!world.agentNodes.includes(act)) throw new Error(`the agent chose "${act}", not an action of task ${world.task.id}`);
    episode.agentTurns++;
    reach(act);
    if (act === SOPDAIL_SINK) {
      episode.ended = true;
      break;
    }
    const answer = sampleFromTable(world.userDistribution(episode.nodes), rng);
    if (answer === null) continue;
    reach(answer);
    if (answer === SOP_USER_END) episode.ended = true;
  }
  return episode;
}
