import type { DialogueAct } from "../core/schema.js";

/** MultiWOZ's dialogue acts as the corpus stores them: `Domain-Intent` → list of `[slot, value]` pairs. */
export type MultiWozActDict = Record<string, ReadonlyArray<readonly [string, string]>>;

/**
 * Converts a corpus `dialog_act` into {@link DialogueAct}s, one per `[slot, value]` pair, in corpus order.
 * `Hotel-Inform: [["Area","east"]]` becomes `{ domain: "Hotel", intent: "Inform", slot: "Area", value: "east" }`.
 * The placeholder slot `none` drops slot and value (`general-bye`), and a `Request`'s placeholder value `?` drops the
 * value; every other value (including `none`, which MultiWOZ uses for e.g. `Internet=none` meaning "has it") is kept.
 */
export function fromMultiWozActs(dialogAct: MultiWozActDict): DialogueAct[] {
  const acts: DialogueAct[] = [];
  for (const [key, pairs] of Object.entries(dialogAct)) {
    const dash = key.indexOf("-");
    const domain = dash > 0 ? key.slice(0, dash) : undefined;
    const intent = dash > 0 ? key.slice(dash + 1) : key;
    for (const [slot, value] of pairs) {
      const act: DialogueAct = domain === undefined ? { intent } : { domain, intent };
      if (slot !== "none") {
        act.slot = slot;
        if (!(intent === "Request" && value === "?")) act.value = value;
      }
      acts.push(act);
    }
  }
  return acts;
}

/** Converts {@link DialogueAct}s back into the corpus `dialog_act` shape (the inverse of {@link fromMultiWozActs}). */
export function toMultiWozActs(acts: readonly DialogueAct[]): Record<string, [string, string][]> {
  const out: Record<string, [string, string][]> = {};
  for (const act of acts) {
    const key = act.domain === undefined ? act.intent : `${act.domain}-${act.intent}`;
    const slot = act.slot ?? "none";
    const value = act.value ?? (act.slot !== undefined && act.intent === "Request" ? "?" : "none");
    (out[key] ??= []).push([slot, value]);
  }
  return out;
}
