import { sopdailNode, type Dialogue, type SopdailTask } from "@foresight/dialogue";
import { SopCorpusWorld } from "@foresight/llm-sim";
import { loadSop } from "@foresight/sop-graph";
import { SOPDAIL_NAMING } from "@foresight/sop-graph";
import type { SopDomain } from "./domain.js";

const A = (label: string) => sopdailNode("agent", label);
const U = (label: string) => sopdailNode("user", label);

/**
 * A hand-built task where success needs a proactive action: the SOP goes 介绍活动 (introduce) → 明确同意 (agree)
 * → 告知成功 (notify success), and sends a worried user (担忧疑惑) straight to 礼貌结束 (polite end); in the
 * dialogues, relieving the doubts (排忧解惑, off the SOP) turns a worried user into an agreeing one.
 */
export const PROACTIVE_TASK: SopdailTask = {
  id: "demo-proactive",
  domain: "demo",
  task: "proactive",
  file: "demo-proactive.json",
  userProfile: {},
  agentIdentity: "活动专员",
  agentGoal: "邀请用户参加活动",
  successMarks: [A("告知成功")],
  knowledge: {},
  agentActions: ["开始", "介绍活动", "告知成功", "礼貌结束", "排忧解惑"],
  userStates: ["明确同意", "担忧疑惑", "结束"],
  sop: {
    vertex: [],
    mermaid: "",
    adjacencyList: {
      [A("开始")]: [A("介绍活动")],
      [A("介绍活动")]: [U("明确同意"), U("担忧疑惑")],
      [U("明确同意")]: [A("告知成功")],
      [A("告知成功")]: [A("礼貌结束")],
      [U("担忧疑惑")]: [A("礼貌结束")],
      [A("礼貌结束")]: [],
    },
  },
};

function dialogue(id: string, nodes: readonly string[]): Dialogue {
  return {
    id,
    domain: "sop",
    turns: nodes.map((node, i) => ({
      speaker: node.startsWith("代理.") ? ("system" as const) : ("user" as const),
      text: `${node} 第${i}句 ${id}`,
      state: { sopNode: node, label: node.slice(3) },
    })),
    metadata: { task: PROACTIVE_TASK.id },
  };
}

/** The fixture's dialogues: agreeing users, worried users won over by relieving doubts, and worried users let go. */
export function proactiveDialogues(): Dialogue[] {
  const out: Dialogue[] = [];
  for (let i = 0; i < 20; i++) out.push(dialogue(`agree-${i}`, [A("介绍活动"), U("明确同意"), A("告知成功"), A("礼貌结束"), U("结束")]));
  for (let i = 0; i < 20; i++) {
    out.push(dialogue(`won-${i}`, [A("介绍活动"), U("担忧疑惑"), A("排忧解惑"), U("明确同意"), A("告知成功"), A("礼貌结束"), U("结束")]));
  }
  for (let i = 0; i < 10; i++) out.push(dialogue(`lost-${i}`, [A("介绍活动"), U("担忧疑惑"), A("礼貌结束"), U("结束")]));
  return out;
}

/** The fixture's domain: its world fit on the dialogues and its SOP. */
export function proactiveDomain(): SopDomain {
  const world = SopCorpusWorld.build({ task: PROACTIVE_TASK.id, tasks: [PROACTIVE_TASK], dialogues: proactiveDialogues() });
  const graph = loadSop({ adjacencyList: PROACTIVE_TASK.sop.adjacencyList, successMarks: PROACTIVE_TASK.successMarks }, { naming: SOPDAIL_NAMING }).graph;
  return { world, graph };
}
