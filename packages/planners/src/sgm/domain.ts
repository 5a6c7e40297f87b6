import { createRng, loadSopdailDialogues, loadSopdailTasks, sopdailNode, splitSopdailNode, type SopdailTask, type Turn } from "@foresight/dialogue";
import { SopCorpusWorld, sopdailTaskSplit, toSopNode } from "@foresight/llm-sim";
import { readSopFile, sopFromSopdailTask, type SopGraph } from "@foresight/sop-graph";
import { PlannerInputError, type Conversation, type ConversationTurn } from "../types.js";

/** What an SOP planner plans with for one task: the planning world (corpus statistics) and the SOP it follows. */
export interface SopDomain {
  world: SopCorpusWorld;
  graph: SopGraph;
}

/** Options of {@link loadSopDomain}. */
export interface SopDomainOptions {
  dataDir?: string;
  /** Fit the planning world on one half of the task's training dialogues (mismatched planning), default all. */
  half?: "a" | "b";
  /** Follow this SOP file (e.g. a DAL/TCoT prediction) instead of the task's gold SOP. */
  sopFile?: string;
  tasks?: readonly SopdailTask[];
}

const taskCache = new Map<string, SopdailTask[]>();

/** The SOPDAIL tasks of a data folder, read once per process. */
export function sopdailTasks(dataDir?: string): SopdailTask[] {
  const key = dataDir ?? "";
  let tasks = taskCache.get(key);
  if (!tasks) {
    tasks = loadSopdailTasks({ dataDir });
    taskCache.set(key, tasks);
  }
  return tasks;
}

/** Builds a task's planning world and loads the SOP to follow (the task's own unless `sopFile` is given). */
export function loadSopDomain(task: string, options: SopDomainOptions = {}): SopDomain {
  const tasks = options.tasks ?? sopdailTasks(options.dataDir);
  const world = SopCorpusWorld.build({
    task,
    tasks,
    dialogues: loadSopdailDialogues({ dataDir: options.dataDir, task, tasks }),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.half ? { half: options.half } : {}),
  });
  const graph = options.sopFile ? readSopFile(options.sopFile).graph : sopFromSopdailTask(world.task).graph;
  return { world, graph };
}

const domains = new Map<string, SopDomain>();

/**
 * {@link loadSopDomain} built once per process for each data folder, task, half and SOP file: the planners the
 * factories make (one per bench episode or server session) and the bench's judge worlds share them.
 */
export function sharedSopDomain(task: string, options: Omit<SopDomainOptions, "tasks"> = {}): SopDomain {
  const key = [options.dataDir ?? "", task, options.half ?? "all", options.sopFile ?? ""].join("\u0000");
  let domain = domains.get(key);
  if (!domain) {
    domain = loadSopDomain(task, options);
    domains.set(key, domain);
  }
  return domain;
}

/** The task named by a conversation's context; a one-line error when it is missing or not a string. */
export function taskOf(conversation: Conversation, planner: string): string {
  const task = conversation.context?.task;
  if (typeof task !== "string" || task === "") {
    throw new PlannerInputError(`${planner} needs context.task: a SOPDAIL task id (e.g. "airport-check_in")`, "conversation.context.task");
  }
  return task;
}

/** A planner conversation as dialogue turns whose SOP nodes come from their acts (labels with or without prefix). */
export function toDialogueTurns(turns: readonly ConversationTurn[]): Turn[] {
  return turns.map((turn) => {
    const out: Turn = { speaker: turn.speaker === "agent" ? "system" : "user", text: turn.text };
    if (turn.act) {
      const node = toSopNode(turn.act, turn.speaker === "agent" ? "agent" : "user");
      out.state = { sopNode: node, label: splitSopdailNode(node)!.label };
    }
    return out;
  });
}

/**
 * A held-out SOPDAIL conversation cut before an agent turn: a held-out task (or `context.task`), one of its
 * held-out dialogues and the cut chosen by `seed`. Acts are the annotated nodes.
 */
export function heldOutSopConversation(options: { seed: number; dataDir?: string; context?: Record<string, string> }): Conversation {
  const tasks = sopdailTasks(options.dataDir);
  const rng = createRng(options.seed);
  const heldOut = sopdailTaskSplit(tasks.map((t) => t.id)).test;
  const task = options.context?.task ?? heldOut[rng.int(heldOut.length)]!;
  const { world } = sharedSopDomain(task, options.dataDir ? { dataDir: options.dataDir } : {});
  const dialogues = world.test.filter((d) => d.turns.some((t, i) => i > 0 && t.speaker === "system"));
  if (dialogues.length === 0) throw new Error(`task ${task} has no held-out dialogue with an agent turn to plan`);
  const dialogue = dialogues[rng.int(dialogues.length)]!;
  const cuts = dialogue.turns.flatMap((t, i) => (i > 0 && t.speaker === "system" ? [i] : []));
  const cut = cuts[rng.int(cuts.length)]!;
  return {
    turns: dialogue.turns.slice(0, cut).map((t) => ({
      speaker: t.speaker === "system" ? "agent" : "user",
      text: t.text,
      ...(typeof t.state?.sopNode === "string" ? { act: t.state.sopNode } : {}),
    })),
    context: { task, dialogueId: dialogue.id, goldNext: String(dialogue.turns[cut]!.state?.sopNode ?? sopdailNode("agent", "")) },
  };
}
