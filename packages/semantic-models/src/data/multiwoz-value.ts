import { beliefStateOf, normalizeMultiWozSlot, type DialogueAct, type MultiWozDialogue } from "@foresight/dialogue";

function column(domain: string, slot: string): string {
  try {
    return normalizeMultiWozSlot(domain, slot) ?? slot.toLowerCase();
  } catch {
    return slot.toLowerCase().replace(/\s+/g, "");
  }
}

const REFERENCE_SLOTS = new Set(["ref", "reference"]);
const BOOKABLE = new Set(["hotel", "restaurant", "train"]);

/**
 * A dialogue-level success label computed from the corpus itself (a stand-in for the full MultiWOZ evaluator,
 * which lives in the rewards package): every goal domain's requested slots (`reqt`) were given by a system
 * Inform/Recommend/Book act of that domain, and every goal booking in hotel/restaurant/train ended with a booking
 * in the final belief state (or a Book/OfferBooked act carrying a reference).
 */
export function multiWozSuccess(dialogue: MultiWozDialogue): boolean {
  const informed = new Map<string, Set<string>>();
  const booked = new Set<string>();
  for (const turn of dialogue.turns) {
    if (turn.speaker !== "system") continue;
    for (const act of turn.acts ?? []) {
      const domain = (act.domain ?? "").toLowerCase();
      const intent = act.intent.toLowerCase();
      if (!act.slot) continue;
      if (domain === "booking" || intent === "book" || intent === "offerbooked") {
        if (REFERENCE_SLOTS.has(act.slot.toLowerCase())) booked.add(domain === "booking" ? "*" : domain);
      }
      if (intent === "inform" || intent === "recommend" || intent === "offerbooked" || intent === "book") {
        const set = informed.get(domain) ?? new Set<string>();
        set.add(column(domain === "booking" ? "hotel" : domain, act.slot));
        if (REFERENCE_SLOTS.has(act.slot.toLowerCase())) set.add("ref");
        informed.set(domain, set);
      }
    }
  }
  const lastSystem = [...dialogue.turns].reverse().find((t) => t.speaker === "system");
  const finalState = lastSystem ? beliefStateOf(lastSystem) : undefined;
  for (const [domain, goal] of Object.entries(dialogue.goal.domains)) {
    if (!goal) continue;
    const given = new Set([...(informed.get(domain) ?? []), ...(informed.get("booking") ?? [])]);
    for (const slot of goal.reqt) {
      const wanted = REFERENCE_SLOTS.has(slot.toLowerCase()) ? "ref" : column(domain, slot);
      if (!given.has(wanted)) return false;
    }
    if (goal.book && BOOKABLE.has(domain)) {
      const inState = (finalState?.[domain]?.booked.length ?? 0) > 0;
      if (!inState && !booked.has(domain) && !booked.has("*")) return false;
    }
  }
  return true;
}

/** The act labels a system turn is featurised by: `domain-intent` and `domain-intent-slot`, lower-cased. */
export function actLabels(acts: readonly DialogueAct[]): string[] {
  const labels = new Set<string>();
  for (const act of acts) {
    const head = `${(act.domain ?? "").toLowerCase()}-${act.intent.toLowerCase()}`;
    labels.add(head);
    if (act.slot) labels.add(`${head}-${act.slot.toLowerCase()}`);
  }
  return [...labels];
}

/** Multi-hot features of acts over a fixed vocabulary (labels outside it are ignored). */
export function actFeatures(acts: readonly DialogueAct[], vocabulary: readonly string[]): Float32Array {
  const index = new Map(vocabulary.map((label, i) => [label, i]));
  const out = new Float32Array(vocabulary.length);
  for (const label of actLabels(acts)) {
    const i = index.get(label);
    if (i !== undefined) out[i] = 1;
  }
  return out;
}

/** Act labels seen at least `minCount` times in system turns, sorted. */
export function buildActVocabulary(dialogues: readonly MultiWozDialogue[], minCount: number): string[] {
  const counts = new Map<string, number>();
  for (const d of dialogues) for (const t of d.turns) if (t.speaker === "system") for (const l of actLabels(t.acts ?? [])) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].filter(([, c]) => c >= minCount).map(([l]) => l).sort();
}

/** One value-training example: the history before a system turn, that turn's acts, and its label. */
export interface ValueExample {
  dialogueId: string;
  history: string[];
  acts: DialogueAct[];
  /** γ^(T−t)·y: t the 1-based index of the system turn, T the number of system turns, y the dialogue's success. */
  target: number;
  success: boolean;
}

/** The value examples of dialogues with discount γ. */
export function valueExamples(dialogues: readonly MultiWozDialogue[], gamma: number): ValueExample[] {
  const out: ValueExample[] = [];
  for (const dialogue of dialogues) {
    const success = multiWozSuccess(dialogue);
    const systemTurns = dialogue.turns.map((t, i) => (t.speaker === "system" ? i : -1)).filter((i) => i >= 0);
    systemTurns.forEach((at, t) => {
      const turn = dialogue.turns[at];
      if (!turn) return;
      out.push({
        dialogueId: dialogue.id,
        history: dialogue.turns.slice(0, at).map((x) => x.text),
        acts: turn.acts ?? [],
        target: success ? gamma ** (systemTurns.length - (t + 1)) : 0,
        success,
      });
    });
  }
  return out;
}
