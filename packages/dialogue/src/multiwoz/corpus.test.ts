import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { CorpusError, resolveDataDir } from "../core/data-dir.js";
import type { CorpusWarning } from "../core/skipped.js";
import {
  beliefStateOf,
  fromMultiWozActs,
  loadMultiWoz,
  loadMultiWozIdList,
  loadMultiWozOntology,
  loadMultiWozTemplates,
  multiWozDir,
  ontologyValues,
  plainGoalMessage,
  listMultiWozSplits,
  readMultiWozArchive,
  toMultiWozActs,
  type MultiWozActDict,
  type MultiWozDialogue,
} from "./index.js";

// Fails loudly (CorpusError naming the folder) when the shared corpus is absent.
const dataDir = resolveDataDir();

let dialogues: MultiWozDialogue[];
beforeAll(() => {
  dialogues = loadMultiWoz({ dataDir });
});

describe("loadMultiWoz on the real validation split", () => {
  it("loads all 999 validation dialogues, in the id order of valListFile", () => {
    expect(dialogues).toHaveLength(999);
    expect(new Set(dialogues.map((d) => d.id)).size).toBe(999);
    expect(dialogues.map((d) => d.id)).toEqual(loadMultiWozIdList({ dataDir }));
    expect(dialogues.every((d) => d.domain === "multiwoz" && d.metadata?.originalId === d.id)).toBe(true);
  });

  it("alternates user and system turns, starting with the user; system turns carry the belief state", () => {
    for (const dialogue of dialogues) {
      expect(dialogue.turns.length % 2).toBe(0);
      dialogue.turns.forEach((turn, i) => {
        expect(turn.speaker).toBe(i % 2 === 0 ? "user" : "system");
        expect(turn.state === undefined).toBe(turn.speaker === "user");
      });
    }
  });

  it("reads the first turns of PMUL1635 with their acts and belief state", () => {
    const first = dialogues[0]!;
    expect(first.id).toBe("PMUL1635");
    const [user, system, user2] = first.turns;
    expect(user?.text).toBe("I need to book a hotel in the east that has 4 stars .");
    expect(user?.acts).toEqual([
      { domain: "Hotel", intent: "Inform", slot: "Area", value: "east" },
      { domain: "Hotel", intent: "Inform", slot: "Stars", value: "4" },
    ]);
    expect(user?.metadata?.spanInfo).toEqual([
      { act: "Hotel-Inform", slot: "Area", value: "east", start: 8, end: 8 },
      { act: "Hotel-Inform", slot: "Stars", value: "4", start: 11, end: 11 },
    ]);
    expect(system?.text).toBe("I can help you with that . What is your price range ?");
    expect(system?.acts).toEqual([{ domain: "Hotel", intent: "Request", slot: "Price" }]);
    expect(user2?.text).toBe("That does n't matter as long as it has free wifi and parking .");
    const belief = beliefStateOf(system!);
    expect(belief?.hotel?.semi).toMatchObject({ area: "east", stars: "4", pricerange: "not mentioned" });
    expect(belief?.hotel?.book).toEqual({ people: "", day: "", stay: "" });
    expect(belief?.hotel?.booked).toEqual([]);
    expect(beliefStateOf(user!)).toBeUndefined();
  });

  it("normalises the goal of PMUL1635 (hotel with a booking, train with requested slots)", () => {
    const goal = dialogues[0]!.goal;
    expect(Object.keys(goal.domains).sort()).toEqual(["hotel", "train"]);
    expect(goal.domains.hotel).toEqual({
      info: { area: "east", parking: "yes", stars: "4", internet: "yes" },
      failInfo: {},
      reqt: [],
      book: { people: "3", day: "monday", stay: "4" },
      bookInvalid: false,
    });
    expect(goal.domains.train).toEqual({
      info: { destination: "bishops stortford", day: "friday", arriveBy: "19:45", departure: "cambridge" },
      failInfo: {},
      reqt: ["duration", "leaveAt", "price"],
    });
    expect(goal.message).toHaveLength(8);
    expect(plainGoalMessage(goal)[3]).toBe(
      "Once you find the hotel you want to book it for 3 people and 4 nights starting from monday",
    );
    expect(dialogues[0]!.metadata?.goalDomains).toEqual(["hotel", "train"]);
  });

  it("records confirmed bookings in the belief state of the dialogue that makes them", () => {
    const last = dialogues[0]!.turns.at(-1)!;
    const booked = beliefStateOf(last)?.hotel?.booked ?? [];
    expect(booked.length).toBeGreaterThan(0);
    expect(booked[0]?.reference).toMatch(/^[A-Z0-9]{8}$/);
  });

  it("loads only the requested ids, in order, and names an unknown id", () => {
    const picked = loadMultiWoz({ dataDir, ids: ["SNG0907", "PMUL1635"] });
    expect(picked.map((d) => d.id)).toEqual(["SNG0907", "PMUL1635"]);
    expect(() => loadMultiWoz({ dataDir, ids: ["NOPE123"] })).toThrow(/no dialogue with id "NOPE123"/);
  });
});

describe("act conversion", () => {
  it("round-trips every dialog_act of the first 100 raw dialogues", () => {
    const { data } = readMultiWozArchive(multiWozDir(dataDir));
    let checked = 0;
    for (const raw of Object.values(data).slice(0, 100)) {
      for (const turn of (raw as { log: { dialog_act: MultiWozActDict }[] }).log) {
        expect(toMultiWozActs(fromMultiWozActs(turn.dialog_act))).toEqual(turn.dialog_act);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it("drops the `none` slot and a request's `?` but keeps a `none` value", () => {
    expect(
      fromMultiWozActs({ "general-bye": [["none", "none"]], "Hotel-Inform": [["Internet", "none"]], "Train-Request": [["Leave", "?"]] }),
    ).toEqual([
      { domain: "general", intent: "bye" },
      { domain: "Hotel", intent: "Inform", slot: "Internet", value: "none" },
      { domain: "Train", intent: "Request", slot: "Leave" },
    ]);
  });
});

describe("ontology and templates", () => {
  it("loads the ontology's 35 domain-slot entries", () => {
    const ontology = loadMultiWozOntology({ dataDir });
    expect(Object.keys(ontology)).toHaveLength(35);
    expect(ontologyValues(ontology, "hotel", "price range")).toEqual(["cheap", "do n't care", "moderate", "expensive"]);
    expect(ontologyValues(ontology, "Bus", "leaveat")).toEqual(["21:45"]);
    expect(() => ontologyValues(ontology, "hotel", "colour")).toThrow(/hotel-colour/);
  });

  it("loads ConvLab's user and system template tables", () => {
    const { user, system } = loadMultiWozTemplates({ dataDir });
    expect(Object.keys(user)).toHaveLength(17);
    expect(Object.keys(system)).toHaveLength(30);
    expect(user["Attraction-Inform"]?.none?.[4]).toBe("I am looking for tourist attractions .");
    expect(system["Attraction-Inform"]?.Addr?.[0]).toBe("it is located in #ATTRACTION-INFORM-ADDR#");
  });
});

describe("errors", () => {
  it("names the missing corpus folder", () => {
    const bogus = join(tmpdir(), "no-such-foresight-data");
    expect(() => loadMultiWoz({ dataDir: bogus })).toThrow(CorpusError);
    expect(() => loadMultiWoz({ dataDir: bogus })).toThrow(/corpus folder "multiwoz" not found/);
  });

  it("names the file and the field of a malformed dialogue in strict mode", () => {
    const dir = mkdtempSync(join(tmpdir(), "foresight-mwz-"));
    mkdirSync(join(dir, "multiwoz"));
    const bad = { X1: { goal: { message: [] }, log: [{ text: 42, dialog_act: {}, metadata: {} }] } };
    writeFileSync(join(dir, "multiwoz", "val.json.zip"), zipSync({ "val.json": strToU8(JSON.stringify(bad)) }));
    let error: unknown;
    try {
      loadMultiWoz({ dataDir: dir, strict: true });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CorpusError);
    expect((error as CorpusError).file).toMatch(/val\.json\.zip#val\.json$/);
    expect((error as CorpusError).field).toBe("X1.log.0.text");
  });

  it("loads any split present or a ConvLab file given by path, and skips a malformed dialogue with a warning", () => {
    const { data } = readMultiWozArchive(multiWozDir(dataDir));
    const real = { PMUL1635: data.PMUL1635, SNG0907: data.SNG0907 };
    const dir = mkdtempSync(join(tmpdir(), "foresight-mwz-"));
    mkdirSync(join(dir, "multiwoz"));
    writeFileSync(join(dir, "multiwoz", "val.json.zip"), zipSync({ "val.json": strToU8(JSON.stringify(real)) }));
    writeFileSync(join(dir, "multiwoz", "test.json.zip"), zipSync({ "data/test.json": strToU8(JSON.stringify({ SNG0907: data.SNG0907, BAD1: { goal: {}, log: [] } })) }));
    expect(listMultiWozSplits({ dataDir: dir })).toEqual(["val", "test"]);
    const warnings: CorpusWarning[] = [];
    const test = loadMultiWoz({ dataDir: dir, split: "test", onWarning: (w) => warnings.push(w) });
    expect(test.map((d) => [d.id, d.metadata?.split])).toEqual([["SNG0907", "test"]]);
    expect(warnings.map((w) => w.where)).toEqual([expect.stringMatching(/test\.json\.zip#test\.json#BAD1$/)]);
    expect(() => loadMultiWoz({ dataDir: dir, split: "test", strict: true })).toThrow(/test\.json: .*BAD1|BAD1/);
    expect(() => loadMultiWoz({ dataDir: dir, split: "train" })).toThrow(/train\.json\.zip: file not found \(splits present: val, test\)/);
    const plain = join(dir, "mine.json");
    writeFileSync(plain, JSON.stringify(real));
    expect(loadMultiWoz({ file: plain }).map((d) => [d.id, d.metadata?.split])).toEqual([
      ["PMUL1635", "mine.json"],
      ["SNG0907", "mine.json"],
    ]);
    expect(loadMultiWoz({ file: join(dir, "multiwoz", "val.json.zip") }).map((d) => d.metadata?.split)).toEqual(["val", "val"]);
    expect(() => loadMultiWoz({ file: join(dir, "multiwoz") })).toThrow(/multiwoz: is a folder, expected a file/);
  });

  it("names an archive that is not a zip", () => {
    const dir = mkdtempSync(join(tmpdir(), "foresight-mwz-"));
    mkdirSync(join(dir, "multiwoz"));
    writeFileSync(join(dir, "multiwoz", "val.json.zip"), "not a zip");
    expect(() => loadMultiWoz({ dataDir: dir })).toThrow(/val\.json\.zip: not a readable zip archive/);
  });
});
