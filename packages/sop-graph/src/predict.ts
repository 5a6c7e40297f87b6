import type { ChatMessage, ChatModel } from "@foresight/llm-sim";
import { toAdjacencyList, type AdjacencyList } from "./adjacency.js";
import { extractSop } from "./extract.js";
import { SopFormatError, issue, noErrors, type SopIssue, type SopReport } from "./issues.js";
import { loadSop } from "./load.js";
import { parseMermaid } from "./mermaid.js";
import { dalMessages, repairMessage, tcotDescribeMessages, tcotTranslateMessages, type PromptOptions, type SopTaskSpec } from "./prompts.js";

/** ChatSOP's two offline prediction prompts: direct JSON ("dal") or describe-then-translate ("tcot"). */
export type SopPredictionMethod = "dal" | "tcot";

/** Options for {@link predictSop}. */
export interface PredictSopOptions extends PromptOptions {
  method?: SopPredictionMethod;
  /** Sampling temperature (default 0.1, the paper's). */
  temperature?: number;
  /** Nucleus sampling top-p (default 0.1, the paper's). */
  topP?: number;
  maxTokens?: number;
  /** How many times to ask for the graph when an answer cannot be read (default 2). */
  attempts?: number;
  /** Validate in tolerant mode (default true). */
  tolerant?: boolean;
  gloss?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

/** A predicted SOP with the model's raw answers and what was repaired. */
export interface SopPrediction extends SopReport {
  method: SopPredictionMethod;
  /** TCoT's prose description (step one). */
  description?: string;
  /** Every raw answer that was asked for the graph, in order. */
  answers: string[];
  attempts: number;
  usage: { promptTokens: number; completionTokens: number };
  /** Every fallback the reading took, counted: renamed nodes, names off the vertices, a mermaid answer, re-asks. */
  fallbacks: { renamedNodes: number; unknownNodes: number; mermaid: number; repairs: number };
}

/** The model never gave a readable SOP; carries its answers. */
export class SopPredictionError extends Error {
  constructor(
    message: string,
    readonly answers: string[],
  ) {
    super(message);
    this.name = "SopPredictionError";
  }
}

const ENGLISH_AGENT = /^(agent|a)\s*[.:]\s*/i;
const ENGLISH_USER = /^(user|u)\s*[.:]\s*/i;

/**
 * Maps a predicted name onto the task's vocabulary: keeps a listed name; fixes a missing, English or wrong prefix
 * when the label is in the agent-action or user-state list (agent first when in both, unless `preferUser`).
 * Returns undefined when the name is not recognisable.
 */
function canonicalName(name: string, spec: SopTaskSpec, preferUser: boolean): string | undefined {
  const { agentPrefix, userPrefix, start, sink } = spec.naming;
  const trimmed = name.trim();
  if (trimmed === start || trimmed === sink) return trimmed;
  let label = trimmed;
  for (const prefix of [`${agentPrefix}.`, `${userPrefix}.`]) if (label.startsWith(prefix)) label = label.slice(prefix.length);
  label = label.replace(ENGLISH_AGENT, "").replace(ENGLISH_USER, "");
  const isAgent = spec.agentActions.includes(label);
  const isUser = spec.userStates.includes(label);
  if (isAgent && isUser) return preferUser ? `${userPrefix}.${label}` : `${agentPrefix}.${label}`;
  if (isAgent) return `${agentPrefix}.${label}`;
  if (isUser) return `${userPrefix}.${label}`;
  if (/^start$/i.test(label)) return start;
  if (/^(polite\s*)?end$/i.test(label)) return sink;
  return undefined;
}

/** Renames predicted nodes onto the vocabulary, reporting each rename and each unknown name. */
function normalizeAdjacency(adjacency: AdjacencyList, spec: SopTaskSpec): { adjacency: AdjacencyList; issues: SopIssue[] } {
  const issues: SopIssue[] = [];
  const renamed = new Map<string, string>();
  const unknown = new Set<string>();
  const userPrefix = `${spec.naming.userPrefix}.`;
  const rename = (name: string, preferUser: boolean): string => {
    const known = renamed.get(name);
    if (known) return known;
    const canonical = canonicalName(name, spec, name.startsWith(userPrefix) || preferUser) ?? name;
    if (canonical !== name) {
      renamed.set(name, canonical);
      issues.push(issue("repaired", "renamed-node", `renamed "${name}" to "${canonical}"`, [name, canonical]));
    }
    const offVertices = spec.vertices !== undefined && spec.vertices.length > 0 && !spec.vertices.includes(canonical);
    if (canonical === name && (canonicalName(name, spec, preferUser) === undefined || offVertices) && !unknown.has(name)) {
      unknown.add(name);
      issues.push(issue("warning", "undeclared-vertex", `"${name}" is not among the given vertices or the task's actions and user states`, [name]));
    }
    return canonical;
  };
  const out: AdjacencyList = {};
  for (const [from, tos] of Object.entries(adjacency)) {
    const source = rename(from, false);
    const fromIsAgent = source.startsWith(`${spec.naming.agentPrefix}.`);
    const list = out[source] ?? (out[source] = []);
    for (const to of tos) {
      const target = rename(to, fromIsAgent);
      if (!list.includes(target)) list.push(target);
    }
  }
  return { adjacency: out, issues };
}

async function ask(model: ChatModel, messages: ChatMessage[], options: PredictSopOptions, usage: SopPrediction["usage"]): Promise<string> {
  const response = await model.complete({
    messages,
    n: 1,
    temperature: options.temperature ?? 0.1,
    topP: options.topP ?? 0.1,
    ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    role: "sop-predictor",
  });
  usage.promptTokens += response.usage.promptTokens;
  usage.completionTokens += response.usage.completionTokens;
  const text = response.choices[0]?.text;
  if (text === undefined) throw new SopPredictionError(`model ${model.id} returned no choice`, []);
  return text;
}

/**
 * Predicts a task's SOP with an LLM (ChatSOP's offline planner). `dal` asks directly for the JSON adjacency list;
 * `tcot` first asks for a prose description of the procedure, then for its translation into JSON. The answer is
 * read robustly (fenced or bare JSON, envelopes, trailing commas, mermaid as a fallback); names are mapped onto the
 * task's vocabulary; an unreadable answer is re-asked up to `attempts` times with the reason; the graph is then
 * validated (tolerant by default) and every repair is reported.
 */
export async function predictSop(model: ChatModel, spec: SopTaskSpec, options: PredictSopOptions = {}): Promise<SopPrediction> {
  const method = options.method ?? "dal";
  const attempts = Math.max(1, options.attempts ?? 2);
  const usage = { promptTokens: 0, completionTokens: 0 };
  let description: string | undefined;
  let messages: ChatMessage[];
  if (method === "tcot") {
    description = await ask(model, tcotDescribeMessages(spec, options), options, usage);
    messages = tcotTranslateMessages(spec, description, options);
  } else {
    messages = dalMessages(spec, options);
  }
  const answers: string[] = [];
  let lastError = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const answer = await ask(model, messages, options, usage);
    answers.push(answer);
    try {
      const extracted = extractSop(answer);
      const graphOptions = { naming: spec.naming, successMarks: spec.successMarks, ...(options.gloss ? { gloss: options.gloss } : {}) };
      let adjacency: AdjacencyList;
      if (extracted.kind === "adjacency") {
        adjacency = extracted.adjacencyList;
      } else {
        const fromMermaid = parseMermaid(extracted.mermaid, { ...graphOptions, tolerant: true });
        if (!fromMermaid.ok) throw new SopFormatError(fromMermaid.issues.find((i) => i.severity === "error")?.message ?? "bad mermaid");
        adjacency = toAdjacencyList(fromMermaid.graph);
      }
      const normalized = normalizeAdjacency(adjacency, spec);
      const report = loadSop({ adjacencyList: normalized.adjacency }, { ...graphOptions, tolerant: options.tolerant ?? true });
      const issues = [...normalized.issues, ...report.issues];
      const fallbacks = {
        renamedNodes: normalized.issues.filter((i) => i.code === "renamed-node").length,
        unknownNodes: normalized.issues.filter((i) => i.code === "undeclared-vertex").length,
        mermaid: extracted.kind === "mermaid" ? 1 : 0,
        repairs: attempt - 1,
      };
      const prediction: SopPrediction = { graph: report.graph, issues, ok: noErrors(issues), method, answers, attempts: attempt, usage, fallbacks };
      if (description !== undefined) prediction.description = description;
      return prediction;
    } catch (error) {
      if (!(error instanceof SopFormatError)) throw error;
      lastError = error.message;
      messages = [...messages, { role: "assistant", content: answer }, repairMessage(lastError, spec.naming)];
    }
  }
  throw new SopPredictionError(`no readable SOP after ${attempts} attempt(s): ${lastError}`, answers);
}
