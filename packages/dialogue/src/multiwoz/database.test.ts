import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveDataDir } from "../core/data-dir.js";
import { createRng } from "../core/rng.js";
import {
  createBookingReference,
  multiWozEntityValue,
  isDontCareValue,
  loadMultiWozDatabase,
  normalizeMultiWozSlot,
  parseMultiWozTime,
} from "./index.js";

const db = loadMultiWozDatabase({ dataDir: resolveDataDir() });
const names = (rows: readonly Record<string, unknown>[], key = "name"): unknown[] => rows.map((row) => row[key]);

describe("venue queries on the real databases", () => {
  it("lists every table", () => {
    expect(db.domains).toEqual(["attraction", "bus", "hospital", "hotel", "police", "restaurant", "taxi", "train"]);
    expect(db.entities("restaurant")).toHaveLength(110);
    expect(db.entities("train")).toHaveLength(2828);
  });

  it("finds the cheap chinese restaurants in the centre", () => {
    const rows = db.query("restaurant", { area: "centre", pricerange: "cheap", food: "chinese" });
    expect(names(rows)).toEqual(["charlie chan", "rice house", "golden house"]);
  });

  it("ignores dontcare and empty values and accepts other slot spellings and value variants", () => {
    const anywhere = db.query("restaurant", { area: "dontcare", "price range": "Cheap", food: "Chinese", name: "" });
    expect(names(anywhere)).toEqual(["charlie chan", "rice house", "the lucky star", "golden house"]);
    const pairs = db.query("Restaurant", [["Area", "center"], ["Price", "cheap"], ["Food", "chinese"], ["book people", "4"]]);
    expect(names(pairs)).toEqual(["charlie chan", "rice house", "golden house"]);
    expect(db.query("restaurant", { area: "not mentioned", food: "do n't care" })).toHaveLength(110);
  });

  it("answers the hotel part of PMUL1635's goal with the hotels the corpus system recommended", () => {
    const rows = db.query("hotel", { area: "east", parking: "yes", stars: "4", internet: "yes" });
    expect(names(rows)).toEqual(["allenbell", "autumn house", "carolina bed and breakfast", "leverton house", "warkworth house"]);
    expect(names(db.query("hotel", { area: "east", stars: "4", type: "guest house", pricerange: "moderate" }))).toEqual([
      "a and b guest house",
      "carolina bed and breakfast",
      "warkworth house",
    ]);
  });

  it("keeps trains leaving at or after leaveAt", () => {
    const rows = db.query("train", { departure: "cambridge", destination: "ely", day: "tuesday", leaveAt: "10:00" });
    expect(names(rows, "trainID")).toEqual(["TR7458", "TR3420", "TR4447", "TR7733", "TR5511", "TR9022", "TR3842"]);
    const boundary = db.query("train", { departure: "cambridge", destination: "ely", day: "tuesday", leaveAt: "11:50" });
    expect(names(boundary, "trainID")[0]).toBe("TR7458");
  });

  it("keeps trains arriving at or before arriveBy, and combines both bounds", () => {
    const rows = db.query("train", { departure: "cambridge", destination: "ely", day: "tuesday", arriveBy: "14:07" });
    expect(names(rows, "trainID")).toEqual(["TR1534", "TR9530", "TR3246", "TR7458", "TR3420"]);
    const window = db.query("train", { Depart: "cambridge", Dest: "ely", Day: "tuesday", "leave at": "09:50", "arrive by": "12:07" });
    expect(names(window, "trainID")).toEqual(["TR3246", "TR7458"]);
    const goal = db.query("train", { destination: "bishops stortford", day: "friday", arriveBy: "19:45", departure: "cambridge" });
    expect(names(goal, "trainID")).toEqual(["TR3847", "TR6809", "TR5853", "TR8078", "TR8585", "TR2730", "TR1567"]);
  });

  it("treats an unparseable time as no constraint, like ConvLab", () => {
    const all = db.query("train", { departure: "cambridge", destination: "ely", day: "tuesday" });
    expect(db.query("train", { departure: "cambridge", destination: "ely", day: "tuesday", leaveAt: "after lunch" })).toEqual(all);
    expect(all).toHaveLength(10);
  });

  it("matches attraction types across spellings and treats a `?` entity value as unknown", () => {
    expect(names(db.query("attraction", { type: "swimming pool", area: "north" }))).toEqual([
      "jesus green outdoor pool",
      "kings hedges learner pool",
    ]);
    const fee = db.query("attraction", { name: "abbey pool and astroturf pitch", "entrance fee": "5 pounds" });
    expect(names(fee)).toEqual(["abbey pool and astroturf pitch"]);
  });

  it("handles hospital, police and taxi", () => {
    expect(names(db.query("hospital", { department: "Paediatric Clinic" }), "phone")).toEqual(["01223348313"]);
    expect(db.query("hospital", {})).toHaveLength(66);
    expect(names(db.query("police", {}))).toEqual(["Parkside Police Station"]);
    const taxi = db.query("taxi", { departure: "christ's college", destination: "gonville hotel", leaveAt: "10:15" });
    expect(taxi).toHaveLength(1);
    expect(taxi[0]?.phone).toMatch(/^07\d{9}$/);
    expect(taxi[0]?.["car type"]).toBe(`${String(taxi[0]?.color)} ${String(taxi[0]?.make)}`);
    expect(db.query("taxi", { leaveAt: "10:15", destination: "gonville hotel", departure: "christ's college" })).toEqual(taxi);
    expect(db.query("taxi", {}, { rng: createRng(1) })).toEqual(db.query("taxi", {}, { rng: createRng(1) }));
  });

  it("matches names across the corpus' spellings", () => {
    expect(names(db.query("attraction", { name: "christ 's college" }))).toEqual(["christ's college"]);
    expect(names(db.query("attraction", { name: "Cambridge Punter" }))).toEqual(["the cambridge punter"]);
    expect(names(db.query("attraction", { name: "the vue cinema" }))).toEqual(["vue cinema"]);
  });

  it("rejects unknown domains and slots by name, and non-string values", () => {
    expect(() => db.query("restaurant", { area: undefined as unknown as string })).toThrow(/constraint "area" must have a string value/);
    expect(() => db.query("spaceport", {})).toThrow(/unknown MultiWOZ domain "spaceport"/);
    expect(() => db.query("restaurant", { colour: "red" })).toThrow(/unknown slot "colour" for MultiWOZ domain "restaurant"/);
  });

  it("answers a repeated search alike, in any constraint order, and a caller's changes to an answer stay its own", () => {
    const first = db.query("hotel", { area: "east", parking: "yes", stars: "4" });
    first.pop();
    first.push(db.query("police", {})[0]!);
    const again = db.query("hotel", { stars: "4", area: "East", parking: "yes" });
    expect(names(again)).toEqual(["allenbell", "autumn house", "carolina bed and breakfast", "leverton house", "warkworth house"]);
    expect(again).not.toBe(first);
  });

  it("returns read-only entities", () => {
    const row = db.query("restaurant", { name: "rice house" })[0]!;
    expect(() => {
      (row as Record<string, unknown>).area = "north";
    }).toThrow(TypeError);
    expect(multiWozEntityValue("restaurant", row, "Addr")).toBe(row.address);
    expect(multiWozEntityValue("restaurant", row, "price range")).toBe("cheap");
  });
});

describe("slot helpers and booking references", () => {
  it("normalises slot spellings per domain", () => {
    expect(normalizeMultiWozSlot("train", "Leave")).toBe("leaveAt");
    expect(normalizeMultiWozSlot("train", "leaveat")).toBe("leaveAt");
    expect(normalizeMultiWozSlot("train", "Ticket")).toBe("price");
    expect(normalizeMultiWozSlot("hotel", "Price")).toBe("pricerange");
    expect(normalizeMultiWozSlot("attraction", "Fee")).toBe("entrance fee");
    expect(normalizeMultiWozSlot("taxi", "Car")).toBe("car type");
    expect(normalizeMultiWozSlot("hotel", "book stay")).toBeUndefined();
    expect(normalizeMultiWozSlot("train", "book day")).toBeUndefined();
  });

  it("recognises no-preference values and parses times", () => {
    expect(["dontcare", "do n't care", "", "Not Mentioned", " don't care "].every(isDontCareValue)).toBe(true);
    expect(isDontCareValue("none")).toBe(false);
    expect(parseMultiWozTime("09:05")).toBe(545);
    expect(parseMultiWozTime("9:05")).toBe(545);
    expect(parseMultiWozTime("24:07")).toBe(1447);
    expect(parseMultiWozTime("after 9:15 am")).toBeUndefined();
    expect(parseMultiWozTime("10:75")).toBeUndefined();
  });

  it("generates deterministic 8-character references", () => {
    const a = [createBookingReference(createRng(7)), createBookingReference(createRng(7))];
    expect(a[0]).toBe(a[1]);
    expect(a[0]).toMatch(/^[A-Z0-9]{8}$/);
    const rng = createRng(7);
    const refs = new Set(Array.from({ length: 50 }, () => createBookingReference(rng)));
    expect(refs.size).toBe(50);
  });

  it("names the file and entity field of a malformed table", () => {
    const dir = mkdtempSync(join(tmpdir(), "foresight-mwzdb-"));
    mkdirSync(join(dir, "multiwoz", "db"), { recursive: true });
    for (const name of ["attraction", "bus", "hospital", "hotel", "police", "restaurant", "taxi"]) {
      writeFileSync(join(dir, "multiwoz", "db", `${name}_db.json`), JSON.stringify(db.entities(name)));
    }
    const trains = db.entities("train").slice(0, 3).map((row) => ({ ...row }));
    trains[2] = { ...trains[2], leaveAt: "7 am" };
    writeFileSync(join(dir, "multiwoz", "db", "train_db.json"), JSON.stringify(trains));
    expect(() => loadMultiWozDatabase({ dataDir: dir })).toThrow(/train_db\.json \(field 2\.leaveAt\): expected HH:MM/);
  });
});
