/** The prefix of agent-action nodes in SOPDAIL SOPs (`代理.X`, Agent.X). */
export const SOPDAIL_AGENT_PREFIX = "代理";

/** The prefix of user-state nodes in SOPDAIL SOPs (`用户.Y`, User.Y). */
export const SOPDAIL_USER_PREFIX = "用户";

/** The SOP's start node, Agent.Start. */
export const SOPDAIL_START = "代理.开始";

/** The SOP's sink node, Agent.PoliteEnd. */
export const SOPDAIL_SINK = "代理.礼貌结束";

/**
 * English glosses of SOPDAIL's generic node names (the ones shared by every task), Chinese → English. The same word
 * means the same as an agent action and as a user state (打招呼, 闲聊 and 感谢 occur as both). Task-specific names
 * (e.g. 核对订单号) have no gloss and are kept in Chinese.
 */
export const SOPDAIL_GLOSS: Readonly<Record<string, string>> = Object.freeze({
  // agent actions
  开始: "start",
  打招呼: "greet",
  核对身份: "verify identity",
  共情安抚: "empathize",
  建立信任: "build trust",
  排忧解惑: "relieve doubts",
  尝试说服: "attempt persuasion",
  闲聊: "chit-chat",
  感谢: "thank",
  其他动作: "other action",
  礼貌结束: "polite end",
  // user states
  习惯性应答可以继续: 'habitual "ok, go on"',
  没听懂: "did not understand",
  担忧疑惑: "worried/doubtful",
  抱怨: "complain",
  投诉: "formal complaint",
  拖延决策: "delays deciding",
  结束: "end",
  不礼貌用语: "impolite language",
  不感兴趣: "not interested",
  不方便: "inconvenient",
  其他意图: "other intent",
});

/** Which side a SOPDAIL node belongs to. */
export type SopdailRole = "agent" | "user";

/** A node name split into its role and its label (`代理.核对身份` → agent, `核对身份`). */
export interface SopdailNodeParts {
  role: SopdailRole;
  label: string;
}

/** The full node name of a label: `sopdailNode("agent", "核对身份")` is `代理.核对身份`. */
export function sopdailNode(role: SopdailRole, label: string): string {
  return `${role === "agent" ? SOPDAIL_AGENT_PREFIX : SOPDAIL_USER_PREFIX}.${label}`;
}

/** Splits `代理.X` / `用户.Y` into role and label; undefined when the name has neither prefix. */
export function splitSopdailNode(node: string): SopdailNodeParts | undefined {
  if (node.startsWith(`${SOPDAIL_AGENT_PREFIX}.`)) return { role: "agent", label: node.slice(SOPDAIL_AGENT_PREFIX.length + 1) };
  if (node.startsWith(`${SOPDAIL_USER_PREFIX}.`)) return { role: "user", label: node.slice(SOPDAIL_USER_PREFIX.length + 1) };
  return undefined;
}

/**
 * An English reading of a label or node name: `代理.核对身份` → `Agent.verify identity`, `礼貌结束` → `polite end`.
 * Parts without a gloss are kept as they are (`代理.核对订单号` → `Agent.核对订单号`).
 */
export function glossSopdail(name: string): string {
  const parts = splitSopdailNode(name);
  if (!parts) return SOPDAIL_GLOSS[name] ?? name;
  const prefix = parts.role === "agent" ? "Agent" : "User";
  return `${prefix}.${SOPDAIL_GLOSS[parts.label] ?? parts.label}`;
}
