import type { ChatMessage } from "@foresight/llm-sim";
import type { SopdailTask } from "@foresight/dialogue";
import { SOPDAIL_NAMING, type SopNaming } from "./naming.js";

/** What an LLM needs to design an SOP for a task. */
export interface SopTaskSpec {
  /** Who the agent is. */
  agentIdentity: string;
  /** What the agent must achieve. */
  agentGoal: string;
  /** Nodes that mark success. */
  successMarks: string[];
  /** Agent action labels (without prefix) the SOP may use. */
  agentActions: string[];
  /** User state labels (without prefix) the SOP may use. */
  userStates: string[];
  /** Domain knowledge by topic (optional, truncated in prompts). */
  knowledge?: Record<string, string>;
  naming: SopNaming;
}

/** The prediction spec of a SOPDAIL task. */
export function sopdailTaskSpec(task: SopdailTask): SopTaskSpec {
  return {
    agentIdentity: task.agentIdentity,
    agentGoal: task.agentGoal,
    successMarks: task.successMarks,
    agentActions: task.agentActions,
    userStates: task.userStates,
    knowledge: task.knowledge,
    naming: SOPDAIL_NAMING,
  };
}

/** Options for the prompt texts. */
export interface PromptOptions {
  /** At most this many characters of knowledge in the prompt (default 1,500). */
  knowledgeChars?: number;
}

/** The task described for the model: role, goal, success marks, the node vocabulary and some knowledge. */
export function describeTask(spec: SopTaskSpec, options: PromptOptions = {}): string {
  const { agentPrefix, userPrefix, start, sink } = spec.naming;
  const limit = options.knowledgeChars ?? 1500;
  let knowledge = Object.entries(spec.knowledge ?? {})
    .map(([topic, text]) => `- ${topic}: ${text}`)
    .join("\n");
  if (knowledge.length > limit) knowledge = `${knowledge.slice(0, limit)}…`;
  return [
    `Agent identity: ${spec.agentIdentity}`,
    `Agent goal: ${spec.agentGoal}`,
    `Success is marked by reaching: ${spec.successMarks.join(", ")}`,
    `Agent actions (nodes "${agentPrefix}.<action>"): ${spec.agentActions.map((a) => `${agentPrefix}.${a}`).join(", ")}`,
    `User states (nodes "${userPrefix}.<state>"): ${spec.userStates.map((s) => `${userPrefix}.${s}`).join(", ")}`,
    `The procedure starts at "${start}" and ends at "${sink}".`,
    ...(knowledge ? ["Task knowledge:", knowledge] : []),
  ].join("\n");
}

function rules(naming: SopNaming): string {
  return [
    "Rules for the SOP graph:",
    `- Use node names exactly as listed, with their prefixes "${naming.agentPrefix}." and "${naming.userPrefix}.".`,
    `- Every dialogue starts at "${naming.start}" and ends at "${naming.sink}"; "${naming.sink}" has no successors.`,
    "- An agent action is followed by the user states that can answer it, or directly by the next agent action.",
    "- A user state is followed only by agent actions, never by another user state.",
    "- Every node lies on a path from the start to the end; include only the task's own steps — generic actions such",
    "  as greeting, empathising or chit-chat are used off the procedure and need not appear.",
  ].join("\n");
}

const SYSTEM = "You design Standard Operating Procedures (SOPs) for task-oriented dialogue agents as directed graphs.";

const JSON_FORMAT =
  'Answer with only a JSON object mapping every node to the list of its successors, e.g. {"A.start": ["A.ask"], "A.ask": ["U.yes", "U.no"], …}.';

/** ChatSOP's direct prompt ("DAL"): the task, the rules, and a request for the JSON adjacency list. */
export function dalMessages(spec: SopTaskSpec, options: PromptOptions = {}): ChatMessage[] {
  return [
    { role: "system", content: SYSTEM },
    { role: "user", content: `${describeTask(spec, options)}\n\n${rules(spec.naming)}\n\n${JSON_FORMAT}` },
  ];
}

/** TCoT step one: describe the procedure in prose, branch by branch. */
export function tcotDescribeMessages(spec: SopTaskSpec, options: PromptOptions = {}): ChatMessage[] {
  return [
    { role: "system", content: SYSTEM },
    {
      role: "user",
      content: `${describeTask(spec, options)}\n\n${rules(spec.naming)}\n\nFirst describe the procedure step by step in prose: which action the agent takes at each step, which user states can answer it, and what the agent does next in each case, until the dialogue ends. Do not write JSON yet.`,
    },
  ];
}

/** TCoT step two: translate the model's own description into the JSON adjacency list. */
export function tcotTranslateMessages(spec: SopTaskSpec, description: string, options: PromptOptions = {}): ChatMessage[] {
  return [
    ...tcotDescribeMessages(spec, options),
    { role: "assistant", content: description },
    { role: "user", content: `Now translate the procedure you described into the SOP graph.\n${rules(spec.naming)}\n\n${JSON_FORMAT}` },
  ];
}

/** The follow-up asking the model to fix an answer that could not be read. */
export function repairMessage(reason: string): ChatMessage {
  return { role: "user", content: `Your answer could not be read (${reason}). ${JSON_FORMAT}` };
}
