import type { DialogueAct, MultiWozDialogue, MultiWozTemplates } from "@foresight/dialogue";
import { actKey } from "./slots.js";

/** Act key (`Hotel-Inform`) → the act slots (`Area`, `none`, …) one speaker may use with it. */
export type ActSlotInventory = ReadonlyMap<string, ReadonlySet<string>>;

/** The acts each side of MultiWOZ may emit: every `Domain-Intent` + slot seen in the corpus or in ConvLab's templates. */
export interface MultiWozActInventory {
  user: ActSlotInventory;
  system: ActSlotInventory;
}

function add(map: Map<string, Set<string>>, key: string, slot: string): void {
  let slots = map.get(key);
  if (!slots) map.set(key, (slots = new Set()));
  slots.add(slot);
}

/**
 * Builds the act inventory from the corpus turns (user turns for `user`, system turns for `system`) and the
 * ConvLab template tables (the acts the templates can realise), the union of both.
 */
export function buildActInventory(dialogues: readonly MultiWozDialogue[], templates: MultiWozTemplates): MultiWozActInventory {
  const user = new Map<string, Set<string>>();
  const system = new Map<string, Set<string>>();
  for (const dialogue of dialogues) {
    for (const turn of dialogue.turns) {
      const map = turn.speaker === "user" ? user : system;
      for (const act of turn.acts ?? []) add(map, actKey(act), act.slot ?? "none");
    }
  }
  for (const [table, map] of [
    [templates.user, user],
    [templates.system, system],
  ] as const) {
    for (const [key, slots] of Object.entries(table)) for (const slot of Object.keys(slots)) add(map, key, slot);
  }
  return { user, system };
}

/** The acts outside the inventory of a speaker, formatted `Domain-Intent(slot)`; empty when all are known. */
export function inventoryViolations(inventory: MultiWozActInventory, speaker: "user" | "system", acts: readonly DialogueAct[]): string[] {
  const table = inventory[speaker];
  return acts
    .filter((act) => !table.get(actKey(act))?.has(act.slot ?? "none"))
    .map((act) => `${actKey(act)}(${act.slot ?? "none"})`);
}

/** The number of non-general act pairs in a user turn (the unit the agenda pops), or 0 for a purely general turn. */
export function userActCount(acts: readonly DialogueAct[]): number {
  return acts.filter((act) => act.domain !== undefined && act.domain !== "general").length;
}

/** Largest act count kept as its own bucket of {@link fitUserActCounts}; larger counts join it. */
export const MAX_USER_ACTS = 6;

/**
 * The corpus distribution of the number of acts per user turn (turns with at least one non-general act): entry
 * `n - 1` is P(n acts), n = 1..{@link MAX_USER_ACTS} (the last bucket holds n ≥ MAX_USER_ACTS).
 */
export function fitUserActCounts(dialogues: readonly MultiWozDialogue[]): number[] {
  const counts = new Array<number>(MAX_USER_ACTS).fill(0);
  for (const dialogue of dialogues) {
    for (const turn of dialogue.turns) {
      if (turn.speaker !== "user") continue;
      const n = userActCount(turn.acts ?? []);
      if (n > 0) counts[Math.min(n, MAX_USER_ACTS) - 1]! += 1;
    }
  }
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) throw new Error("fitUserActCounts: no user turn with a domain act in the dialogues");
  return counts.map((count) => count / total);
}
