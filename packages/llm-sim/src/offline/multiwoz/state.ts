import { RecentMap, type DialogueAct, type MultiWozBeliefState, type MultiWozDatabase, type MultiWozEntity } from "@foresight/dialogue";
import { queryMultiWozVenues } from "./availability.js";
import { mutableCopy } from "./copy.js";
import { MULTIWOZ_BOOKING_SLOTS, goalDomainOf, goalSlotOf, sameMultiWozValue, type MultiWozSimDomain } from "./slots.js";

/** A venue (or train, or taxi) the system has put forward in a domain. */
export interface MultiWozOfferedVenue {
  /** Its name (`trainID` for trains, car type for taxis). */
  name: string;
  /** The database entity, when the name is one the database knows. */
  entity?: MultiWozEntity;
}

/** A confirmed booking. */
export interface MultiWozSimBooking {
  domain: MultiWozSimDomain;
  reference: string;
  venue: string;
  slots: Record<string, string>;
}

/**
 * The dialogue state the system side tracks (what a MultiWOZ evaluator and a planner need): the belief state in
 * the corpus shape (`domain → { semi, book, booked }`, filled from the user's informs), the active domain, the venue
 * offered per domain, the user's pending requests, what the system informed and asked, bookings, and the last acts.
 */
export interface MultiWozTrackedState {
  /** Completed exchanges (user turn + system turn). */
  turn: number;
  activeDomain?: MultiWozSimDomain;
  belief: MultiWozBeliefState;
  offered: Partial<Record<MultiWozSimDomain, MultiWozOfferedVenue>>;
  /** Goal-spelling slots the user asked for that the system has not informed yet. */
  requested: Partial<Record<MultiWozSimDomain, string[]>>;
  /** Goal-spelling slots the system informed, with their values. */
  informed: Partial<Record<MultiWozSimDomain, Record<string, string>>>;
  /** Slots the system asked the user for. */
  asked: Partial<Record<MultiWozSimDomain, string[]>>;
  bookingOffered: Partial<Record<MultiWozSimDomain, boolean>>;
  bookings: MultiWozSimBooking[];
  failedBookings: number;
  noOffers: Partial<Record<MultiWozSimDomain, number>>;
  lastUserActs: DialogueAct[];
  lastSystemActs: DialogueAct[];
  /** The user said goodbye. */
  userEnded: boolean;
}

/** The state before the first turn. */
export function initialMultiWozState(): MultiWozTrackedState {
  return {
    turn: 0,
    belief: {},
    offered: {},
    requested: {},
    informed: {},
    asked: {},
    bookingOffered: {},
    bookings: [],
    failedBookings: 0,
    noOffers: {},
    lastUserActs: [],
    lastSystemActs: [],
    userEnded: false,
  };
}

/** The informable constraints of a domain in the belief state, without unset values. */
export function multiWozConstraintsOf(state: MultiWozTrackedState, domain: MultiWozSimDomain): Record<string, string> {
  const semi = state.belief[domain]?.semi ?? {};
  return Object.fromEntries(Object.entries(semi).filter(([, value]) => value !== "" && value !== "not mentioned"));
}

/** The booking slots of a domain the user has given. */
export function multiWozBookingSlotsOf(state: MultiWozTrackedState, domain: MultiWozSimDomain): Record<string, string> {
  return { ...(state.belief[domain]?.book ?? {}) };
}

/** The booking of a domain, if one was made. */
export function multiWozBookingOf(state: MultiWozTrackedState, domain: MultiWozSimDomain): MultiWozSimBooking | undefined {
  return state.bookings.find((booking) => booking.domain === domain);
}

/** Entities found by name, per database, domain and name (simulated turns look up the same venues again and again). */
const entitiesByName = new WeakMap<MultiWozDatabase, RecentMap<string, MultiWozEntity | undefined>>();

/** Finds a database entity by its name (venues), train id (`TR1234`) or car type (taxi). */
export function findMultiWozEntity(db: MultiWozDatabase, domain: MultiWozSimDomain, name: string): MultiWozEntity | undefined {
  if (domain === "taxi") return undefined;
  let found = entitiesByName.get(db);
  if (!found) {
    found = new RecentMap(ENTITY_CACHE_SIZE);
    entitiesByName.set(db, found);
  }
  const key = `${domain}\u0000${name}`;
  if (found.has(key)) return found.get(key);
  const column = domain === "train" ? "trainID" : "name";
  const entity = db.entities(domain).find((entity) => typeof entity[column] === "string" && sameMultiWozValue(entity[column] as string, name));
  found.set(key, entity);
  return entity;
}

/** Names a database keeps the lookups of (the latest ones). */
const ENTITY_CACHE_SIZE = 4096;

/** The name under which a domain's entity is offered (`trainID` for trains, `car type` for taxis). */
export function multiWozEntityName(domain: MultiWozSimDomain, entity: MultiWozEntity): string {
  const column = domain === "train" ? "trainID" : domain === "taxi" ? "car type" : domain === "hospital" ? "department" : "name";
  return String(entity[column] ?? "");
}

function beliefDomain(state: MultiWozTrackedState, domain: MultiWozSimDomain) {
  return (state.belief[domain] ??= { semi: {}, book: {}, booked: [] });
}

function stillMatches(db: MultiWozDatabase, domain: MultiWozSimDomain, state: MultiWozTrackedState, venue: MultiWozOfferedVenue): boolean {
  if (!venue.entity || domain === "taxi") return domain !== "taxi";
  const name = multiWozEntityName(domain, venue.entity);
  return queryMultiWozVenues(db, domain, multiWozConstraintsOf(state, domain)).some((entity) => multiWozEntityName(domain, entity) === name);
}

/** Applies the user's acts: informs fill the belief state, requests become pending, `bye` ends; returns a new state. */
export function applyMultiWozUserActs(state: MultiWozTrackedState, acts: readonly DialogueAct[], db: MultiWozDatabase): MultiWozTrackedState {
  const next = mutableCopy(state);
  next.lastUserActs = acts.map((act) => ({ ...act }));
  const touched = new Set<MultiWozSimDomain>();
  for (const act of acts) {
    const domain = goalDomainOf(act.domain);
    if (domain === undefined) {
      if (act.intent === "bye") next.userEnded = true;
      continue;
    }
    next.activeDomain = domain;
    const slot = act.slot === undefined ? undefined : goalSlotOf(domain, act.slot);
    if (act.intent === "Inform") {
      const belief = beliefDomain(next, domain);
      if (slot === undefined || act.value === undefined) continue;
      if (MULTIWOZ_BOOKING_SLOTS.has(slot) && domain !== "taxi" && !(domain === "train" && slot === "day")) belief.book[slot] = act.value;
      else {
        belief.semi[slot] = act.value;
        touched.add(domain);
      }
    } else if (act.intent === "Request" && slot !== undefined) {
      const pending = (next.requested[domain] ??= []);
      if (!pending.includes(slot)) pending.push(slot);
    }
  }
  for (const domain of touched) {
    const venue = next.offered[domain];
    if (venue && !stillMatches(db, domain, next, venue)) {
      delete next.offered[domain];
      delete next.bookingOffered[domain];
    }
  }
  return next;
}

const OFFER_INTENTS: ReadonlySet<string> = new Set(["Inform", "Recommend", "Select", "OfferBook", "OfferBooked"]);

/**
 * Applies the system's acts: named venues become offered (resolved in the database, or `entity` when given),
 * informed slots clear pending requests, `Booking-Book`/`Train-OfferBooked` with a reference record a booking.
 * `Booking-*` acts apply to the active domain. Returns a new state with `turn` advanced.
 */
export function applyMultiWozSystemActs(
  state: MultiWozTrackedState,
  acts: readonly DialogueAct[],
  db: MultiWozDatabase,
  grounding: { entity?: MultiWozEntity } = {},
): MultiWozTrackedState {
  const next = mutableCopy(state);
  next.lastSystemActs = acts.map((act) => ({ ...act }));
  next.turn += 1;
  if (acts.some((act) => act.intent === "NoBook")) next.failedBookings += 1;
  const named = new Set<MultiWozSimDomain>();
  for (const act of acts) {
    const domain = act.domain === "Booking" ? next.activeDomain : goalDomainOf(act.domain);
    if (domain === undefined) continue;
    const slot = act.slot === undefined ? undefined : goalSlotOf(domain, act.slot);
    const value = act.value;
    if (act.intent === "Request" && slot !== undefined) {
      const asked = (next.asked[domain] ??= []);
      if (!asked.includes(slot)) asked.push(slot);
      continue;
    }
    if (act.intent === "NoOffer") {
      next.noOffers[domain] = (next.noOffers[domain] ?? 0) + 1;
      delete next.offered[domain];
      continue;
    }
    if (act.intent === "NoBook") continue;
    if ((act.intent === "Inform" && act.domain === "Booking" && act.slot === undefined) || act.intent === "OfferBook") next.bookingOffered[domain] = true;
    const isBooking = (act.intent === "Book" || act.intent === "OfferBooked") && act.slot === "Ref" && value !== undefined;
    if (isBooking) {
      const venue = next.offered[domain]?.name ?? "";
      const slots = { ...(next.belief[domain]?.book ?? {}) };
      next.bookings.push({ domain, reference: value, venue, slots });
      beliefDomain(next, domain).booked.push(domain === "train" ? { trainID: venue, reference: value } : { name: venue, reference: value });
      (next.informed[domain] ??= {}).reference = value;
      next.requested[domain] = (next.requested[domain] ?? []).filter((pending) => pending !== "reference");
      continue;
    }
    if (!OFFER_INTENTS.has(act.intent) && !(act.intent === "Book" && act.domain === "Booking")) continue;
    if (slot === undefined || value === undefined) continue;
    const naming = slot === "name" || (domain === "train" && slot === "trainID") || (domain === "taxi" && slot === "car type");
    if (naming && !named.has(domain)) {
      named.add(domain);
      const previous = next.offered[domain];
      const entity = grounding.entity ?? findMultiWozEntity(db, domain, value);
      next.offered[domain] = entity ? { name: value, entity } : { name: value };
      if (!previous || !sameMultiWozValue(previous.name, value)) delete next.bookingOffered[domain];
    }
    (next.informed[domain] ??= {})[slot] = value;
    next.requested[domain] = (next.requested[domain] ?? []).filter((pending) => pending !== slot);
  }
  return next;
}

/** Where the dialogue stands in the active domain: the key of the corpus act prior. */
export type MultiWozPhase = "searching" | "offered" | "booked" | "closing";

/** The phase: `closing` when the user's last turn was only general acts, else by the active domain's progress. */
export function multiWozPhase(state: MultiWozTrackedState): MultiWozPhase {
  if (state.lastUserActs.length > 0 && state.lastUserActs.every((act) => act.domain === "general" || act.domain === undefined)) return "closing";
  const domain = state.activeDomain;
  if (domain === undefined) return "searching";
  if (multiWozBookingOf(state, domain)) return "booked";
  return state.offered[domain] ? "offered" : "searching";
}
