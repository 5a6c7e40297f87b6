import { isDontCareValue, multiWozEntityValue, type DialogueAct, type MultiWozDatabase, type MultiWozEntity } from "@foresight/dialogue";
import { MULTIWOZ_REQUIRED_BOOKING_SLOTS, type MultiWozAvailability } from "./availability.js";
import { actDomainOf, actSlotOf, MULTIWOZ_BOOKABLE_DOMAINS, makeMultiWozAct, type MultiWozSimDomain } from "./slots.js";
import { multiWozBookingOf, multiWozBookingSlotsOf, multiWozConstraintsOf, multiWozPhase, multiWozEntityName, type MultiWozTrackedState } from "./state.js";

/** The system act types a planner chooses among (the labels of the `tod` prompt pack). */
export const MULTIWOZ_SYSTEM_ACT_TYPES = ["Inform", "Request", "Recommend", "Select", "NoOffer", "OfferBook", "Book", "NoBook", "reqmore", "welcome", "greet", "bye"] as const;
export type MultiWozSystemActType = (typeof MULTIWOZ_SYSTEM_ACT_TYPES)[number];

/** One plausible system turn: its acts, its type and what grounds it in the database. */
export interface MultiWozActBundle {
  type: MultiWozSystemActType;
  domain?: MultiWozSimDomain;
  acts: DialogueAct[];
  /** The venue the acts name, when they name one. */
  entity?: MultiWozEntity;
  /** A short description, e.g. `Recommend(hotel: acorn guest house)`. */
  label: string;
}

/** The type of one corpus system act (`Booking-Inform` without slot is an offer to book), or `undefined` (`reqinfo`). */
export function multiWozSystemActType(act: DialogueAct): MultiWozSystemActType | undefined {
  if (act.domain === "general") {
    const general: Record<string, MultiWozSystemActType> = { reqmore: "reqmore", welcome: "welcome", greet: "greet", bye: "bye" };
    return general[act.intent];
  }
  switch (act.intent) {
    case "Inform":
      return act.domain === "Booking" && act.slot === undefined ? "OfferBook" : "Inform";
    case "OfferBook":
      return "OfferBook";
    case "Book":
    case "OfferBooked":
      return "Book";
    case "NoBook":
      return "NoBook";
    case "NoOffer":
      return "NoOffer";
    case "Request":
      return "Request";
    case "Recommend":
      return "Recommend";
    case "Select":
      return "Select";
    default:
      return undefined;
  }
}

/** The distinct act types of a system turn, in {@link MULTIWOZ_SYSTEM_ACT_TYPES} order. */
export function multiWozSystemTurnTypes(acts: readonly DialogueAct[]): MultiWozSystemActType[] {
  const present = new Set(acts.map(multiWozSystemActType).filter((type): type is MultiWozSystemActType => type !== undefined));
  return MULTIWOZ_SYSTEM_ACT_TYPES.filter((type) => present.has(type));
}

/** Informable slots the system may ask for, per domain, in the order it asks (goal spelling). */
export const MULTIWOZ_REQUESTABLE_SLOTS: Readonly<Record<MultiWozSimDomain, readonly string[]>> = {
  restaurant: ["food", "area", "pricerange"],
  hotel: ["area", "pricerange", "type", "stars", "parking", "internet"],
  attraction: ["type", "area"],
  train: ["departure", "destination", "day", "leaveAt"],
  taxi: ["departure", "destination", "leaveAt"],
  hospital: ["department"],
  police: [],
};

/** Slots without which a search in the domain is meaningless (the correct policy always asks for them). */
export const MULTIWOZ_REQUIRED_SEARCH_SLOTS: Readonly<Record<MultiWozSimDomain, readonly string[]>> = {
  restaurant: [],
  hotel: [],
  attraction: [],
  train: ["departure", "destination", "day", "leaveAt"],
  taxi: ["departure", "destination", "leaveAt"],
  hospital: [],
  police: [],
};

/** Slots echoed when a venue is first offered, per domain. */
const OFFER_SLOTS: Readonly<Record<MultiWozSimDomain, readonly string[]>> = {
  restaurant: ["food", "area", "pricerange"],
  hotel: ["type", "area", "pricerange", "stars"],
  attraction: ["type", "area"],
  train: ["leaveAt", "arriveBy"],
  taxi: ["car type", "phone"],
  hospital: ["phone", "address", "postcode"],
  police: ["address", "phone", "postcode"],
};

/** What the system knows at a turn: the active domain, the database matches and the slots still missing. */
export interface MultiWozTurnContext {
  domain?: MultiWozSimDomain;
  /** Matching venues (`undefined` when no search is possible yet, e.g. a taxi without a route). */
  matches?: MultiWozEntity[];
  /** Requestable slots the user has not given and the system has not asked for yet. */
  missing: string[];
  /** Required slots the user has not given. */
  missingRequired: string[];
  /** Booking slots still missing for a booking in the active domain. */
  missingBooking: string[];
  bundles: MultiWozActBundle[];
}

/** The world a system side needs: the database and the availability oracle of the current goal. */
export interface MultiWozSystemWorld {
  db: MultiWozDatabase;
  availability: MultiWozAvailability;
}

function has(constraints: Record<string, string>, slot: string): boolean {
  if (slot === "leaveAt") return constraints.leaveAt !== undefined || constraints.arriveBy !== undefined;
  return constraints[slot] !== undefined;
}

function entityActs(domain: MultiWozSimDomain, intent: string, entity: MultiWozEntity, slots: readonly string[]): DialogueAct[] {
  const acts: DialogueAct[] = [];
  const actDomain = actDomainOf(domain);
  for (const slot of slots) {
    const value = slot === "car type" || domain === "taxi" ? (entity[slot] as string | undefined) : multiWozEntityValue(domain, entity, slot);
    if (value === undefined || value === "") continue;
    acts.push(makeMultiWozAct(actDomain, intent, actSlotOf(domain, slot), value));
  }
  return acts;
}

function knownValue(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== "" && value.trim() !== "?";
}

function nameSlot(domain: MultiWozSimDomain): string {
  return domain === "train" ? "trainID" : domain === "taxi" ? "car type" : domain === "hospital" ? "department" : "name";
}

function dedupe(bundles: MultiWozActBundle[]): MultiWozActBundle[] {
  const seen = new Set<string>();
  return bundles.filter((bundle) => {
    const key = JSON.stringify(bundle.acts);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The system's options at this turn, each grounded in the database: ask for missing constraints, offer / inform /
 * recommend / select matching venues (with the slots the user requested), say there is no match when the search
 * finds none, offer a booking, book (or report the refused booking) once the booking slots are known, ask for
 * missing booking slots, and the general `reqmore`, `welcome` and `bye`.
 */
export function multiWozTurnContext(state: MultiWozTrackedState, world: MultiWozSystemWorld): MultiWozTurnContext {
  const general = (intent: string) => makeMultiWozAct("general", intent);
  const closing: MultiWozActBundle[] = [
    { type: "reqmore", acts: [general("reqmore")], label: "reqmore" },
    { type: "welcome", acts: [general("welcome"), general("reqmore")], label: "welcome" },
    { type: "bye", acts: [general("bye")], label: "bye" },
  ];
  if (state.turn === 0) closing.unshift({ type: "greet", acts: [general("greet"), general("reqmore")], label: "greet" });
  const domain = state.activeDomain;
  if (domain === undefined || multiWozPhase(state) === "closing" && (state.requested[domain] ?? []).length === 0) {
    return { ...(domain ? { domain } : {}), missing: [], missingRequired: [], missingBooking: [], bundles: closing };
  }
  const actDomain = actDomainOf(domain);
  const constraints = multiWozConstraintsOf(state, domain);
  const asked = state.asked[domain] ?? [];
  const missing = MULTIWOZ_REQUESTABLE_SLOTS[domain].filter((slot) => !has(constraints, slot) && !asked.includes(slot));
  const missingRequired = MULTIWOZ_REQUIRED_SEARCH_SLOTS[domain].filter((slot) => !has(constraints, slot));
  const searchable = domain !== "taxi" || missingRequired.length === 0;
  const matches = searchable ? world.availability.search(domain, constraints) : undefined;
  const bundles: MultiWozActBundle[] = [];
  const requested = state.requested[domain] ?? [];
  const booked = multiWozBookingOf(state, domain);
  const offered = state.offered[domain];
  const offeredEntity = offered?.entity;

  const askable = [...new Set([...missingRequired, ...missing])].slice(0, 2);
  for (const slot of askable) {
    bundles.push({ type: "Request", domain, acts: [makeMultiWozAct(actDomain, "Request", actSlotOf(domain, slot))], label: `Request(${domain}: ${slot})` });
  }
  if (askable.length === 2) {
    bundles.push({ type: "Request", domain, acts: askable.map((slot) => makeMultiWozAct(actDomain, "Request", actSlotOf(domain, slot))), label: `Request(${domain}: ${askable.join(", ")})` });
  }

  const answers = (entity: MultiWozEntity, intent: string) =>
    entityActs(domain, intent, entity, requested.filter((slot) => slot !== "reference" && slot !== nameSlot(domain)));
  const offerActs = (entity: MultiWozEntity, choice: DialogueAct[]) => {
    const echo = entityActs(domain, "Inform", entity, OFFER_SLOTS[domain].filter((slot) => slot !== nameSlot(domain)));
    return dedupeActs([...choice, makeMultiWozAct(actDomain, "Inform", actSlotOf(domain, nameSlot(domain)), multiWozEntityName(domain, entity)), ...echo, ...answers(entity, "Inform")]);
  };
  // When the venue on the table lacks what the user asks for (no value, or "?"), offer a matching venue that has it.
  const lacksRequested = (entity: MultiWozEntity) =>
    requested.some((slot) => slot !== "reference" && slot !== nameSlot(domain) && !knownValue(multiWozEntityValue(domain, entity, slot)));
  if (offered && offeredEntity && matches && requested.length > 0 && lacksRequested(offeredEntity)) {
    const alternative = matches.find((entity) => multiWozEntityName(domain, entity) !== multiWozEntityName(domain, offeredEntity) && !lacksRequested(entity));
    if (alternative) {
      const name = multiWozEntityName(domain, alternative);
      bundles.push({ type: "Inform", domain, acts: offerActs(alternative, []), entity: alternative, label: `Inform(${domain}: ${name} instead of ${offered.name})` });
    }
  }
  if (offered && offeredEntity && requested.length > 0) {
    const acts = answers(offeredEntity, "Inform");
    if (booked && requested.includes("reference")) acts.push(makeMultiWozAct(domain === "train" ? "Train" : "Booking", domain === "train" ? "OfferBooked" : "Book", "Ref", booked.reference));
    if (acts.length > 0) bundles.push({ type: "Inform", domain, acts, entity: offeredEntity, label: `Inform(${domain}: ${requested.join(", ")})` });
  }

  const offeredStillValid = offered !== undefined && (matches === undefined || offeredEntity === undefined || matches.some((entity) => multiWozEntityName(domain, entity) === multiWozEntityName(domain, offeredEntity)));
  if (matches !== undefined && matches.length === 0) {
    const slots = Object.entries(constraints).filter(([, value]) => !isDontCareValue(value));
    const acts = slots.length === 0 ? [makeMultiWozAct(actDomain, "NoOffer")] : slots.slice(0, 3).map(([slot, value]) => makeMultiWozAct(actDomain, "NoOffer", actSlotOf(domain, slot), value));
    bundles.push({ type: "NoOffer", domain, acts, label: `NoOffer(${domain})` });
  } else if (matches !== undefined && (!offered || !offeredStillValid || domain === "taxi")) {
    const choice = matches.length > 1 && domain !== "taxi" ? [makeMultiWozAct(actDomain, "Inform", "Choice", String(matches.length))] : [];
    for (const entity of matches.slice(0, 2)) {
      const name = multiWozEntityName(domain, entity);
      bundles.push({ type: "Inform", domain, acts: offerActs(entity, choice), entity, label: `Inform(${domain}: ${name})` });
      if (domain === "hotel" || domain === "restaurant" || domain === "attraction") {
        const recommend = [makeMultiWozAct(actDomain, "Recommend", "Name", name), ...answers(entity, "Recommend")];
        bundles.push({ type: "Recommend", domain, acts: recommend, entity, label: `Recommend(${domain}: ${name})` });
      }
      if (domain === "train") {
        bundles.push({
          type: "OfferBook",
          domain,
          acts: [makeMultiWozAct("Train", "Inform", "Id", name), ...entityActs(domain, "Inform", entity, ["leaveAt", "arriveBy"]), makeMultiWozAct("Train", "OfferBook")],
          entity,
          label: `OfferBook(train: ${name})`,
        });
      }
    }
    const [first, second] = matches;
    if (first && second && domain !== "taxi" && domain !== "police") {
      const nameA = multiWozEntityName(domain, first);
      const nameB = multiWozEntityName(domain, second);
      bundles.push({
        type: "Select",
        domain,
        acts: [makeMultiWozAct(actDomain, "Select", actSlotOf(domain, nameSlot(domain)), nameA), makeMultiWozAct(actDomain, "Select", actSlotOf(domain, nameSlot(domain)), nameB)],
        entity: first,
        label: `Select(${domain}: ${nameA} | ${nameB})`,
      });
    }
  }

  const missingBooking = MULTIWOZ_BOOKABLE_DOMAINS.has(domain) ? (MULTIWOZ_REQUIRED_BOOKING_SLOTS[domain] ?? []).filter((slot) => !multiWozBookingSlotsOf(state, domain)[slot]) : [];
  const bookVenue = offered && offeredStillValid ? offered.entity : matches?.[0];
  if (MULTIWOZ_BOOKABLE_DOMAINS.has(domain) && !booked && bookVenue) {
    const name = multiWozEntityName(domain, bookVenue);
    if (!state.bookingOffered[domain] || domain === "train") {
      bundles.push({ type: "OfferBook", domain, acts: domain === "train" ? [makeMultiWozAct("Train", "OfferBook")] : [makeMultiWozAct("Booking", "Inform")], entity: bookVenue, label: `OfferBook(${domain}: ${name})` });
    }
    if (missingBooking.length > 0 && Object.keys(multiWozBookingSlotsOf(state, domain)).length > 0) {
      bundles.push({
        type: "Request",
        domain,
        acts: missingBooking.map((slot) => makeMultiWozAct(domain === "train" ? "Train" : "Booking", "Request", actSlotOf(domain, slot))),
        entity: bookVenue,
        label: `Request(${domain} booking: ${missingBooking.join(", ")})`,
      });
    }
    if (missingBooking.length === 0) {
      const slots = multiWozBookingSlotsOf(state, domain);
      const result = world.availability.book(domain, name, slots);
      if (result.ok) {
        const acts =
          domain === "train"
            ? [makeMultiWozAct("Train", "OfferBooked", "Id", name), ...entityActs(domain, "OfferBooked", bookVenue, ["price"]), makeMultiWozAct("Train", "OfferBooked", "Ref", result.reference)]
            : [makeMultiWozAct("Booking", "Book", "Name", name), makeMultiWozAct("Booking", "Book", "Ref", result.reference)];
        bundles.push({ type: "Book", domain, acts, entity: bookVenue, label: `Book(${domain}: ${name}, ${result.reference})` });
      } else {
        const acts = Object.entries(slots).slice(0, 1).map(([slot, value]) => makeMultiWozAct("Booking", "NoBook", actSlotOf(domain, slot), value));
        bundles.push({ type: "NoBook", domain, acts: [...acts, makeMultiWozAct("Booking", "NoBook")], entity: bookVenue, label: `NoBook(${domain}: ${name})` });
      }
    }
  }
  const all = dedupe([...bundles, ...closing]);
  return { domain, ...(matches ? { matches } : {}), missing, missingRequired, missingBooking, bundles: all };
}

function dedupeActs(acts: DialogueAct[]): DialogueAct[] {
  const seen = new Set<string>();
  return acts.filter((act) => {
    const key = `${act.domain}|${act.intent}|${act.slot}|${act.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The set of plausible system act bundles at this turn, each grounded in the database (see {@link multiWozTurnContext}). */
export function candidateSystemActs(state: MultiWozTrackedState, world: MultiWozSystemWorld): MultiWozActBundle[] {
  return multiWozTurnContext(state, world).bundles;
}
