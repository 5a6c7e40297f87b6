import { SOPDAIL_START, sopdailNode, splitSopdailNode, type Rng, type Turn } from "@foresight/dialogue";
import type {
  ActInput,
  PriorOptions,
  PriorPolicy,
  PriorResult,
  RoleCallOptions,
  StateClassification,
  SystemCandidate,
  SystemRole,
  UserReply,
  UserSimulator,
  UserStateClassifier,
  ValueEstimate,
  ValueFunction,
  ValueOptions,
} from "../../roles/types.js";
import { retrieveAndSample } from "../text/retrieve.js";
import { sampleFromTable } from "../text/sample.js";
import { tokenize } from "../text/tokenize.js";
import type { SopCorpusWorld } from "./world.js";

/** The user state that ends a SOPDAIL dialogue from the user's side (用户.结束). */
export const SOP_USER_END = sopdailNode("user", "结束");

/** Reads an act as a node of one side: a full node name (`代理.核对身份`) or a bare label (`核对身份`). */
export function toSopNode(act: ActInput, side: "agent" | "user"): string {
  const label = (typeof act === "string" ? act : act.label).trim();
  return splitSopdailNode(label) ? label : sopdailNode(side, label);
}

function lastTurn(history: readonly Turn[], speaker: Turn["speaker"]): Turn | undefined {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.speaker === speaker) return history[i];
  return undefined;
}

/** A real utterance of a node for the history (retrieved by the utterance it answered), as a turn. */
export function sopUtteranceTurn(world: SopCorpusWorld, history: readonly Turn[], node: string, rng: Rng, avoid: ReadonlySet<string> = new Set()): Turn | undefined {
  const said = new Set(history.map((turn) => turn.text.trim()));
  const doc = retrieveAndSample(world.index, tokenize(history[history.length - 1]?.text ?? ""), rng, {
    pool: world.nodePools.get(node) ?? new Set(),
    exclude: (d) => said.has(world.utterances[d]!.text.trim()) || avoid.has(world.utterances[d]!.text.trim()),
  });
  if (doc === undefined) return undefined;
  const u = world.utterances[doc]!;
  const parts = splitSopdailNode(node)!;
  return {
    speaker: parts.role === "agent" ? "system" : "user",
    text: u.text,
    acts: [{ intent: parts.label }],
    state: { sopNode: node, label: parts.label },
    metadata: { source: { dialogueId: u.dialogueId, turn: u.turn } },
  };
}

/**
 * A node as a turn for the history: a real utterance of it chosen for the context, else any real utterance of it,
 * else — a node the world's dialogues never voiced (the node model gives every node of the task some probability) —
 * a turn that carries the node without words, so a dialogue keeps one turn per node and a planner reading the turns
 * sees every node the world reached.
 */
export function sopNodeTurn(world: SopCorpusWorld, history: readonly Turn[], node: string, rng: Rng): Turn {
  const turn = sopUtteranceTurn(world, history, node, rng) ?? sopUtteranceTurn(world, [], node, rng);
  if (turn) return turn;
  const parts = splitSopdailNode(node);
  if (!parts) throw new Error(`"${node}" is not a SOPDAIL node (代理.X or 用户.X)`);
  return { speaker: parts.role === "agent" ? "system" : "user", text: "", acts: [{ intent: parts.label }], state: { sopNode: node, label: parts.label } };
}

/**
 * The SOPDAIL user, from the task's annotated dialogues: the user state is drawn from the world's history-dependent
 * node model (the agent's last action and the user's state before it, backed off to the last action alone) among
 * the user states — a reply is asked for, so "no user turn" is not drawn — and the words are a real utterance of
 * that state chosen for the context.
 */
export class CorpusSopUser implements UserSimulator {
  /** A user over a built task world. */
  constructor(
    readonly world: SopCorpusWorld,
    private readonly rng: Rng,
  ) {}

  /** The next user state after the history. */
  nextState(history: readonly Turn[], rng: Rng = this.rng): string {
    const table = this.world.userDistribution(this.world.nodesOfTurns(history));
    table.delete(null);
    return sampleFromTable(table as Map<string, number>, rng);
  }

  /** The user's next turn: a state and a real utterance of it (a state the dialogues never voiced: no words). */
  pickTurn(history: readonly Turn[], rng: Rng = this.rng): Turn {
    return sopNodeTurn(this.world, history, this.nextState(history, rng), rng);
  }

  /** The user-simulator role; `ended` when the state is 用户.结束 (end). */
  async respond(history: readonly Turn[], _options?: RoleCallOptions): Promise<UserReply> {
    const turn = this.pickTurn(history);
    return { text: turn.text, reaction: String(turn.state!.sopNode), ended: turn.state!.sopNode === SOP_USER_END, fallback: false };
  }
}

/** The SOPDAIL agent's words: real utterances of the requested agent action, chosen for the context. */
export class CorpusSopAgent implements SystemRole {
  /** An agent over a built task world. */
  constructor(
    readonly world: SopCorpusWorld,
    private readonly rng: Rng,
  ) {}

  /** The system role: up to m distinct real utterances of the action (fewer when the corpus has fewer). */
  async reply(history: readonly Turn[], act: ActInput, m: number, _options?: RoleCallOptions): Promise<SystemCandidate[]> {
    if (!Number.isInteger(m) || m < 1) throw new RangeError(`m must be a positive integer, got ${m}`);
    const node = toSopNode(act, "agent");
    if (!this.world.nodePools.has(node)) {
      throw new RangeError(`"${node}" has no utterance in task ${this.world.task.id} (agent actions: ${this.world.agentNodes.join(", ")})`);
    }
    const used = new Set<string>();
    const candidates: SystemCandidate[] = [];
    while (candidates.length < m) {
      const turn = sopUtteranceTurn(this.world, history, node, this.rng, used);
      if (!turn) break;
      used.add(turn.text.trim());
      candidates.push({ text: turn.text, act: node, fallback: false });
    }
    if (candidates.length === 0) throw new Error(`CorpusSopAgent: every utterance of ${node} was already said`);
    return candidates;
  }
}

/**
 * The agent's action prior from the corpus: how often each agent action followed the last user state (or the
 * previous agent action, or the start), smoothed by `smoothing` (default 0.1) per offered action.
 */
export class CorpusSopPrior implements PriorPolicy {
  /** A prior over a built task world. */
  constructor(
    readonly world: SopCorpusWorld,
    private readonly smoothing = 0.1,
  ) {}

  /** The node the agent acts after: the last turn's node (either side), or Agent.Start. */
  currentNode(history: readonly Turn[]): string {
    const last = history[history.length - 1];
    if (!last) return SOPDAIL_START;
    return this.world.nodeOf(last, last.speaker === "system" ? "agent" : "user");
  }

  /** The prior role over `options.acts` (nodes or labels) or every agent action of the task. */
  async prior(history: readonly Turn[], options: PriorOptions = {}): Promise<PriorResult> {
    const acts = options.acts ? options.acts.map((act) => toSopNode(act, "agent")) : [...this.world.agentNodes];
    const counts = this.world.successors(this.currentNode(history), "agent");
    const mass = acts.map((act) => (counts.get(act) ?? 0) + this.smoothing);
    const total = mass.reduce((sum, m) => sum + m, 0);
    return { acts, probabilities: mass.map((m) => m / total), method: "corpus", requests: 0, completions: 0, unparsed: 0, fallback: false };
  }
}

/** The value of an SOP history: the corpus' probability of reaching a success mark from the current node (or from `act`). */
export class CorpusSopValue implements ValueFunction {
  /** A value over a built task world. */
  constructor(readonly world: SopCorpusWorld) {}

  /** The value role: P(success | node), Laplace-smoothed, in [0, 1]. */
  async evaluate(history: readonly Turn[], options: ValueOptions = {}): Promise<ValueEstimate> {
    const node = options.act !== undefined ? toSopNode(options.act, "agent") : new CorpusSopPrior(this.world).currentNode(history);
    const value = this.world.successProbability(node);
    return { value, samples: [value], unparsed: 0, fallback: false };
  }
}

/** Classifies the user's last turn as one of the task's user states: its annotation, else the most similar utterance's state. */
export class CorpusSopStateClassifier implements UserStateClassifier {
  /** A classifier over a built task world. */
  constructor(readonly world: SopCorpusWorld) {}

  /** The user state of the history's last user turn; a fallback (the first state) when there is none. */
  async classify(history: readonly Turn[], _options?: RoleCallOptions): Promise<StateClassification> {
    const user = lastTurn(history, "user");
    if (!user) return { label: this.world.userNodes[0] ?? "", fallback: true };
    return { label: this.world.nodeOf(user, "user"), fallback: false };
  }
}
