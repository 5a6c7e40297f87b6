import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { CorpusError, readJsonFile, requireCorpusDir, resolveDataDir } from "../core/data-dir.js";
import { SkippedRecords, type RecordTolerance } from "../core/skipped.js";
import type { Dialogue, Turn } from "../core/schema.js";
import { sopdailNode } from "./gloss.js";
import {
  RawSopdailDialogueSchema,
  RawSopdailTaskSchema,
  type RawSopdailDialogue,
  type RawSopdailTask,
  type SopdailSop,
  type SopdailTask,
  type SopdailTurnState,
} from "./schema.js";

/** Options for {@link loadSopdailTasks}; a malformed task file is skipped with a warning unless `strict`. */
export interface LoadSopdailTasksOptions extends RecordTolerance {
  /** The shared data folder (default: {@link resolveDataDir}). */
  dataDir?: string;
}

/** Options for {@link loadSopdailDialogues}; a malformed or empty dialogue file is skipped with a warning unless `strict`. */
export interface LoadSopdailDialoguesOptions extends RecordTolerance {
  /** The shared data folder (default: {@link resolveDataDir}). */
  dataDir?: string;
  /** Only the dialogues of this task id (`airport-check_in`) or these ids; all tasks when absent. */
  task?: string | readonly string[];
  /** Tasks already loaded with {@link loadSopdailTasks}, to avoid reading them again. */
  tasks?: readonly SopdailTask[];
}

const DIALOGUE_FILE = /^(.+)-dialogue_([^/\\]+)\.json$/;

function requireSubDir(root: string, name: string): string {
  const dir = join(root, name);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CorpusError(dir, `SOPDAIL folder "${name}" not found in ${root}`);
  }
  return dir;
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort();
}

function sopOf(raw: RawSopdailTask["sop"]): SopdailSop {
  return { vertex: raw.vertex, mermaid: raw.mermaid, adjacencyList: raw.adjacency_list };
}

function taskFromRaw(raw: RawSopdailTask, file: string): SopdailTask {
  const id = basename(file, ".json");
  if (`${raw.domain}-${raw.task}` !== id) {
    throw new CorpusError(file, `domain "${raw.domain}" and task "${raw.task}" do not match the file name "${id}"`, "task");
  }
  const { 代理身份: agentIdentity, 代理目标: agentGoal, 成功标记: marks, ...knowledge } = raw.conversation_profile;
  return {
    id,
    domain: raw.domain,
    task: raw.task,
    file,
    userProfile: raw.user_profile,
    agentIdentity,
    agentGoal,
    successMarks: typeof marks === "string" ? [marks] : marks,
    knowledge,
    agentActions: raw.agent_action,
    userStates: raw.user_state,
    sop: sopOf(raw.sop),
  };
}

/**
 * Loads and validates the 40 SOPDAIL task definitions (`sopdail/task/*.json`), sorted by id. A malformed task file
 * is skipped with a counted warning (its dialogues are then skipped too), or raised in strict mode.
 */
export function loadSopdailTasks(options: LoadSopdailTasksOptions = {}): SopdailTask[] {
  const root = requireCorpusDir(resolveDataDir(options.dataDir), "sopdail");
  const dir = requireSubDir(root, "task");
  const files = jsonFiles(dir);
  if (files.length === 0) throw new CorpusError(dir, "no task files (*.json) found");
  const skipped = new SkippedRecords("sopdail tasks", options);
  const tasks = files.flatMap((name) => {
    const file = join(dir, name);
    try {
      return [taskFromRaw(readJsonFile(file, RawSopdailTaskSchema), file)];
    } catch (error) {
      if (!(error instanceof CorpusError)) throw error;
      skipped.skip(file, error);
      return [];
    }
  });
  skipped.finish(files.length);
  if (tasks.length === 0) throw new CorpusError(dir, `none of the ${files.length} task files is valid`);
  return tasks;
}

/** The annotated SOP node of a SOPDAIL turn (`代理.核对身份`), or undefined when the turn carries none. */
export function sopdailNodeOf(turn: Pick<Turn, "state">): string | undefined {
  const node = turn.state?.sopNode;
  return typeof node === "string" ? node : undefined;
}

/** Structural equality of JSON values: arrays in order, objects regardless of key order. */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bRecord = b as Record<string, unknown>;
  if (aKeys.length !== Object.keys(bRecord).length) return false;
  return aKeys.every((key) => Object.hasOwn(bRecord, key) && jsonEqual((a as Record<string, unknown>)[key], bRecord[key]));
}

function dialogueFromRaw(raw: RawSopdailDialogue, file: string, id: string, sessionId: string, task: SopdailTask): Dialogue {
  if (`${raw.domain}-${raw.task}` !== task.id) {
    throw new CorpusError(file, `domain "${raw.domain}" and task "${raw.task}" do not match the task "${task.id}" in the file name`, "task");
  }
  const agentVocabulary = new Set(raw.agent_action);
  const userVocabulary = new Set(raw.user_state);
  const turns: Turn[] = raw.dialogue.dialogues.map((utterance) => {
    const isAgent = utterance.role === "Agent";
    const label = utterance.action_annotation;
    const state: SopdailTurnState = {
      sopNode: sopdailNode(isAgent ? "agent" : "user", label),
      label,
      inVocabulary: (isAgent ? agentVocabulary : userVocabulary).has(label),
    };
    const turn: Turn = {
      speaker: isAgent ? "system" : "user",
      text: utterance.script_annotation,
      acts: [{ intent: label }],
      state,
    };
    if (utterance.session_id !== sessionId) turn.metadata = { sessionId: utterance.session_id };
    return turn;
  });
  const marks = raw.conversation_profile.成功标记;
  const successMarks = typeof marks === "string" ? [marks] : marks;
  const visited = new Set(turns.map((turn) => sopdailNodeOf(turn)));
  const successMarksReached = successMarks.filter((mark) => visited.has(mark));
  const metadata: Record<string, unknown> = {
    corpus: "sopdail",
    task: task.id,
    taskDomain: raw.domain,
    taskName: raw.task,
    sessionId,
    file,
    userProfile: raw.user_profile,
  };
  if (!jsonEqual(raw.sop, { vertex: task.sop.vertex, mermaid: task.sop.mermaid, adjacency_list: task.sop.adjacencyList })) {
    metadata.sop = sopOf(raw.sop);
  }
  if (!jsonEqual(raw.agent_action, task.agentActions)) metadata.agentActions = raw.agent_action;
  if (!jsonEqual(raw.user_state, task.userStates)) metadata.userStates = raw.user_state;
  return {
    id,
    domain: "sop",
    turns,
    goal: {
      agentIdentity: raw.conversation_profile.代理身份,
      agentGoal: raw.conversation_profile.代理目标,
      successMarks,
    },
    outcome: { success: successMarksReached.length > 0, successMarksReached },
    metadata,
  };
}

/**
 * Loads and validates SOPDAIL's annotated dialogues (`sopdail/dialogue/*.json`), sorted by file name. Each becomes
 * a Dialogue of domain `"sop"`: Agent turns are `system`, User turns `user`; the annotated agent action or user
 * state is the turn's single act and `turn.state` (a {@link SopdailTurnState}). `metadata.task` names the task;
 * `metadata.sop` holds the dialogue's own SOP when it differs from its task's (likewise `agentActions` /
 * `userStates`). `outcome.success` says whether one of the task's success marks occurs in the dialogue. A malformed
 * or empty dialogue file is skipped with a counted warning naming it, or raised in strict mode.
 */
export function loadSopdailDialogues(options: LoadSopdailDialoguesOptions = {}): Dialogue[] {
  const root = requireCorpusDir(resolveDataDir(options.dataDir), "sopdail");
  const tasks = options.tasks ?? loadSopdailTasks({ dataDir: options.dataDir, strict: options.strict, onWarning: options.onWarning });
  const byId = new Map(tasks.map((task) => [task.id, task]));
  const wanted = options.task === undefined ? undefined : new Set(typeof options.task === "string" ? [options.task] : options.task);
  for (const id of wanted ?? []) {
    if (!byId.has(id)) {
      throw new CorpusError(join(root, "task"), `unknown task "${id}"; known tasks: ${[...byId.keys()].join(", ")}`, "task");
    }
  }
  const dir = requireSubDir(root, "dialogue");
  const files = jsonFiles(dir);
  if (files.length === 0) throw new CorpusError(dir, "no dialogue files (*.json) found");
  const skipped = new SkippedRecords("sopdail dialogues", options);
  const dialogues: Dialogue[] = [];
  let records = 0;
  for (const name of files) {
    const file = join(dir, name);
    const match = DIALOGUE_FILE.exec(name);
    const [, taskId = "", sessionId = ""] = match ?? [];
    if (match && wanted && !wanted.has(taskId)) continue;
    records++;
    try {
      if (!match) throw new CorpusError(file, 'a dialogue file name must be "<domain>-<task>-dialogue_<id>.json"');
      const task = byId.get(taskId);
      if (!task) throw new CorpusError(file, `no task "${taskId}" in ${join(root, "task")} for this dialogue`, "task");
      dialogues.push(dialogueFromRaw(readJsonFile(file, RawSopdailDialogueSchema), file, basename(name, ".json"), sessionId, task));
    } catch (error) {
      if (!(error instanceof CorpusError)) throw error;
      skipped.skip(file, error);
    }
  }
  skipped.finish(records);
  return dialogues;
}
