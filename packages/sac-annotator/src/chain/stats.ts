import type { Speaker } from "@foresight/dialogue";
import type { AnnotatedDialogue } from "../schema.js";
import { ACTION_TAGS, USER_TAGS } from "./serialize.js";

/** The six distributions SAGE's figure 3 shows: user states and assistant actions, by motivation, emotion, topic. */
export const SAC_SLOTS = [USER_TAGS.motivation, USER_TAGS.emotion, USER_TAGS.topic, ACTION_TAGS.motivation, ACTION_TAGS.emotion, ACTION_TAGS.topic] as const;
export type SacSlot = (typeof SAC_SLOTS)[number];

/** How often each label of one slot occurs. */
export interface LabelDistribution {
  /** Turns counted (for topics: topic mentions plus turns with none). */
  total: number;
  /** Turns with null (motivation, emotion) or no topics. */
  missing: number;
  /** Distinct labels. */
  distinct: number;
  /** Labels by count, descending (ties by label), with their share of `total`. */
  labels: { label: string; count: number; share: number }[];
}

/** Statistics of annotated dialogues. */
export interface SacStatistics {
  dialogues: number;
  userTurns: number;
  assistantTurns: number;
  distributions: Record<SacSlot, LabelDistribution>;
}

class Counter {
  readonly counts = new Map<string, number>();
  missing = 0;
  total = 0;

  add(label: string | null): void {
    this.total++;
    if (label === null) this.missing++;
    else this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
  }

  distribution(top: number): LabelDistribution {
    const labels = [...this.counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, top)
      .map(([label, count]) => ({ label, count, share: count / this.total }));
    return { total: this.total, missing: this.missing, distinct: this.counts.size, labels };
  }
}

/**
 * Counts the state (user turns) and action (assistant turns) labels of annotated dialogues; `top` limits the labels
 * listed per slot (default all).
 */
export function sacStatistics(records: readonly AnnotatedDialogue[], options: { assistant?: Speaker; top?: number } = {}): SacStatistics {
  const assistant = options.assistant ?? "system";
  const counters = Object.fromEntries(SAC_SLOTS.map((slot) => [slot, new Counter()])) as Record<SacSlot, Counter>;
  let userTurns = 0;
  let assistantTurns = 0;
  for (const record of records) {
    for (const turn of record.turns) {
      const isAssistant = turn.speaker === assistant;
      if (isAssistant) assistantTurns++;
      else userTurns++;
      const names = isAssistant ? ACTION_TAGS : USER_TAGS;
      counters[names.motivation].add(turn.annotation.motivation);
      counters[names.emotion].add(turn.annotation.emotion);
      if (turn.annotation.topics.length === 0) counters[names.topic].add(null);
      for (const topic of turn.annotation.topics) counters[names.topic].add(topic);
    }
  }
  const top = options.top ?? Number.POSITIVE_INFINITY;
  const distributions = Object.fromEntries(SAC_SLOTS.map((slot) => [slot, counters[slot].distribution(top)])) as Record<SacSlot, LabelDistribution>;
  return { dialogues: records.length, userTurns, assistantTurns, distributions };
}

/** Renders statistics as a plain-text table, one block per slot, with percentages. */
export function formatSacStatistics(stats: SacStatistics): string {
  const lines = [`${stats.dialogues} dialogues, ${stats.userTurns} user turns, ${stats.assistantTurns} assistant turns`];
  for (const slot of SAC_SLOTS) {
    const distribution = stats.distributions[slot];
    const missingShare = distribution.total === 0 ? 0 : distribution.missing / distribution.total;
    lines.push("", `${slot}: ${distribution.distinct} distinct, ${distribution.missing} none (${(100 * missingShare).toFixed(1)}%)`);
    for (const { label, count, share } of distribution.labels) {
      lines.push(`  ${(100 * share).toFixed(1).padStart(5)}%  ${String(count).padStart(6)}  ${label}`);
    }
  }
  return lines.join("\n");
}
