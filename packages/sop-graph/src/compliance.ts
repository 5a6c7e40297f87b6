import type { SopGraph } from "./graph.js";

/**
 * How one step between consecutive on-SOP nodes of a dialogue relates to the SOP:
 * - `edge`: the SOP has the edge;
 * - `repeat`: the same node again (re-asking after a detour such as "did not understand");
 * - `implicit-user-state`: agent action → agent action where the SOP has agent → user state → agent, i.e. the
 *   user's reply was not one of the SOP's states (e.g. "ok, go on");
 * - `implicit-agent-action`: a node → user state where the SOP has node → agent action → user state and the
 *   dialogue performed an off-SOP agent action in between (the SOP step was realised under another label, e.g.
 *   a greeting that also checked the caller's identity);
 * - `revised-user-state`: the user revised their answer to the same agent action (two user states that share a
 *   predecessor, e.g. "identity wrong" then "identity correct" after the agent re-checks off the SOP), or, after a
 *   proactive detour (off-SOP agent actions only), answered anew an SOP agent action the dialogue already took
 *   (e.g. "password wrong" → relieve doubts → "confirm freeze", the answer to the freeze question asked before):
 *   the user moved, and no SOP step was omitted or altered;
 * - `violation`: none of these.
 */
export type TransitionKind = "edge" | "repeat" | "implicit-user-state" | "implicit-agent-action" | "revised-user-state" | "violation";

/** One step of a dialogue through the SOP. */
export interface SopTransition {
  /** Index in the history of the node stepped to. */
  index: number;
  from: string;
  to: string;
  kind: TransitionKind;
}

/** Which relaxed transitions count as compliant (all true by default; all false means edges only). */
export interface ComplianceOptions {
  /** Count `implicit-user-state` and `implicit-agent-action` steps as compliant. */
  allowImplicit?: boolean;
  allowRepeat?: boolean;
  allowRevisedUserState?: boolean;
}

/** A dialogue's SOP compliance. */
export interface ComplianceResult {
  transitions: SopTransition[];
  /** Transitions that are not allowed under the options. */
  violations: SopTransition[];
  /** No violation under the options. */
  compliant: boolean;
  /**
   * The violations of the agent's own steps: those that step to an agent action. A violation that steps to a user
   * state is the user's move (an answer to something the agent did not ask), which the agent cannot prevent.
   */
  agentViolations: SopTransition[];
  /** No violation in the agent's own steps (compliance of the agent alone, whatever the user did). */
  agentCompliant: boolean;
  /** Every transition is an SOP edge. */
  strictlyCompliant: boolean;
  /** History entries that are not SOP vertices (skipped when following the SOP). */
  offSop: number;
  /** Whether the last on-SOP node is the sink. */
  reachedSink: boolean;
}

function classify(graph: SopGraph, from: string, to: string, between: readonly string[], taken: ReadonlySet<string>): TransitionKind {
  if (graph.hasEdge(from, to)) return "edge";
  if (from === to) return "repeat";
  const through = graph.successorsOf(from).filter((middle) => graph.hasEdge(middle, to));
  if (graph.isAgentAction(from) && graph.isAgentAction(to) && through.some((m) => graph.isUserState(m))) return "implicit-user-state";
  if (graph.isUserState(to) && through.some((m) => graph.isAgentAction(m)) && between.some((n) => graph.isAgentAction(n))) {
    return "implicit-agent-action";
  }
  if (graph.isUserState(from) && graph.isUserState(to)) {
    const before = graph.predecessorsOf(from);
    if (graph.predecessorsOf(to).some((p) => before.includes(p))) return "revised-user-state";
    // Proactive actions are allowed detours (the paper's "resolving doubts"); the user's new answer to an SOP step
    // already taken omits nothing.
    const detour = between.some((n) => graph.isAgentAction(n));
    if (detour && graph.predecessorsOf(to).some((p) => taken.has(p))) return "revised-user-state";
  }
  return "violation";
}

function allowed(kind: TransitionKind, options: ComplianceOptions): boolean {
  switch (kind) {
    case "edge":
      return true;
    case "repeat":
      return options.allowRepeat ?? true;
    case "implicit-user-state":
    case "implicit-agent-action":
      return options.allowImplicit ?? true;
    case "revised-user-state":
      return options.allowRevisedUserState ?? true;
    case "violation":
      return false;
  }
}

/**
 * Checks a dialogue's node history (agent actions and user states with prefixes) against the SOP. Entries that are
 * not SOP vertices are skipped (proactive actions are allowed detours); every step between consecutive on-SOP
 * entries, starting from the start node, is classified (see {@link TransitionKind}).
 */
export function checkCompliance(graph: SopGraph, history: readonly string[], options: ComplianceOptions = {}): ComplianceResult {
  const transitions: SopTransition[] = [];
  let previous = graph.start;
  let offSop = 0;
  let between: string[] = [];
  const taken = new Set<string>([graph.start]);
  history.forEach((node, index) => {
    if (!graph.hasNode(node)) {
      offSop++;
      between.push(node);
      return;
    }
    if (node === graph.start && previous === graph.start && transitions.length === 0) return;
    transitions.push({ index, from: previous, to: node, kind: classify(graph, previous, node, between, taken) });
    taken.add(node);
    previous = node;
    between = [];
  });
  const violations = transitions.filter((t) => !allowed(t.kind, options));
  const agentViolations = violations.filter((t) => graph.isAgentAction(t.to));
  return {
    transitions,
    violations,
    compliant: violations.length === 0,
    agentViolations,
    agentCompliant: agentViolations.length === 0,
    strictlyCompliant: transitions.every((t) => t.kind === "edge"),
    offSop,
    reachedSink: previous === graph.sink,
  };
}

/** Counts over many dialogues' compliance results. */
export interface ComplianceSummary {
  dialogues: number;
  compliant: number;
  strictlyCompliant: number;
  /** Dialogues whose agent steps have no violation. */
  agentCompliant: number;
  /** Share of dialogues with no violation. */
  complianceRate: number;
  /** Share of dialogues whose agent steps have no violation (user moves may still break the path). */
  agentComplianceRate: number;
  /** Share of dialogues whose every transition is an SOP edge. */
  strictComplianceRate: number;
  transitions: number;
  /** Transitions by kind. */
  byKind: Record<TransitionKind, number>;
}

/** Summarises compliance results: rates per dialogue and transition counts by kind. */
export function summarizeCompliance(results: readonly ComplianceResult[]): ComplianceSummary {
  const byKind: Record<TransitionKind, number> = {
    edge: 0,
    repeat: 0,
    "implicit-user-state": 0,
    "implicit-agent-action": 0,
    "revised-user-state": 0,
    violation: 0,
  };
  let transitions = 0;
  for (const result of results) {
    for (const t of result.transitions) byKind[t.kind]++;
    transitions += result.transitions.length;
  }
  const compliant = results.filter((r) => r.compliant).length;
  const strictlyCompliant = results.filter((r) => r.strictlyCompliant).length;
  const agentCompliant = results.filter((r) => r.agentCompliant).length;
  const rate = (n: number) => (results.length === 0 ? 0 : n / results.length);
  return {
    dialogues: results.length,
    compliant,
    strictlyCompliant,
    agentCompliant,
    complianceRate: rate(compliant),
    agentComplianceRate: rate(agentCompliant),
    strictComplianceRate: rate(strictlyCompliant),
    transitions,
    byKind,
  };
}
