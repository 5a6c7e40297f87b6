import {
  SOPDAIL_SINK,
  SOPDAIL_START,
  loadSopdailDialogues,
  loadSopdailTasks,
  sopdailNode,
  sopdailNodeOf,
  splitByDialogueId,
  splitSopdailNode,
  type Dialogue,
  type SopdailTask,
  type SplitRatios,
  type Turn,
} from "@foresight/dialogue";
import { Bm25Index } from "../text/bm25.js";
import { tokenize } from "../text/tokenize.js";
import type { CorpusWorldOptions } from "../world-options.js";

/** The seed of each SOPDAIL task's train/test split (by dialogue id). */
export const SOP_SPLIT_SEED = 7;

/** 80% of a task's dialogues build its world, 20% are held out. */
export const SOP_SPLIT_RATIOS: SplitRatios = Object.freeze({ train: 0.8, dev: 0, test: 0.2 });

/** One annotated SOPDAIL utterance with its node and the utterance it answered. */
export interface SopUtterance {
  dialogueId: string;
  turn: number;
  node: string;
  text: string;
  previousText: string;
}

/** Options of {@link SopCorpusWorld.build}. */
export interface SopWorldOptions extends CorpusWorldOptions {
  /** The task id (e.g. `airport-check_in`); default the first task by id. */
  task?: string;
  /** Use these tasks instead of loading them. */
  tasks?: readonly SopdailTask[];
}

function increment(table: Map<string, Map<string, number>>, from: string, to: string): void {
  const row = table.get(from) ?? new Map<string, number>();
  row.set(to, (row.get(to) ?? 0) + 1);
  table.set(from, row);
}

/**
 * A SOPDAIL task's world from its annotated dialogues: how often each node (agent action or user state) followed
 * each other node — so the user states that followed each agent action and the agent actions that followed each
 * user state — which nodes led on to success, and the real utterances of both sides by node, indexed by the
 * utterance they answered. Turns whose label is not in the task's own action/state lists are left out, and no
 * transition is counted across them.
 */
export class SopCorpusWorld {
  /** node → next node → count, from the training dialogues (the chain starts at Agent.Start). */
  readonly transitions = new Map<string, Map<string, number>>();
  /** node → [visits, visits followed by a success mark at or after it]. */
  readonly successCounts = new Map<string, { visits: number; successes: number }>();
  /** Utterances of the training dialogues, indexed by the utterance they answered. */
  readonly utterances: SopUtterance[] = [];
  readonly index: Bm25Index;
  /** Utterances by node (indexes into {@link utterances}). */
  readonly nodePools = new Map<string, Set<number>>();
  /** The task's agent-action nodes and user-state nodes (with prefixes). */
  readonly agentNodes: readonly string[];
  readonly userNodes: readonly string[];

  private constructor(
    readonly task: SopdailTask,
    readonly train: readonly Dialogue[],
    readonly test: readonly Dialogue[],
  ) {
    this.agentNodes = task.agentActions.map((label) => sopdailNode("agent", label));
    this.userNodes = task.userStates.map((label) => sopdailNode("user", label));
    const known = new Set([...this.agentNodes, ...this.userNodes, SOPDAIL_START, SOPDAIL_SINK]);
    for (const dialogue of train) {
      let previous: string | undefined = SOPDAIL_START;
      const nodes = dialogue.turns.map((turn) => {
        const node = sopdailNodeOf(turn);
        return node !== undefined && known.has(node) ? node : undefined;
      });
      dialogue.turns.forEach((turn, i) => {
        const node = nodes[i];
        if (node !== undefined && previous !== undefined) increment(this.transitions, previous, node);
        previous = node;
        if (node === undefined) return;
        this.utterances.push({ dialogueId: dialogue.id, turn: i, node, text: turn.text, previousText: dialogue.turns[i - 1]?.text ?? "" });
        const success = nodes.slice(i).some((later) => later !== undefined && task.successMarks.includes(later));
        const counts = this.successCounts.get(node) ?? { visits: 0, successes: 0 };
        this.successCounts.set(node, { visits: counts.visits + 1, successes: counts.successes + (success ? 1 : 0) });
      });
    }
    if (this.utterances.length === 0) throw new Error(`SOP world ${task.id}: no annotated utterances in the training dialogues`);
    this.index = new Bm25Index(this.utterances.map((u) => tokenize(u.previousText)));
    this.utterances.forEach((u, i) => {
      const pool = this.nodePools.get(u.node) ?? new Set<number>();
      pool.add(i);
      this.nodePools.set(u.node, pool);
    });
  }

  /** Loads the task and its dialogues (or takes the given ones), splits them and builds the statistics. */
  static build(options: SopWorldOptions = {}): SopCorpusWorld {
    const tasks = options.tasks ?? loadSopdailTasks({ dataDir: options.dataDir });
    const taskId = options.task ?? tasks[0]?.id;
    const task = tasks.find((t) => t.id === taskId);
    if (!task) throw new Error(`unknown SOPDAIL task "${taskId}"; known tasks: ${tasks.map((t) => t.id).join(", ")}`);
    const dialogues = (options.dialogues ?? loadSopdailDialogues({ dataDir: options.dataDir, task: task.id, tasks })).filter(
      (d) => d.metadata?.task === task.id,
    );
    const split = splitByDialogueId(dialogues, options.splitSeed ?? SOP_SPLIT_SEED, options.splitRatios ?? SOP_SPLIT_RATIOS);
    return new SopCorpusWorld(task, split.train, split.test);
  }

  /** The corpus' next-node counts after a node, only those of one side when `side` is given. */
  successors(node: string, side?: "agent" | "user"): Map<string, number> {
    const row = this.transitions.get(node) ?? new Map<string, number>();
    if (side === undefined) return new Map(row);
    return new Map([...row].filter(([next]) => splitSopdailNode(next)?.role === side));
  }

  /** P(a success mark at or after this node), Laplace-smoothed: (successes + 1) / (visits + 2). */
  successProbability(node: string): number {
    const counts = this.successCounts.get(node) ?? { visits: 0, successes: 0 };
    return (counts.successes + 1) / (counts.visits + 2);
  }

  /** The node of a turn: `state.sopNode` when it is one of the task's, else the node of the most similar utterances. */
  nodeOf(turn: Turn, side: "agent" | "user"): string {
    const node = sopdailNodeOf(turn);
    const nodes = side === "agent" ? this.agentNodes : this.userNodes;
    if (node !== undefined && (nodes.includes(node) || node === SOPDAIL_START || node === SOPDAIL_SINK)) return node;
    const votes = new Map<string, number>();
    const query = tokenize(turn.text);
    for (const u of this.utterances) {
      if (splitSopdailNode(u.node)?.role !== side) continue;
      const overlap = jaccardOf(query, u.text);
      if (overlap > 0) votes.set(u.node, Math.max(votes.get(u.node) ?? 0, overlap));
    }
    let best = side === "agent" ? SOPDAIL_START : (this.userNodes[0] ?? "");
    let bestScore = 0;
    for (const [candidate, score] of votes) if (score > bestScore) [best, bestScore] = [candidate, score];
    return best;
  }
}

function jaccardOf(query: readonly string[], text: string): number {
  const a = new Set(query);
  const b = new Set(tokenize(text));
  let shared = 0;
  for (const token of a) if (b.has(token)) shared++;
  return a.size + b.size === shared ? 0 : shared / (a.size + b.size - shared);
}
