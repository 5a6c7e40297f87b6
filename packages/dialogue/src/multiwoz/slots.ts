/** Values that mean "no constraint" in MultiWOZ belief states and goals (ConvLab's list). */
export const DONTCARE_VALUES: ReadonlySet<string> = new Set([
  "",
  "dontcare",
  "dont care",
  "don't care",
  "do n't care",
  "do nt care",
  "not mentioned",
]);

/** Whether a value places no constraint (`dontcare`, empty, `not mentioned`, …), compared case-insensitively. */
export function isDontCareValue(value: string): boolean {
  return DONTCARE_VALUES.has(value.trim().toLowerCase());
}

/** Database column names, per domain, of the slot spellings used by belief states, goals, the ontology and acts. */
const SHARED_SLOTS: Record<string, string> = {
  addr: "address",
  address: "address",
  area: "area",
  name: "name",
  phone: "phone",
  post: "postcode",
  postcode: "postcode",
  type: "type",
  id: "id",
};

/** The journey slots that trains, buses and taxis share. */
const JOURNEY_SLOTS: Record<string, string> = {
  arrive: "arriveBy",
  arriveby: "arriveBy",
  leave: "leaveAt",
  leaveat: "leaveAt",
  depart: "departure",
  departure: "departure",
  dest: "destination",
  destination: "destination",
};

const DOMAIN_SLOTS: Record<string, Record<string, string>> = {
  restaurant: { ...SHARED_SLOTS, food: "food", price: "pricerange", pricerange: "pricerange" },
  hotel: {
    ...SHARED_SLOTS,
    price: "pricerange",
    pricerange: "pricerange",
    stars: "stars",
    internet: "internet",
    wifi: "internet",
    parking: "parking",
    takesbookings: "takesbookings",
  },
  attraction: {
    ...SHARED_SLOTS,
    fee: "entrance fee",
    entrancefee: "entrance fee",
    price: "pricerange",
    pricerange: "pricerange",
    open: "openhours",
    openhours: "openhours",
  },
  train: {
    ...JOURNEY_SLOTS,
    day: "day",
    id: "trainID",
    trainid: "trainID",
    ticket: "price",
    price: "price",
    time: "duration",
    duration: "duration",
  },
  hospital: { department: "department", id: "id", phone: "phone", address: "address", addr: "address", postcode: "postcode", post: "postcode" },
  police: { ...SHARED_SLOTS },
  taxi: {
    ...JOURNEY_SLOTS,
    car: "car type",
    cartype: "car type",
    type: "car type",
    phone: "phone",
  },
};
DOMAIN_SLOTS.bus = DOMAIN_SLOTS.train!;

/** Booking slots: accepted in constraints and ignored by venue queries (they constrain the booking, not the venue). */
const BOOKING_SLOTS: ReadonlySet<string> = new Set(["people", "day", "time", "stay", "ref", "reference", "booked"]);

function slotKey(slot: string): string {
  return slot.toLowerCase().replace(/[\s_-]+/g, "");
}

/**
 * The database column a slot refers to in a domain, or `undefined` when it is a booking slot (`book people`, `stay`,
 * …) that does not constrain venues. Accepts belief-state (`pricerange`, `leaveAt`), ontology (`price range`,
 * `leave at`, `book day`) and act (`Price`, `Leave`, `Addr`) spellings. Throws on a slot the domain does not know.
 */
export function normalizeMultiWozSlot(domain: string, slot: string): string | undefined {
  const table = DOMAIN_SLOTS[domain.toLowerCase()];
  if (!table) throw new Error(`unknown MultiWOZ domain "${domain}"; known: ${Object.keys(DOMAIN_SLOTS).join(", ")}`);
  const key = slotKey(slot);
  const column = table[key];
  if (column !== undefined) return column;
  if (BOOKING_SLOTS.has(key)) return undefined;
  const unprefixed = key.startsWith("book") ? key.slice(4) : "";
  if (unprefixed && (table[unprefixed] !== undefined || BOOKING_SLOTS.has(unprefixed))) return undefined;
  throw new Error(`unknown slot "${slot}" for MultiWOZ domain "${domain}"; known: ${[...new Set(Object.values(table))].join(", ")}`);
}

const VALUE_ALIASES: Record<string, Record<string, string>> = {
  area: { center: "centre", "city centre": "centre", "city center": "centre" },
  type: {
    "guest house": "guesthouse",
    "guest houses": "guesthouse",
    hotels: "hotel",
    "swimming pool": "swimmingpool",
    "concert hall": "concerthall",
    "multiple sports": "mutliple sports",
    "night club": "nightclub",
    museums: "museum",
    colleges: "college",
  },
};

/**
 * Normalises a value for comparison with database values: trimmed, lower-cased, whitespace collapsed, and the
 * corpus' known spelling variants mapped to the database spelling (`center` → `centre`, `guest house` → `guesthouse`);
 * names also lose a leading `the`, re-join the corpus' tokenised `'s` (`christ 's college`) and read `&` as `and`.
 */
export function normalizeMultiWozValue(column: string, value: string): string {
  let plain = value.trim().toLowerCase().replace(/\s+/g, " ");
  if (column === "name") plain = plain.replace(/ '(s|)\b/g, "'$1").replace(/ & /g, " and ").replace(/^the /, "");
  return VALUE_ALIASES[column]?.[plain] ?? plain;
}

/** Parses `HH:MM` (or `H:MM`, `HH.MM`) into minutes after midnight; `undefined` when the text is not a time. */
export function parseMultiWozTime(value: string): number | undefined {
  const match = /^(\d{1,2})[:.](\d{2})$/.exec(value.trim());
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (minutes > 59 || hours > 24) return undefined;
  return hours * 60 + minutes;
}
