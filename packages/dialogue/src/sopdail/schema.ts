import { z } from "zod";
import { SOPDAIL_AGENT_PREFIX, SOPDAIL_USER_PREFIX } from "./gloss.js";

const nodeName = z
  .string()
  .min(1)
  .refine((name) => name.startsWith(`${SOPDAIL_AGENT_PREFIX}.`) || name.startsWith(`${SOPDAIL_USER_PREFIX}.`), {
    message: `an SOP node name must start with "${SOPDAIL_AGENT_PREFIX}." or "${SOPDAIL_USER_PREFIX}."`,
  });

/** The `sop` object of a SOPDAIL file as stored: vertex list, mermaid text and adjacency list. */
export const RawSopdailSopSchema = z.object({
  vertex: z.array(nodeName),
  mermaid: z.string(),
  adjacency_list: z.record(nodeName, z.array(nodeName)),
});

/** A user-profile value: text, a number (age) or a list of texts (e.g. ordered dishes). */
export const SopdailProfileValueSchema = z.union([z.string(), z.number(), z.array(z.string())]);
/** A user-profile value: text, a number or a list of texts. */
export type SopdailProfileValue = z.infer<typeof SopdailProfileValueSchema>;

/** `conversation_profile`: agent identity, goal, success marks (one node or a list) and free-text knowledge. */
export const RawConversationProfileSchema = z
  .object({
    代理身份: z.string(),
    代理目标: z.string(),
    成功标记: z.union([nodeName, z.array(nodeName).min(1)]),
  })
  .catchall(z.string());

/** The fields a task file and every dialogue file share. */
const taskShape = {
  user_profile: z.record(z.string(), SopdailProfileValueSchema),
  conversation_profile: RawConversationProfileSchema,
  agent_action: z.array(z.string().min(1)),
  user_state: z.array(z.string().min(1)),
  sop: RawSopdailSopSchema,
  domain: z.string().min(1),
  task: z.string().min(1),
};

/** A SOPDAIL task file (`task/<domain>-<task>.json`) as stored. */
export const RawSopdailTaskSchema = z.object(taskShape);
/** A SOPDAIL task file as stored. */
export type RawSopdailTask = z.infer<typeof RawSopdailTaskSchema>;

/** One annotated utterance of a SOPDAIL dialogue. */
export const RawSopdailUtteranceSchema = z.object({
  session_id: z.string(),
  role: z.enum(["Agent", "User"]),
  script_annotation: z.string(),
  action_annotation: z.string().min(1),
});

/** A SOPDAIL dialogue file (`dialogue/<domain>-<task>-dialogue_<id>.json`) as stored: the task's fields plus the dialogue. */
export const RawSopdailDialogueSchema = z.object({
  ...taskShape,
  dialogue: z.object({ dialogues: z.array(RawSopdailUtteranceSchema).min(1) }),
});
/** A SOPDAIL dialogue file as stored. */
export type RawSopdailDialogue = z.infer<typeof RawSopdailDialogueSchema>;

/** An SOP as SOPDAIL stores it, with the adjacency list under a camel-case name. */
export interface SopdailSop {
  /** Every vertex, in the file's order (may omit a vertex the adjacency list names only as a successor). */
  vertex: string[];
  /** The mermaid text exactly as stored (some files write `/n` where a line break is meant). */
  mermaid: string;
  /** Node → successors, in the file's order (the sink may appear only as a successor). */
  adjacencyList: Record<string, string[]>;
}

/** A validated SOPDAIL task. Names stay in Chinese; see `SOPDAIL_GLOSS` for English readings of the generic ones. */
export interface SopdailTask {
  /** `<domain>-<task>`, the task file's name without `.json` (e.g. `airport-check_in`). */
  id: string;
  domain: string;
  task: string;
  /** The file it was read from. */
  file: string;
  /** The example user's profile (姓名 name, 称呼 form of address, 年龄 age, 画像 persona…). */
  userProfile: Record<string, SopdailProfileValue>;
  /** 代理身份: who the agent is. */
  agentIdentity: string;
  /** 代理目标: what the agent must achieve. */
  agentGoal: string;
  /** 成功标记: the SOP nodes whose occurrence marks the task as achieved (always a list here). */
  successMarks: string[];
  /** The remaining `conversation_profile` entries: domain knowledge by topic (其他知识 = other knowledge/FAQ). */
  knowledge: Record<string, string>;
  /** Agent action labels (without the `代理.` prefix). */
  agentActions: string[];
  /** User state labels (without the `用户.` prefix). */
  userStates: string[];
  sop: SopdailSop;
}

/** What a SOPDAIL dialogue turn carries in `turn.state`. */
export type SopdailTurnState = {
  /** The annotated node with its prefix, e.g. `代理.核对身份` or `用户.身份信息错误`. */
  sopNode: string;
  /** The annotation as written (the node without prefix). */
  label: string;
  /** Whether the label is in the dialogue's own agent-action / user-state list. */
  inVocabulary: boolean;
};
