import type { DialogueAct, MultiWozDialogue, MultiWozTemplates } from "@foresight/dialogue";
import { multiWozActKey } from "./slots.js";

/** Act key (`Hotel-Inform`) → the act slots (`Area`, `none`, …) one speaker may use with it. */
export type MultiWozActSlotInventory = ReadonlyMap<string, ReadonlySet<string>>;

/** The acts each side of MultiWOZ may emit: every `Domain-Intent` + slot seen in the corpus or in ConvLab's templates. */
export interface MultiWozActInventory {
  user: MultiWozActSlotInventory;
  system: MultiWozActSlotInventory;
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
export function buildMultiWozActInventory(dialogues: readonly MultiWozDialogue[], templates: MultiWozTemplates): MultiWozActInventory {
  const user = new Map<string, Set<string>>();
  const system = new Map<string, Set<string>>();
  for (const dialogue of dialogues) {
    for (const turn of dialogue.turns) {
      const map = turn.speaker === "user" ? user : system;
      for (const act of turn.acts ?? []) add(map, multiWozActKey(act), act.slot ?? "none");
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
export function multiWozInventoryViolations(inventory: MultiWozActInventory, speaker: "user" | "system", acts: readonly DialogueAct[]): string[] {
  const table = inventory[speaker];
  return acts
    .filter((act) => !table.get(multiWozActKey(act))?.has(act.slot ?? "none"))
    .map((act) => `${multiWozActKey(act)}(${act.slot ?? "none"})`);
}

/** The number of non-general act pairs in a user turn (the unit the agenda pops), or 0 for a purely general turn. */
export function multiWozUserActCount(acts: readonly DialogueAct[]): number {
  return acts.filter((act) => act.domain !== undefined && act.domain !== "general").length;
}

/** Largest act count kept as its own bucket of {@link fitMultiWozUserActCounts}; larger counts join it. */
export const MULTIWOZ_MAX_USER_ACTS = 6;

/**
 * The corpus distribution of the number of acts per user turn (turns with at least one non-general act): entry
 * `n - 1` is P(n acts), n = 1..{@link MULTIWOZ_MAX_USER_ACTS} (the last bucket holds n ≥ MULTIWOZ_MAX_USER_ACTS).
 */
export function fitMultiWozUserActCounts(dialogues: readonly MultiWozDialogue[]): number[] {
  const counts = new Array<number>(MULTIWOZ_MAX_USER_ACTS).fill(0);
  for (const dialogue of dialogues) {
    for (const turn of dialogue.turns) {
      if (turn.speaker !== "user") continue;
      const n = multiWozUserActCount(turn.acts ?? []);
      if (n > 0) counts[Math.min(n, MULTIWOZ_MAX_USER_ACTS) - 1]! += 1;
    }
  }
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) throw new Error("fitMultiWozUserActCounts: no user turn with a domain act in the dialogues");
  return counts.map((count) => count / total);
}
