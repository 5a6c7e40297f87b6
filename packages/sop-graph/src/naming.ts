/** How an SOP spells its roles: prefixes of agent actions and user states, and the start and sink nodes. */
export interface SopNaming {
  /** Prefix of agent-action nodes, without the separator (`Agent`, `代理`). */
  agentPrefix: string;
  /** Prefix of user-state nodes, without the separator (`User`, `用户`). */
  userPrefix: string;
  /** The single source every dialogue starts from (`Agent.Start`). */
  start: string;
  /** The sink every dialogue ends in (`Agent.PoliteEnd`). */
  sink: string;
}

/** ChatSOP's English convention: `Agent.X`, `User.Y`, from `Agent.Start` to `Agent.PoliteEnd`. */
export const ENGLISH_NAMING: SopNaming = Object.freeze({
  agentPrefix: "Agent",
  userPrefix: "User",
  start: "Agent.Start",
  sink: "Agent.PoliteEnd",
});

/** SOPDAIL's Chinese convention: `代理.X`, `用户.Y`, from `代理.开始` to `代理.礼貌结束`. */
export const SOPDAIL_NAMING: SopNaming = Object.freeze({
  agentPrefix: "代理",
  userPrefix: "用户",
  start: "代理.开始",
  sink: "代理.礼貌结束",
});

/** The kind of an SOP node: an agent action, a user state, or a name with neither prefix. */
export type SopNodeKind = "agent" | "user" | "unknown";

/** The kind of a node name under a naming convention. */
export function nodeKind(name: string, naming: SopNaming): SopNodeKind {
  if (name.startsWith(`${naming.agentPrefix}.`)) return "agent";
  if (name.startsWith(`${naming.userPrefix}.`)) return "user";
  return "unknown";
}

/** The name without its role prefix (`Agent.Greet` → `Greet`); unchanged when it has none. */
export function nodeLabel(name: string, naming: SopNaming): string {
  const kind = nodeKind(name, naming);
  if (kind === "agent") return name.slice(naming.agentPrefix.length + 1);
  if (kind === "user") return name.slice(naming.userPrefix.length + 1);
  return name;
}

/** Picks SOPDAIL's naming when any name uses its prefixes, else the English one. */
export function detectNaming(names: Iterable<string>): SopNaming {
  for (const name of names) {
    if (nodeKind(name, SOPDAIL_NAMING) !== "unknown") return SOPDAIL_NAMING;
  }
  return ENGLISH_NAMING;
}
