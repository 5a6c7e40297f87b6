import {
  createBookingReference,
  createRng,
  type MultiWozDatabase,
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

/**
 * The world's availability for one simulated user goal. Search is the real venue database; in addition, the
 * corpus goal's `fail_info` (the constraints the original user tried first and that failed, often because the venue
 * was full) and `fail_book` (a booking that was refused) are honoured as facts of this world: a search whose
 * constraints include all `fail_info` values finds nothing, and a booking with all `fail_book` values is refused.
 * Booking references are derived from `seed`, the venue and the slots, so the same booking gets the same reference.
 */
export function createMultiWozGoalAvailability(db: MultiWozDatabase, goal: MultiWozGoal | undefined, seed = 0): MultiWozAvailability {
  return {
    search(domain, constraints) {
      const failInfo = goal?.domains[domain]?.failInfo ?? {};
      if (matchesAll(failInfo, constraints)) return [];
      return db.query(domain, constraints);
    },
    book(domain, venue, slots) {
      const required = MULTIWOZ_REQUIRED_BOOKING_SLOTS[domain];
      if (!required) return { ok: false, reason: `domain ${domain} takes no bookings` };
      const missing = required.filter((slot) => !slots[slot]);
      if (missing.length > 0) return { ok: false, reason: `missing booking slots: ${missing.join(", ")}` };
      const failBook = goal?.domains[domain]?.failBook;
      if (failBook && matchesAll(failBook, slots)) return { ok: false, reason: "no availability for these booking details" };
      const key = Object.entries(slots)
        .map(([slot, value]) => `${slot}=${value.toLowerCase()}`)
        .sort()
        .join("|");
      return { ok: true, reference: createBookingReference(createRng(`booking:${seed}:${domain}:${venue.toLowerCase()}:${key}`)) };
    },
  };
}
