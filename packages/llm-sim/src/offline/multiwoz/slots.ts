import type { DialogueAct } from "@foresight/dialogue";

/** The domains the simulator plays (goal spelling, lower case). */
export const MULTIWOZ_SIM_DOMAINS = ["attraction", "hospital", "hotel", "police", "restaurant", "taxi", "train"] as const;
export type MultiWozSimDomain = (typeof MULTIWOZ_SIM_DOMAINS)[number];

/** Booking slots in goal / belief-state spelling: they constrain the booking, not the venue. */
export const MULTIWOZ_BOOKING_SLOTS: ReadonlySet<string> = new Set(["people", "day", "time", "stay"]);

/** Domains whose goals book through the `Booking-*` acts (train books through `Train-OfferBooked`). */
export const MULTIWOZ_BOOKABLE_DOMAINS: ReadonlySet<string> = new Set(["hotel", "restaurant", "train"]);

const SHARED_TO_ACT: Record<string, string> = {
  address: "Addr",
  postcode: "Post",
  phone: "Phone",
  area: "Area",
  name: "Name",
  type: "Type",
  pricerange: "Price",
  food: "Food",
  stars: "Stars",
  internet: "Internet",
  parking: "Parking",
  "entrance fee": "Fee",
  openhours: "Open",
  department: "Department",
  leaveAt: "Leave",
  arriveBy: "Arrive",
  departure: "Depart",
  destination: "Dest",
  day: "Day",
  people: "People",
  stay: "Stay",
  time: "Time",
  "car type": "Car",
  reference: "Ref",
  choice: "Choice",
};

const DOMAIN_TO_ACT: Record<string, Record<string, string>> = {
  train: { trainID: "Id", duration: "Time", price: "Ticket" },
};

/** act slot → goal slot of a table (the first goal slot with that act slot), for {@link goalSlotOf}. */
function actToGoal(table: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [goal, act] of Object.entries(table)) if (!out.has(act)) out.set(act, goal);
  return out;
}
const SHARED_ACT_TO_GOAL = actToGoal(SHARED_TO_ACT);
const DOMAIN_ACT_TO_GOAL = new Map(Object.entries(DOMAIN_TO_ACT).map(([domain, table]) => [domain, actToGoal(table)]));

/** The act slot (`Addr`, `Price`, `Leave`, …) of a goal/belief-state slot (`address`, `pricerange`, `leaveAt`, …). */
export function actSlotOf(domain: string, goalSlot: string): string {
  const slot = DOMAIN_TO_ACT[domain]?.[goalSlot] ?? SHARED_TO_ACT[goalSlot];
  if (slot === undefined) throw new Error(`no MultiWOZ act slot for goal slot "${goalSlot}" of domain "${domain}"`);
  return slot;
}

/**
 * The goal/belief-state slot of an act slot in a domain, or `undefined` when the act slot names none (`none`,
 * `Choice`). `Time` is the duration for trains and the booking time elsewhere; `Ticket` is the train price.
 */
export function goalSlotOf(domain: string, actSlot: string): string | undefined {
  const special = DOMAIN_ACT_TO_GOAL.get(domain)?.get(actSlot);
  if (special !== undefined) return special;
  if (actSlot === "Choice" || actSlot === "none") return undefined;
  if (actSlot === "Ticket") return "price";
  if (actSlot === "Id") return domain === "train" ? "trainID" : "id";
  return SHARED_ACT_TO_GOAL.get(actSlot);
}

/** `hotel` → `Hotel` (the act spelling of a domain). */
export function actDomainOf(domain: string): string {
  return domain.charAt(0).toUpperCase() + domain.slice(1);
}

/** `Hotel` → `hotel`; `undefined` for `general` and `Booking`, which name no service domain. */
export function goalDomainOf(actDomain: string | undefined): MultiWozSimDomain | undefined {
  const lower = actDomain?.toLowerCase();
  return (MULTIWOZ_SIM_DOMAINS as readonly string[]).includes(lower ?? "") ? (lower as MultiWozSimDomain) : undefined;
}

/** Builds a {@link DialogueAct}, leaving out an absent slot or value. */
export function makeMultiWozAct(domain: string, intent: string, slot?: string, value?: string): DialogueAct {
  const act: DialogueAct = { domain, intent };
  if (slot !== undefined) act.slot = slot;
  if (value !== undefined) act.value = value;
  return act;
}

/** `Hotel-Inform` for an act (or `Inform` when the act has no domain). */
export function multiWozActKey(act: Pick<DialogueAct, "domain" | "intent">): string {
  return act.domain === undefined ? act.intent : `${act.domain}-${act.intent}`;
}

/** Compares two slot values the way MultiWOZ does: case-insensitively, with whitespace collapsed. */
export function sameMultiWozValue(a: string, b: string): boolean {
  const norm = (value: string) => value.trim().toLowerCase().replace(/\s+/g, " ").replace(/^the /, "");
  return norm(a) === norm(b);
}
