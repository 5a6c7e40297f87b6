import { join } from "node:path";
import { z } from "zod";
import { CorpusError, readJsonFile } from "../core/data-dir.js";
import { RecentMap } from "../core/recent-map.js";
import { createRng, type Rng } from "../core/rng.js";
import { multiWozDir } from "./corpus.js";
import { isDontCareValue, normalizeMultiWozSlot, normalizeMultiWozValue, parseMultiWozTime } from "./slots.js";

/** A venue (or train, hospital department, police station, generated taxi) as stored in the database; read-only. */
export type MultiWozEntity = Readonly<Record<string, unknown>>;

/** Constraints of a query: slot → value, or a list of `[slot, value]` pairs (the ConvLab shape). */
export type MultiWozConstraints = Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

/** Options of {@link MultiWozDatabase.query}. */
export interface MultiWozQueryOptions {
  /** The generator for the taxi domain's generated car and phone (default: derived from the seed and constraints). */
  rng?: Rng;
}

/** The MultiWOZ venue databases with MultiWOZ/ConvLab query semantics. */
export interface MultiWozDatabase {
  /** The domains that have a table (`attraction`, `bus`, `hospital`, `hotel`, `police`, `restaurant`, `taxi`, `train`). */
  readonly domains: readonly string[];
  /** Every entity of a domain (for `taxi`, the colour/type/phone vocabulary record). */
  entities(domain: string): readonly MultiWozEntity[];
  /**
   * The entities satisfying all constraints. Values that mean "no preference" (`dontcare`, `""`, `not mentioned`)
   * are ignored; other values compare case-insensitively after spelling normalisation; `leaveAt` keeps entities
   * leaving at or after the time and `arriveBy` those arriving at or before it (`HH:MM`; an unparseable time places
   * no constraint, as in ConvLab); a column an entity lacks and an entity value `?` place no constraint; booking
   * slots (`people`, `stay`, …) are ignored. `taxi` returns one generated taxi (colour + type, 11-digit phone),
   * deterministic for a given seed and constraints. Throws on an unknown domain or slot.
   */
  query(domain: string, constraints: MultiWozConstraints, options?: MultiWozQueryOptions): MultiWozEntity[];
}

/** Options for {@link loadMultiWozDatabase}. */
export interface LoadMultiWozDatabaseOptions {
  dataDir?: string;
  /** Seed for the generated taxi details when a query passes no generator (default 0). */
  seed?: number;
}

const text = z.string();
const time = z.string().regex(/^\d{2}:\d{2}$/, "expected HH:MM");
const location = z.array(z.number()).length(2);

const TABLE_SCHEMAS = {
  restaurant: z.looseObject({
    name: text,
    area: text,
    food: text,
    pricerange: text,
    address: text,
    postcode: text,
    phone: text.optional(),
    type: text,
    id: text,
    location,
  }),
  hotel: z.looseObject({
    name: text,
    area: text,
    pricerange: text,
    stars: text,
    internet: text,
    parking: text,
    type: text,
    address: text,
    postcode: text,
    phone: text,
    price: z.record(z.string(), z.string()),
    takesbookings: text,
    id: text,
  }),
  attraction: z.looseObject({
    name: text,
    area: text,
    type: text,
    address: text,
    postcode: text,
    phone: text,
    "entrance fee": text,
    openhours: text,
    pricerange: text,
    id: text,
  }),
  train: z.looseObject({
    trainID: text,
    day: text,
    departure: text,
    destination: text,
    leaveAt: time,
    arriveBy: time,
    duration: text,
    price: text,
  }),
  hospital: z.looseObject({ department: text, phone: text, id: z.number() }),
  police: z.looseObject({ name: text, address: text, phone: text }),
  taxi: z.looseObject({
    taxi_colors: z.array(text).min(1),
    taxi_types: z.array(text).min(1),
    taxi_phone: z.array(text),
  }),
} as const;

const TABLE_FILES: Record<string, { file: string; schema: z.ZodType<Record<string, unknown>> }> = {
  attraction: { file: "attraction_db.json", schema: TABLE_SCHEMAS.attraction },
  bus: { file: "bus_db.json", schema: TABLE_SCHEMAS.train },
  hospital: { file: "hospital_db.json", schema: TABLE_SCHEMAS.hospital },
  hotel: { file: "hotel_db.json", schema: TABLE_SCHEMAS.hotel },
  police: { file: "police_db.json", schema: TABLE_SCHEMAS.police },
  restaurant: { file: "restaurant_db.json", schema: TABLE_SCHEMAS.restaurant },
  taxi: { file: "taxi_db.json", schema: TABLE_SCHEMAS.taxi },
  train: { file: "train_db.json", schema: TABLE_SCHEMAS.train },
};

const REFERENCE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** A booking reference like the corpus' (`6YM4T8IT`): 8 upper-case alphanumeric characters drawn from `rng`. */
export function createBookingReference(rng: Rng): string {
  let reference = "";
  for (let i = 0; i < 8; i++) reference += REFERENCE_ALPHABET[rng.int(REFERENCE_ALPHABET.length)];
  return reference;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Loads and validates `multiwoz/db/*_db.json`; errors name the file and the entity field (`<index>.<field>`). */
export function loadMultiWozDatabase(options: LoadMultiWozDatabaseOptions = {}): MultiWozDatabase {
  const dir = join(multiWozDir(options.dataDir), "db");
  const tables = new Map<string, readonly MultiWozEntity[]>();
  for (const [domain, { file, schema }] of Object.entries(TABLE_FILES)) {
    const path = join(dir, file);
    const rows = readJsonFile(path, z.array(schema));
    if (rows.length === 0) throw new CorpusError(path, "table is empty");
    tables.set(domain, deepFreeze(rows));
  }
  return createMultiWozDatabase(tables, options.seed ?? 0);
}

/**
 * Builds a database over in-memory tables (domain → entities), e.g. for tests with a small hand-made table. The tables
 * must not change afterwards: normalised columns and query answers are kept per database.
 */
export function createMultiWozDatabase(
  tables: ReadonlyMap<string, readonly MultiWozEntity[]>,
  seed = 0,
): MultiWozDatabase {
  const table = (domain: string): readonly MultiWozEntity[] => {
    const rows = tables.get(domain.toLowerCase());
    if (!rows) throw new Error(`unknown MultiWOZ domain "${domain}"; known: ${[...tables.keys()].join(", ")}`);
    return rows;
  };
  // Per table and column, the stored values as queries compare them (normalised once, not per query and row).
  const comparable = new Map<string, ComparableColumn>();
  const column = (domain: string, name: string): ComparableColumn => {
    const key = `${domain}\u0000${name}`;
    let values = comparable.get(key);
    if (!values) {
      values = comparableColumn(table(domain), name);
      comparable.set(key, values);
    }
    return values;
  };
  // Answers by domain and constraints as compared: planners and simulators ask the same searches again and again.
  const answers = new RecentMap<string, readonly MultiWozEntity[]>(QUERY_CACHE_SIZE);
  return {
    domains: [...tables.keys()].sort(),
    entities: table,
    query(domain, constraints, options = {}) {
      const rows = table(domain);
      const pairs = constraintPairs(constraints);
      const checks = pairs.flatMap(([slot, value]) => {
        const name = normalizeMultiWozSlot(domain, slot);
        if (name === undefined || isDontCareValue(value)) return [];
        const wanted = TIME_COLUMNS.has(name) ? parseMultiWozTime(value) : normalizeMultiWozValue(name, value);
        // An unparseable time places no constraint, as in ConvLab.
        return wanted === undefined ? [] : [{ name, wanted }];
      });
      if (domain.toLowerCase() === "taxi") return [generateTaxi(rows[0]!, options.rng ?? taxiRng(seed, pairs))];
      const key = JSON.stringify([domain.toLowerCase(), checks.map(({ name, wanted }) => [name, wanted]).sort()]);
      let found = answers.get(key);
      if (!found) {
        const columns = checks.map(({ name, wanted }) => ({ name, wanted, values: column(domain.toLowerCase(), name) }));
        found = rows.filter((_, i) => columns.every(({ name, wanted, values }) => satisfies(name, values[i], wanted)));
        answers.set(key, found);
      }
      return [...found];
    },
  };
}

/** Columns compared as times (`HH:MM`, minutes after midnight). */
const TIME_COLUMNS: ReadonlySet<string> = new Set(["leaveAt", "arriveBy"]);

/** Distinct queries a database keeps the answers of (the latest ones). */
const QUERY_CACHE_SIZE = 4096;

/**
 * A column's stored values as queries compare them, per row: minutes for a time, normalised text otherwise;
 * `undefined` (no value, a non-text value, `?`, an unparseable time) places no constraint.
 */
type ComparableColumn = readonly (string | number | undefined)[];

function comparableColumn(rows: readonly MultiWozEntity[], column: string): ComparableColumn {
  return rows.map((row) => {
    const stored = row[column];
    if (typeof stored !== "string" && typeof stored !== "number") return undefined;
    const storedText = String(stored).trim();
    if (TIME_COLUMNS.has(column)) return parseMultiWozTime(storedText);
    return storedText === "?" ? undefined : normalizeMultiWozValue(column, storedText);
  });
}

function constraintPairs(constraints: MultiWozConstraints): [string, string][] {
  const pairs: [unknown, unknown][] = Array.isArray(constraints)
    ? constraints.map((pair) => [pair[0], pair[1]])
    : Object.entries(constraints as Readonly<Record<string, unknown>>);
  for (const [slot, value] of pairs) {
    if (typeof slot !== "string" || typeof value !== "string") {
      throw new TypeError(`MultiWOZ query constraint ${JSON.stringify(slot)} must have a string value, got ${typeof value}`);
    }
  }
  return pairs as [string, string][];
}

/** Whether a stored value (as {@link comparableColumn} gives it) satisfies a wanted one (normalised the same way). */
function satisfies(column: string, stored: string | number | undefined, wanted: string | number): boolean {
  if (stored === undefined) return true;
  if (column === "leaveAt") return (stored as number) >= (wanted as number);
  if (column === "arriveBy") return (stored as number) <= (wanted as number);
  return stored === wanted;
}

function taxiRng(seed: number, pairs: [string, string][]): Rng {
  const key = pairs
    .map(([slot, value]) => `${slot.toLowerCase()}=${value.toLowerCase()}`)
    .sort()
    .join("|");
  return createRng(`taxi:${seed}:${key}`);
}

function generateTaxi(vocabulary: MultiWozEntity, rng: Rng): MultiWozEntity {
  const colors = vocabulary.taxi_colors as readonly string[];
  const types = vocabulary.taxi_types as readonly string[];
  const color = colors[rng.int(colors.length)]!;
  const make = types[rng.int(types.length)]!;
  let phone = "07";
  for (let i = 0; i < 9; i++) phone += String(rng.int(10));
  return Object.freeze({ "car type": `${color} ${make}`, color, make, phone });
}

/** An entity's value for a slot in any spelling (`Price`, `price range`), as text; `undefined` when absent. */
export function multiWozEntityValue(domain: string, entity: MultiWozEntity, slot: string): string | undefined {
  const column = normalizeMultiWozSlot(domain, slot);
  if (column === undefined) return undefined;
  const value = entity[column];
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}
