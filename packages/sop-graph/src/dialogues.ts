import { sopdailNodeOf, type Dialogue } from "@foresight/dialogue";
import type { SopGraph } from "./graph.js";
import { checkCompliance, type ComplianceOptions, type ComplianceResult } from "./compliance.js";

/** The annotated SOP node of every turn of a dialogue (turns without one are skipped). */
export function sopNodesOf(dialogue: Pick<Dialogue, "turns">): string[] {
  const out: string[] = [];
  for (const turn of dialogue.turns) {
    const node = sopdailNodeOf(turn);
    if (node !== undefined) out.push(node);
  }
  return out;
}

/** The annotated agent actions of a dialogue's system turns, in order (the gold sequence for action accuracy). */
export function agentActionsOf(dialogue: Pick<Dialogue, "turns">, graph: SopGraph): string[] {
  return sopNodesOf(dialogue).filter((node) => graph.isAgentAction(node));
}

/** Checks an annotated dialogue's node sequence against an SOP. */
export function dialogueCompliance(graph: SopGraph, dialogue: Pick<Dialogue, "turns">, options: ComplianceOptions = {}): ComplianceResult {
  return checkCompliance(graph, sopNodesOf(dialogue), options);
}
