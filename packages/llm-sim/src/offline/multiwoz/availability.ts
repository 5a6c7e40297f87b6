import {
  createBookingReference,
  createRng,
  type MultiWozDatabase,
  type MultiWozDomainGoal,
  type MultiWozEntity,
  type MultiWozGoal,
} from "@foresight/dialogue";
import { sameMultiWozValue, type MultiWozSimDomain } from "./slots.js";

/** The booking slots a booking needs, per bookable domain. */
export const MULTIWOZ_REQUIRED_BOOKING_SLOTS: Readonly<Record<string, readonly string[]>> = {
  hotel: ["people", "day", "stay"],
  restaurant: ["people", "day", "time"],
  train: ["people"],
};

/** The answer of a booking attempt. */
export type MultiWozBookingResult = { ok: true; reference: string } | { ok: false; reason: string };

/** What the world can offer: venue search and bookings. */
export interface MultiWozAvailability {
  /** Venues matching the constraints (the database, minus what the goal says was unavailable). */
  search(domain: MultiWozSimDomain, constraints: Readonly<Record<string, string>>): MultiWozEntity[];
  /** Tries to book `venue` with the booking slots; a success carries a booking reference. */
  book(domain: MultiWozSimDomain, venue: string, slots: Readonly<Record<string, string>>): MultiWozBookingResult;
}

function matchesAll(wanted: Readonly<Record<string, string>>, actual: Readonly<Record<string, string>>): boolean {
  const entries = Object.entries(wanted);
  return entries.length > 0 && entries.every(([slot, value]) => actual[slot] !== undefined && sameMultiWozValue(actual[slot], value));
}

/** Whether a venue name the system gave is the one the user named: equal, or the full form of a short name ("ask" → "ask restaurant"). */
export function sameMultiWozVenueName(wanted: string, given: string): boolean {
  if (sameMultiWozValue(wanted, given)) return true;
  const norm = (value: string) => value.trim().toLowerCase().replace(/\s+/g, " ").replace(/^the /, "");
  return norm(given).startsWith(`${norm(wanted)} `);
}

/**
 * The database search, except that a `name` that matches no venue exactly matches the venues whose name starts
 * with it as whole words: goals name some venues by a short form ("ask" for "ask restaurant").
 */
export function queryMultiWozVenues(db: MultiWozDatabase, domain: MultiWozSimDomain, constraints: Readonly<Record<string, string>>): MultiWozEntity[] {
  const found = db.query(domain, constraints);
  const name = constraints.name;
  if (found.length > 0 || name === undefined) return found;
  const rest = Object.fromEntries(Object.entries(constraints).filter(([slot]) => slot !== "name"));
  return db.query(domain, rest).filter((entity) => typeof entity.name === "string" && entity.name !== name && sameMultiWozVenueName(name, entity.name));
}

/**
 * A goal domain's `fail_info` as MultiWOZ means it: the constraints of a first search that found nothing. When the
 * final constraints (`info`) contain every `fail_info` value (e.g. `fail_info` equals `info`, as in goals whose only
 * failure was a booking), honouring it would make the final search fail too and the goal impossible; no search
 * failed in that dialogue, so it is read as empty.
 */
export function effectiveFailInfo(goal: MultiWozDomainGoal): Record<string, string> {
  return matchesAll(goal.failInfo, goal.info) ? {} : { ...goal.failInfo };
}

/** A goal domain's `fail_book`, read as empty when the final booking (`book`) has every `fail_book` value (see {@link effectiveFailInfo}). */
export function effectiveFailBook(goal: MultiWozDomainGoal): Record<string, string> | undefined {
  if (!goal.failBook || Object.keys(goal.failBook).length === 0) return undefined;
  return matchesAll(goal.failBook, goal.book ?? {}) ? undefined : { ...goal.failBook };
}

/**
 * The world's availability for one simulated user goal. Search is the real venue database; in addition, the
 * corpus goal's `fail_info` (the constraints the original user tried first and that failed, often because the venue
 * was full) and `fail_book` (a booking that was refused) are honoured as facts of this world: a search whose
 * constraints include all `fail_info` values finds nothing, and a booking with all `fail_book` values is refused
 * (both read as MultiWOZ intends, see {@link effectiveFailInfo}, so that the goal's final search and booking succeed).
 * Booking references are derived from `seed`, the venue and the slots, so the same booking gets the same reference.
 */
export function createMultiWozGoalAvailability(db: MultiWozDatabase, goal: MultiWozGoal | undefined, seed = 0): MultiWozAvailability {
  return {
    search(domain, constraints) {
      const part = goal?.domains[domain];
      if (part && matchesAll(effectiveFailInfo(part), constraints)) return [];
      return queryMultiWozVenues(db, domain, constraints);
    },
    book(domain, venue, slots) {
      const required = MULTIWOZ_REQUIRED_BOOKING_SLOTS[domain];
      if (!required) return { ok: false, reason: `domain ${domain} takes no bookings` };
      const missing = required.filter((slot) => !slots[slot]);
      if (missing.length > 0) return { ok: false, reason: `missing booking slots: ${missing.join(", ")}` };
      const part = goal?.domains[domain];
      const failBook = part ? effectiveFailBook(part) : undefined;
      if (failBook && matchesAll(failBook, slots)) return { ok: false, reason: "no availability for these booking details" };
      const key = Object.entries(slots)
        .map(([slot, value]) => `${slot}=${value.toLowerCase()}`)
        .sort()
        .join("|");
      return { ok: true, reference: createBookingReference(createRng(`booking:${seed}:${domain}:${venue.toLowerCase()}:${key}`)) };
    },
  };
}
