import type { DialogueAct } from "@foresight/dialogue";
import { MULTIWOZ_SYSTEM_ACT_TYPES, multiWozSystemTurnTypes, type MultiWozSystemActType, type MultiWozTurnContext } from "./candidates.js";
import { MULTIWOZ_SIM_DOMAINS } from "./slots.js";
import { multiWozBookingOf, multiWozConstraintsOf, multiWozPhase, type MultiWozPhase, type MultiWozTrackedState } from "./state.js";

/**
 * Features of SMCTS-TOD's value model V(h, a) on MultiWOZ. The history h is read through the system-side state
 * tracker (belief state, offered venues, bookings, pending requests), the turn's database results (number of matches,
 * missing slots, which act types the database grounds) and the act history (act types used so far, the last ones,
 * turns that changed nothing); the act a is an abstract act type (or the set of types of a corpus turn) with its
 * relation to that state. The planner searches over act types, so V accepts the abstract act directly: the
 * realisation of a type is determined by the state and the database, and V sees that grounding through the state.
 */

/** What the value features remember of the act history beyond the tracked state. */
export interface MultiWozValueHistory {
  /** System turns so far using each act type, in {@link MULTIWOZ_SYSTEM_ACT_TYPES} order. */
  typeCounts: number[];
  /** The act types of the last system turn. */
  lastTypes: MultiWozSystemActType[];
  /** Consecutive system turns that changed nothing in the tracked state (no offer, answer, booking, question or no-match). */
  stalls: number;
  totalStalls: number;
  /** Consecutive system turns with exactly the same acts as the one before. */
  repeats: number;
  lastActsKey: string;
}

/** The history before the first system turn. */
export function initialMultiWozValueHistory(): MultiWozValueHistory {
  return { typeCounts: MULTIWOZ_SYSTEM_ACT_TYPES.map(() => 0), lastTypes: [], stalls: 0, totalStalls: 0, repeats: 0, lastActsKey: "" };
}

function progressKey(state: MultiWozTrackedState): string {
  return JSON.stringify([state.offered, state.bookings.length, state.informed, state.asked, state.noOffers, state.failedBookings, state.bookingOffered]);
}

/** The history after a system turn with `acts`, given the tracked state before and after it. */
export function advanceMultiWozValueHistory(history: MultiWozValueHistory, acts: readonly DialogueAct[], before: MultiWozTrackedState, after: MultiWozTrackedState): MultiWozValueHistory {
  const types = multiWozSystemTurnTypes(acts);
  const typeCounts = history.typeCounts.map((count, i) => count + (types.includes(MULTIWOZ_SYSTEM_ACT_TYPES[i]!) ? 1 : 0));
  const stalled = progressKey(before) === progressKey(after);
  const actsKey = JSON.stringify(acts);
  return {
    typeCounts,
    lastTypes: types,
    stalls: stalled ? history.stalls + 1 : 0,
    totalStalls: history.totalStalls + (stalled ? 1 : 0),
    repeats: actsKey === history.lastActsKey ? history.repeats + 1 : 0,
    lastActsKey: actsKey,
  };
}

const PHASES: readonly MultiWozPhase[] = ["searching", "offered", "booked", "closing"];
const USER_INTENTS = ["Inform", "Request", "thank", "bye"] as const;
const MATCH_BUCKETS = [0, 1, 3, 10] as const;

/** Names of the state features, in order (recorded in the value model's manifest). */
export const MULTIWOZ_VALUE_STATE_FEATURES: readonly string[] = [
  "turn/15",
  "(turn/15)^2",
  ...MULTIWOZ_SIM_DOMAINS.map((d) => `domain=${d}`),
  "domain=none",
  ...PHASES.map((p) => `phase=${p}`),
  "userEnded",
  "constraints/6",
  "missing/6",
  "missingRequired/4",
  "missingBooking/3",
  "matches=unknown",
  ...MATCH_BUCKETS.map((b, i) => (i === 0 ? "matches=0" : `matches<=${b}`)),
  "matches>10",
  "offered",
  "offeredValid",
  "bookingOffered",
  "booked",
  "pending/3",
  "pendingElsewhere/3",
  "noOffers/3",
  "failedBookings/3",
  "domainsInBelief/4",
  "bookings/3",
  "domainsOffered/4",
  ...USER_INTENTS.map((i) => `user=${i}`),
  "userActs/5",
  ...MULTIWOZ_SYSTEM_ACT_TYPES.map((t) => `used(${t})/turns`),
  ...MULTIWOZ_SYSTEM_ACT_TYPES.map((t) => `last=${t}`),
  ...MULTIWOZ_SYSTEM_ACT_TYPES.map((t) => `grounded(${t})`),
  "stalls/3",
  "totalStalls/turns",
  "repeats/3",
];

/** Names of the act features, in order. */
export const MULTIWOZ_VALUE_ACT_FEATURES: readonly string[] = [
  ...MULTIWOZ_SYSTEM_ACT_TYPES.map((t) => `act=${t}`),
  "act grounded at this turn",
  "act answers pending requests",
  "act repeats the last turn's types",
  "act books with all slots known",
];

/** Dimension of the state features. */
export const MULTIWOZ_VALUE_STATE_DIM = MULTIWOZ_VALUE_STATE_FEATURES.length;
/** Dimension of the act features. */
export const MULTIWOZ_VALUE_ACT_DIM = MULTIWOZ_VALUE_ACT_FEATURES.length;

const clip = (x: number) => Math.min(1, x);

/** The state features of a history: the tracked state before the system turn, its turn context and the act history. */
export function multiWozValueStateFeatures(state: MultiWozTrackedState, history: MultiWozValueHistory, context: MultiWozTurnContext): Float32Array {
  const out = new Float32Array(MULTIWOZ_VALUE_STATE_DIM);
  let i = 0;
  const put = (x: number) => {
    out[i++] = x;
  };
  const turn = state.turn / 15;
  put(turn);
  put(turn * turn);
  const domain = state.activeDomain;
  for (const d of MULTIWOZ_SIM_DOMAINS) put(domain === d ? 1 : 0);
  put(domain === undefined ? 1 : 0);
  const phase = multiWozPhase(state);
  for (const p of PHASES) put(phase === p ? 1 : 0);
  put(state.userEnded ? 1 : 0);
  put(domain ? clip(Object.keys(multiWozConstraintsOf(state, domain)).length / 6) : 0);
  put(clip(context.missing.length / 6));
  put(clip(context.missingRequired.length / 4));
  put(clip(context.missingBooking.length / 3));
  const n = context.matches?.length;
  put(n === undefined ? 1 : 0);
  put(n === 0 ? 1 : 0);
  put(n !== undefined && n >= 1 && n <= 1 ? 1 : 0);
  put(n !== undefined && n >= 2 && n <= 3 ? 1 : 0);
  put(n !== undefined && n >= 4 && n <= 10 ? 1 : 0);
  put(n !== undefined && n > 10 ? 1 : 0);
  const offered = domain ? state.offered[domain] : undefined;
  put(offered ? 1 : 0);
  const offeredName = offered?.name.toLowerCase();
  put(offered && context.matches?.some((e) => String(e.name ?? e.trainID ?? "").toLowerCase() === offeredName) ? 1 : 0);
  put(domain && state.bookingOffered[domain] ? 1 : 0);
  put(domain && multiWozBookingOf(state, domain) ? 1 : 0);
  put(domain ? clip((state.requested[domain] ?? []).length / 3) : 0);
  put(clip(Object.entries(state.requested).filter(([d]) => d !== domain).reduce((sum, [, slots]) => sum + (slots?.length ?? 0), 0) / 3));
  put(domain ? clip((state.noOffers[domain] ?? 0) / 3) : 0);
  put(clip(state.failedBookings / 3));
  put(clip(Object.keys(state.belief).length / 4));
  put(clip(state.bookings.length / 3));
  put(clip(Object.keys(state.offered).length / 4));
  for (const intent of USER_INTENTS) put(state.lastUserActs.some((act) => act.intent === intent) ? 1 : 0);
  put(clip(state.lastUserActs.length / 5));
  const turns = Math.max(1, state.turn);
  for (const count of history.typeCounts) put(count / turns);
  for (const type of MULTIWOZ_SYSTEM_ACT_TYPES) put(history.lastTypes.includes(type) ? 1 : 0);
  const grounded = new Set(context.bundles.map((b) => b.type));
  for (const type of MULTIWOZ_SYSTEM_ACT_TYPES) put(grounded.has(type) ? 1 : 0);
  put(clip(history.stalls / 3));
  put(history.totalStalls / turns);
  put(clip(history.repeats / 3));
  return out;
}

/** The act features of act type(s) `types` at a state (a corpus turn may use several types). */
export function multiWozValueActFeatures(types: readonly MultiWozSystemActType[], state: MultiWozTrackedState, history: MultiWozValueHistory, context: MultiWozTurnContext): Float32Array {
  const out = new Float32Array(MULTIWOZ_VALUE_ACT_DIM);
  MULTIWOZ_SYSTEM_ACT_TYPES.forEach((type, i) => (out[i] = types.includes(type) ? 1 : 0));
  let i = MULTIWOZ_SYSTEM_ACT_TYPES.length;
  const grounded = new Set(context.bundles.map((b) => b.type));
  out[i++] = types.length > 0 && types.every((type) => grounded.has(type)) ? 1 : 0;
  const domain = state.activeDomain;
  out[i++] = types.includes("Inform") && domain !== undefined && (state.requested[domain] ?? []).length > 0 ? 1 : 0;
  out[i++] = types.length > 0 && types.length === history.lastTypes.length && types.every((type) => history.lastTypes.includes(type)) ? 1 : 0;
  out[i++] = types.includes("Book") && context.missingBooking.length === 0 ? 1 : 0;
  return out;
}
