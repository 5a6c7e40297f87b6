import {
  SOPDAIL_SINK,
  SOPDAIL_START,
  loadSopdailDialogues,
  loadSopdailTasks,
  sopdailNode,
  sopdailNodeOf,
  splitByDialogueId,
  splitOf,
  splitSopdailNode,
  type Dialogue,
  type SopdailTask,
  type SplitRatios,
  type Turn,
} from "@foresight/dialogue";
import { ActNgramModel } from "../stats/ngram.js";
import { Bm25Index } from "../text/bm25.js";
import { tokenize } from "../text/tokenize.js";
import type { CorpusWorldOptions } from "../world-options.js";

/** The seed of each SOPDAIL task's train/test split (by dialogue id). */
export const SOP_SPLIT_SEED = 7;

/** 80% of a task's dialogues build its world, 20% are held out. */
export const SOP_SPLIT_RATIOS: SplitRatios = Object.freeze({ train: 0.8, dev: 0, test: 0.2 });

/** The seed that halves a task's training dialogues into the disjoint halves "a" and "b" (mismatched worlds). */
export const SOP_HALF_SEED = 11;
const HALVES: SplitRatios = Object.freeze({ train: 0.5, dev: 0, test: 0.5 });

/**
 * Order of the node n-gram behind the user and the action prior: the next node depends on the last two nodes (the
 * agent's action and the user's state before it), backed off Witten-Bell to the last node. Chosen on the training
 * tasks' held-out dialogues: mean user-move log-likelihood −0.635 nats against −0.733 for order 2 (last node only),
 * −0.642 for order 4 and −0.667 for order 5 (see `userStateLikelihood`).
 */
export const SOP_USER_ORDER = 3;

/**
 * The weight of a user state that the agent's action did not ask: after an agent action whose SOP successors
 * include user states (what it asks), the node model's probability of every other user state is multiplied by this
 * weight and the user's side renormalised (no user turn keeps its probability); 1 is the plain node model. Fit on
 * the training tasks' held-out dialogues by pooled mean user-move log-likelihood (`fitUnaskedWeight`): −0.63315
 * nats at 1.25 against −0.63367 at 1 and −0.65015 at 0.3 (2,678 moves); on the held-out tasks −0.67758 against
 * −0.67826 and −0.69381 (822 moves). The corpus' users answer what was not asked slightly more often than the
 * node model's back-off says, not less.
 */
export const SOP_UNASKED_WEIGHT = 1.25;

/** What must hold for a success mark to count: fit from the training dialogues that reach it. */
export interface SuccessPrecondition {
  mark: string;
  /** SOP nodes seen before the mark in every training dialogue that reaches it (Agent.Start excluded). */
  required: string[];
  /** Nodes seen immediately before the mark in those dialogues (the user state, or agent action, that allows it). */
  allowedAfter: string[];
  /** Training dialogues that reach the mark. */
  support: number;
}

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
  /** Fit the world on this half of the task's training dialogues only (mismatched planning models); default all. */
  half?: "a" | "b";
  /** Order of the history-dependent node model (default {@link SOP_USER_ORDER}; 2 = last node only). */
  order?: number;
  /** Weight of a user state the agent's action did not ask (default {@link SOP_UNASKED_WEIGHT}; 1 = the plain node model). */
  unaskedWeight?: number;
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
  /** Every node of the task (Agent.Start and the sink included): the n-gram vocabulary. */
  readonly vocabulary: readonly string[];
  /** The history-dependent node model (order {@link SOP_USER_ORDER}) fit on the training dialogues. */
  readonly nodeModel: ActNgramModel;
  /** The last-node-only model (order 2) on the same dialogues, the simpler model the world is checked against. */
  readonly lastNodeModel: ActNgramModel;
  /** Preconditions of each success mark reached in the training dialogues (marks never reached have none). */
  readonly preconditions = new Map<string, SuccessPrecondition>();
  /** The nodes of the task's SOP (its adjacency list's keys and successors). */
  readonly sopNodes: ReadonlySet<string>;
  /** Success marks of the task that are not nodes of its SOP (an error of the task definition, reported by `sop check`). */
  readonly marksOffSop: readonly string[];
  /** Agent action → the user states right after it on the SOP (see {@link askedBy}). */
  private readonly asked = new Map<string, readonly string[]>();

  private constructor(
    readonly task: SopdailTask,
    readonly train: readonly Dialogue[],
    readonly test: readonly Dialogue[],
    order: number,
    /** Weight of a user state the agent's action did not ask (see {@link SOP_UNASKED_WEIGHT}). */
    readonly unaskedWeight: number,
  ) {
    if (!(unaskedWeight > 0 && Number.isFinite(unaskedWeight))) throw new RangeError(`unaskedWeight must be a positive number, got ${unaskedWeight}`);
    this.agentNodes = task.agentActions.map((label) => sopdailNode("agent", label)).filter((node) => node !== SOPDAIL_START);
    if (!this.agentNodes.includes(SOPDAIL_SINK)) this.agentNodes = [...this.agentNodes, SOPDAIL_SINK];
    this.userNodes = task.userStates.map((label) => sopdailNode("user", label));
    this.vocabulary = [...new Set([SOPDAIL_START, ...this.agentNodes, ...this.userNodes])];
    this.sopNodes = new Set([...Object.keys(task.sop.adjacencyList), ...Object.values(task.sop.adjacencyList).flat()]);
    this.marksOffSop = task.successMarks.filter((mark) => !this.sopNodes.has(mark));
    const userNodes = new Set(this.userNodes);
    for (const [node, next] of Object.entries(task.sop.adjacencyList)) this.asked.set(node, next.filter((n) => userNodes.has(n)));
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
    this.nodeModel = new ActNgramModel(this.vocabulary, order);
    this.lastNodeModel = new ActNgramModel(this.vocabulary, 2);
    const sequences = train.map((d) => this.nodeSequence(d));
    for (const sequence of sequences) {
      this.nodeModel.addSequence(sequence);
      this.lastNodeModel.addSequence(sequence);
    }
    this.fitPreconditions(sequences);
    this.index = new Bm25Index(this.utterances.map((u) => tokenize(u.previousText)));
    this.utterances.forEach((u, i) => {
      const pool = this.nodePools.get(u.node) ?? new Set<number>();
      pool.add(i);
      this.nodePools.set(u.node, pool);
    });
  }

  /** A dialogue as its sequence of the task's nodes, Agent.Start first (turns labelled off the task are dropped). */
  nodeSequence(dialogue: Pick<Dialogue, "turns">): string[] {
    const out = [SOPDAIL_START];
    for (const turn of dialogue.turns) {
      const node = sopdailNodeOf(turn);
      if (node !== undefined && node !== SOPDAIL_START && this.vocabulary.includes(node)) out.push(node);
    }
    return out;
  }

  /** A conversation's turns as node names, Agent.Start first (each turn's node as {@link nodeOf} reads it). */
  nodesOfTurns(turns: readonly Turn[]): string[] {
    return [SOPDAIL_START, ...turns.map((turn) => this.nodeOf(turn, turn.speaker === "system" ? "agent" : "user"))];
  }

  private fitPreconditions(sequences: readonly string[][]): void {
    for (const mark of this.task.successMarks) {
      const before: string[][] = [];
      const allowedAfter = new Set<string>();
      for (const sequence of sequences) {
        const at = sequence.indexOf(mark);
        if (at <= 0) continue;
        before.push(sequence.slice(1, at));
        allowedAfter.add(sequence[at - 1]!);
      }
      if (before.length === 0) continue;
      // Only the SOP's own steps are preconditions: generic moves every scripted dialogue happens to make (a greeting)
      // are not what the task requires.
      const required = [...new Set(before[0])].filter((node) => this.sopNodes.has(node) && before.every((nodes) => nodes.includes(node)));
      this.preconditions.set(mark, { mark, required, allowedAfter: [...allowedAfter], support: before.length });
    }
  }

  /**
   * Whether reaching `node` after `history` (node names, Agent.Start first) earns success: it is a success mark
   * with a fitted precondition, every required node occurred, and the node right before is one that allowed it in
   * the training dialogues. A mark said out of order earns nothing.
   */
  earnsSuccess(history: readonly string[], node: string): boolean {
    const pre = this.preconditions.get(node);
    if (!pre) return false;
    const last = history[history.length - 1];
    return last !== undefined && pre.allowedAfter.includes(last) && pre.required.every((r) => history.includes(r));
  }

  /** Whether a whole node path earned success at some point (see {@link earnsSuccess}). */
  pathEarnsSuccess(path: readonly string[]): boolean {
    return path.some((node, i) => this.earnsSuccess(path.slice(0, i), node));
  }

  /** The user states the SOP has right after an agent action: what the action asks (empty off the SOP). */
  askedBy(action: string): readonly string[] {
    return this.asked.get(action) ?? [];
  }

  /**
   * The user's side after the history (node names, Agent.Start first, ending with the agent's action): the
   * probability of each user state, and of no user turn (`null`, the agent goes on), from the node model; a state
   * the action did not ask is down-weighted by `unaskedWeight` (see {@link SOP_UNASKED_WEIGHT}).
   */
  userDistribution(history: readonly string[], model: ActNgramModel = this.nodeModel, unaskedWeight = this.unaskedWeight): Map<string | null, number> {
    const all = model.distribution(history);
    const asked = this.askedBy(history[history.length - 1] ?? "");
    const weightOf = (node: string) => (asked.length === 0 || asked.includes(node) ? 1 : unaskedWeight);
    const out = new Map<string | null, number>();
    let silent = 0;
    for (const [node, p] of all) {
      if (this.userNodes.includes(node)) out.set(node, p * weightOf(node));
      else if (node !== SOPDAIL_START) silent += p;
    }
    out.set(null, silent);
    const total = [...out.values()].reduce((sum, p) => sum + p, 0);
    for (const [node, p] of out) out.set(node, p / total);
    return out;
  }

  /** The corpus' distribution of the agent's next action after the history (node names), over {@link agentNodes}. */
  agentDistribution(history: readonly string[]): Map<string, number> {
    const all = this.nodeModel.distribution(history);
    const mass = this.agentNodes.map((node) => all.get(node) ?? 0);
    const total = mass.reduce((s, m) => s + m, 0);
    return new Map(this.agentNodes.map((node, i) => [node, mass[i]! / total]));
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
    const train = options.half === undefined ? split.train : split.train.filter((d) => (splitOf(d.id, SOP_HALF_SEED, HALVES) === "train") === (options.half === "a"));
    return new SopCorpusWorld(task, train, split.test, options.order ?? SOP_USER_ORDER, options.unaskedWeight ?? SOP_UNASKED_WEIGHT);
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
