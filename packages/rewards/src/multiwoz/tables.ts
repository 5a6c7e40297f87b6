/** The domains ConvLab's MultiWOZ evaluator scores. */
export const EVALUATED_DOMAINS = ["attraction", "restaurant", "train", "hotel", "taxi", "hospital", "police"] as const;
export type EvaluatedDomain = (typeof EVALUATED_DOMAINS)[number];

/**
 * Act slot (lower-case, as in `Hotel-Inform(Addr=…)`) → goal/database slot, per domain (ConvLab's `mapping`).
 * Slots outside this table (e.g. `choice`, `ref`) are not informs of requestable information.
 */
export const INFORM_SLOT_MAPPING: Readonly<Record<EvaluatedDomain, Readonly<Record<string, string>>>> = {
  restaurant: { addr: "address", area: "area", food: "food", name: "name", phone: "phone", post: "postcode", price: "pricerange" },
  hotel: {
    addr: "address",
    area: "area",
    internet: "internet",
    parking: "parking",
    name: "name",
    phone: "phone",
    post: "postcode",
    price: "pricerange",
    stars: "stars",
    type: "type",
  },
  attraction: { addr: "address", area: "area", fee: "entrance fee", name: "name", phone: "phone", post: "postcode", type: "type" },
  train: {
    id: "trainID",
    arrive: "arriveBy",
    day: "day",
    depart: "departure",
    dest: "destination",
    time: "duration",
    leave: "leaveAt",
    ticket: "price",
  },
  taxi: { car: "car type", phone: "phone" },
  hospital: { post: "postcode", phone: "phone", addr: "address", department: "department" },
  police: { post: "postcode", phone: "phone", addr: "address" },
};

/**
 * Goal slots a user may request, per domain (ConvLab's `requestable`, in goal spelling). Informing one of these
 * that the user neither requested nor constrained is a false positive.
 */
export const REQUESTABLE_SLOTS: Readonly<Record<EvaluatedDomain, readonly string[]>> = {
  attraction: ["postcode", "phone", "address", "entrance fee", "area", "type"],
  restaurant: ["address", "phone", "postcode", "pricerange", "area", "food"],
  train: ["price", "duration", "trainID", "arriveBy", "leaveAt"],
  hotel: ["address", "postcode", "phone", "pricerange", "internet", "parking", "area", "type", "stars"],
  taxi: ["car type", "phone"],
  hospital: ["postcode", "phone", "address"],
  police: ["address", "postcode", "phone"],
};

/** Values that inform nothing (ConvLab's `NUL_VALUE`). */
export const NUL_VALUES: ReadonlySet<string> = new Set(["", "dont care", "not mentioned", "don't care", "dontcare", "do n't care"]);

const TIME = /^(([01]\d|2[0-4]):([0-5]\d)|24:00)$/;
const DAYS = new Set(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]);

const NUMBER_WORDS: Readonly<Record<string, string>> = { zero: "0", one: "1", two: "2", three: "3", four: "4", five: "5" };
const AREA_WORDS: Readonly<Record<string, string>> = { centre: "centre", center: "centre", north: "north", south: "south", east: "east", west: "west" };

/**
 * Canonicalises how people phrase an informed value before the format check (the corpus' human side writes
 * `centre of town`, `moderately priced`, `10.1 GBP`, `four`, `9:29`): lower-cased and trimmed; an area phrase of at
 * most four words naming exactly one area becomes that area; a price range phrase starting with `moderate`,
 * `cheap` or `expensive` becomes that range; a price in `gbp` or `£` reads as pounds; star number words become
 * digits; `H:MM` times are zero-padded. Values that are not values (`throughout the day`) stay as they are and fail.
 */
export function canonicalInformValue(slot: string, rawValue: string): string {
  const value = rawValue.trim().toLowerCase().replace(/\s+/g, " ");
  switch (slot) {
    case "area": {
      const words = value.split(" ");
      const areas = [...new Set(words.map((w) => AREA_WORDS[w]).filter((a): a is string => a !== undefined))];
      return words.length <= 4 && areas.length === 1 ? areas[0]! : value;
    }
    case "pricerange": {
      const match = /^(moderate|cheap|expensive)/.exec(value);
      return match ? match[1]! : value;
    }
    case "price":
      return /\bgbp\b|£/.test(value) && !value.includes("pound") ? `${value.replace(/£|\bgbp\b/g, "").trim()} pounds` : value;
    case "stars":
      return NUMBER_WORDS[value] ?? value;
    case "arriveBy":
    case "leaveAt":
      return /^\d:\d{2}$/.test(value) ? `0${value}` : value;
    default:
      return value;
  }
}

/**
 * ConvLab's value-format check of an informed value for a goal slot (on the lower-cased, trimmed value; postcodes
 * also without spaces): areas and days from their closed sets, `HH:MM` times, durations in minutes, yes/no/none for
 * internet and parking, 11-digit phones (any phone for restaurants), prices in pounds, price ranges from the closed
 * set (any for attractions), Cambridge postcodes, single-digit stars, `TR` + 4 digits train ids; anything else passes.
 */
export function isWellFormedInform(domain: string, slot: string, rawValue: string): boolean {
  const value = rawValue.trim().toLowerCase();
  switch (slot) {
    case "area":
      return ["centre", "east", "south", "west", "north"].includes(value);
    case "arriveBy":
    case "leaveAt":
      return TIME.test(value);
    case "day":
      return DAYS.has(value);
    case "duration":
      return value.includes("minute");
    case "internet":
    case "parking":
      return ["yes", "no", "none"].includes(value);
    case "phone":
      return /^\d{11}$/.test(value) || domain === "restaurant";
    case "price":
      return value.includes("pound");
    case "pricerange":
      return ["cheap", "expensive", "moderate", "free"].includes(value) || domain === "attraction";
    case "postcode": {
      const compact = value.replace(/\s+/g, "");
      return /^cb\d{1,3}[a-z]{2,3}$/.test(compact) || compact === "pe296fl";
    }
    case "stars":
      return /^\d$/.test(value);
    case "trainID":
      return /^tr\d{4}$/.test(value);
    default:
      return true;
  }
}

/** Whether a string is one of the evaluated domains. */
export function isEvaluatedDomain(domain: string): domain is EvaluatedDomain {
  return (EVALUATED_DOMAINS as readonly string[]).includes(domain);
}
