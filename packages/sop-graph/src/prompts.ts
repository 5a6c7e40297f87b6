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
  /** The SOP's vertices (node names with prefixes): given, the model predicts only the edges (ChatSOP's setting). */
  vertices?: string[];
  /** Domain knowledge by topic (optional, truncated in prompts). */
  knowledge?: Record<string, string>;
  /** The user's profile shown with the task profile (optional). */
  userProfile?: Record<string, unknown>;
  naming: SopNaming;
}

/** The prediction spec of a SOPDAIL task: its SOP's vertices are given, the model predicts the edges (as in ChatSOP). */
export function sopdailTaskSpec(task: SopdailTask): SopTaskSpec {
  const adjacency = task.sop.adjacencyList;
  const vertices = [...new Set([...task.sop.vertex, ...Object.keys(adjacency), ...Object.values(adjacency).flat()])];
  return {
    agentIdentity: task.agentIdentity,
    agentGoal: task.agentGoal,
    successMarks: task.successMarks,
    agentActions: task.agentActions,
    userStates: task.userStates,
    vertices,
    knowledge: task.knowledge,
    userProfile: task.userProfile,
    naming: SOPDAIL_NAMING,
  };
}

/** Options for the prompt texts. */
export interface PromptOptions {
  /** At most this many characters of knowledge in the prompt (default 1,500). */
  knowledgeChars?: number;
}

/** The vertices the model must connect: the spec's SOP vertices, or every prefixed action and state of the vocabulary. */
export function specVertices(spec: SopTaskSpec): string[] {
  if (spec.vertices && spec.vertices.length > 0) return [...spec.vertices];
  const { agentPrefix, userPrefix, start, sink } = spec.naming;
  const prefixed = [...spec.agentActions.map((a) => `${agentPrefix}.${a}`), ...spec.userStates.map((s) => `${userPrefix}.${s}`)];
  return [...new Set([start, ...prefixed, sink])];
}

/** ChatSOP's "Task Profile" (and the user profile when known) as the JSON its prompts show. */
export function describeTask(spec: SopTaskSpec, options: PromptOptions = {}): string {
  const limit = options.knowledgeChars ?? 1500;
  let knowledge = Object.entries(spec.knowledge ?? {})
    .map(([topic, text]) => `${topic}: ${text}`)
    .join("\n");
  if (knowledge.length > limit) knowledge = `${knowledge.slice(0, limit)}…`;
  const profile = { agent_identity: spec.agentIdentity, task_goal: spec.agentGoal, success_mark: spec.successMarks, ...(knowledge ? { other_knowledge: knowledge } : {}) };
  const parts = [`Task Profile:\n${JSON.stringify(profile, null, 2)}`];
  if (spec.userProfile && Object.keys(spec.userProfile).length > 0) parts.push(`User Profile:\n${JSON.stringify(spec.userProfile, null, 2)}`);
  return parts.join("\n\n");
}

function vertexList(spec: SopTaskSpec): string {
  return specVertices(spec)
    .map((v) => JSON.stringify(v))
    .join(", ");
}

const MANAGER =
  "You are a professional business manager, having accumulated extensive knowledge of business processes and being adept at conversing with clients to complete business tasks.";

function rules(naming: SopNaming): string {
  return [
    `1. The SOP diagram starts with "${naming.start}" and ends with "${naming.sink}".`,
    `2. The subsequent nodes of a "${naming.userPrefix}" node are usually "${naming.agentPrefix}" nodes, and the subsequent nodes of an "${naming.agentPrefix}" node mostly require a response from a "${naming.userPrefix}" node. For some actions that do not require a response, the subsequent node of an "${naming.agentPrefix}" node can also be an "${naming.agentPrefix}" node.`,
    "3. If there is a verify-identity node in the task, only the person themselves can continue, and the conversation ends if it is not the person themselves.",
    "4. The JSON fields must include all nodes. If a vertex has no adjacent vertexes, represent it with [].",
    '5. Output only a JSON object mapping every vertex to the list of its successors, e.g. {"' +
      `${naming.start}": ["${naming.agentPrefix}.Node1"], "${naming.agentPrefix}.Node1": ["${naming.userPrefix}.Node1", "${naming.userPrefix}.Node2"], …}, using the vertex names exactly as given.`,
  ].join("\n");
}

/** ChatSOP's direct prompt ("DAL"): the task profile and the SOP's vertices; the model outputs every vertex's adjacency list. */
export function dalMessages(spec: SopTaskSpec, options: PromptOptions = {}): ChatMessage[] {
  return [
    { role: "system", content: MANAGER },
    {
      role: "user",
      content: [
        'Now, please create the standard operating procedure (SOP) diagram for this task based on the following "Task Profile". All vertexes of this SOP diagram are as follows "SOP Vertexes", and you need to output the list of adjacent vertexes for each vertex.',
        describeTask(spec, options),
        `SOP Vertexes:\n${vertexList(spec)}`,
        `Please strictly follow the requirements below:\n${rules(spec.naming)}`,
        "The adjacency list of all vertexes:",
      ].join("\n\n"),
    },
  ];
}

/** TCoT step one: analyse the vertexes in prose — the whole interaction, every branch (what if the user agrees or not). */
export function tcotDescribeMessages(spec: SopTaskSpec, options: PromptOptions = {}): ChatMessage[] {
  return [
    { role: "system", content: MANAGER },
    {
      role: "user",
      content: [
        "Now, based on the vertexes of the Standard Operating Procedure (SOP) diagram, please analyze all the vertexes. Write a passage analyzing the entire process of interaction and communication between the User and the Agent, covering all vertexes and all possible scenarios, such as what happens if the user agrees or disagrees. Do not write JSON.",
        describeTask(spec, options),
        `SOP vertexes:\n${vertexList(spec)}`,
        "Start analysis:",
      ].join("\n\n"),
    },
  ];
}

/** TCoT step two: translate the description (given as "Task Knowledge") into the adjacency list of the vertexes. */
export function tcotTranslateMessages(spec: SopTaskSpec, description: string, options: PromptOptions = {}): ChatMessage[] {
  return [
    { role: "system", content: MANAGER },
    {
      role: "user",
      content: [
        'Now please formulate the Standard Operating Procedure (SOP) diagram for this task. You can refer to the following "Task Knowledge", but it may not be comprehensive or accurate, and you do not need to strictly follow it. All nodes of the SOP diagram are as follows "SOP Diagram Nodes", and you need to output the list of adjacent nodes for each node, that is, the adjacency list of the entire SOP diagram; translate the procedure described into it.',
        describeTask(spec, options),
        `Task Knowledge:\n${description}`,
        `SOP Diagram Nodes:\n${vertexList(spec)}`,
        `Please strictly follow the requirements below:\n${rules(spec.naming)}`,
        "Adjacency list for all nodes:",
      ].join("\n\n"),
    },
  ];
}

/** The follow-up asking the model to fix an answer that could not be read. */
export function repairMessage(reason: string, naming: SopNaming): ChatMessage {
  return { role: "user", content: `Your answer could not be read (${reason}). Please answer again following the requirements:\n${rules(naming)}` };
}
