import { matchLabel, type LabelMatch } from "./labels.js";

/** Where ChatSOP's prompts ask the model to put its answer, by what is asked. */
const MARKERS = {
  action: [/best\s+agent\s+action\s+is\s*[:：]/gi, /agent\s+action\s*[:：]/gi, /代理动作\s*[:：]/g],
  state: [/user\s+state\s*[:：]/gi, /用户状态\s*[:：]/g],
} as const;

/** A node read from model output, and how. */
export interface SopChoice {
  node: string;
  /** `marked`: found after the prompt's answer marker; otherwise matchLabel's method on the whole output (a fallback). */
  method: "marked" | LabelMatch["method"];
  /** True when the answer marker was missing or named no node and the whole output was searched instead. */
  fallback: boolean;
}

/** The text after the last answer marker of the kind ("…best agent action is:", "User State:"), to the end of its line; undefined when there is none. */
export function sopAnswerSpan(text: string, kind: keyof typeof MARKERS): string | undefined {
  let best: { at: number; end: number } | undefined;
  for (const marker of MARKERS[kind]) {
    for (const match of text.matchAll(marker)) {
      const at = match.index ?? 0;
      if (!best || at > best.at) best = { at, end: at + match[0].length };
    }
  }
  if (!best) return undefined;
  return text.slice(best.end).split("\n").find((line) => line.trim() !== "")?.trim();
}

/**
 * Reads the SOP node a model chose from `nodes` (full names such as `代理.核对身份`): the answer after the prompt's
 * marker ("Therefore, the best agent action is: X", "Agent Action: X", "User State: Y"; the last one counts, so
 * an analysis mentioning other nodes first does not mislead), named with or without its `代理.`/`用户.` prefix or
 * by an English alias; otherwise the whole output is searched, which is returned as a counted fallback.
 */
export function parseSopChoice(text: string, nodes: readonly string[], kind: "action" | "state", aliases: Readonly<Record<string, string>> = {}): SopChoice | undefined {
  const all: Record<string, string> = { ...aliases };
  for (const node of nodes) {
    const dot = node.indexOf(".");
    if (dot > 0) all[node.slice(dot + 1)] = node;
  }
  const span = sopAnswerSpan(text, kind);
  if (span !== undefined) {
    const match = matchLabel(span, nodes, { aliases: all });
    if (match) return { node: match.label, method: "marked", fallback: false };
  }
  const match = matchLabel(text, nodes, { aliases: all });
  return match ? { node: match.label, method: match.method, fallback: true } : undefined;
}
