import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CorpusError, resolveDataDir } from "../core/data-dir.js";
import type { CorpusWarning } from "../core/skipped.js";
import { DialogueSchema } from "../core/schema.js";
import { summarizeDialogues } from "../core/stats.js";
import { listSgdDialogueFiles, loadSgdDialogues, loadSgdSchemas, sgdMetadata, sgdStateOf } from "./load.js";

/** A temporary data folder with an `sgd/` holding the given files (name → JSON value or raw text). */
function tinyCorpus(files: Record<string, unknown>): string {
  const dataDir = mkdtempSync(join(tmpdir(), "sgd-test-"));
  mkdirSync(join(dataDir, "sgd"));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dataDir, "sgd", name), typeof content === "string" ? content : JSON.stringify(content));
  }
  return dataDir;
}

const goodDialogue = {
  dialogue_id: "1_00000",
  services: ["Alarm_1"],
  turns: [
    {
      speaker: "USER",
      utterance: "Set an alarm at 7 or 8.",
      frames: [
        {
          service: "Alarm_1",
          slots: [],
          actions: [{ act: "INFORM", slot: "new_alarm_time", values: ["7 am", "8 am"], canonical_values: ["07:00", "08:00"] }],
          state: { active_intent: "AddAlarm", requested_slots: [], slot_values: { new_alarm_time: ["7 am", "8 am"] } },
        },
      ],
    },
    { speaker: "SYSTEM", utterance: "Bye.", frames: [{ service: "Alarm_1", slots: [], actions: [{ act: "GOODBYE", slot: "", values: [], canonical_values: [] }] }] },
  ],
};

describe("loadSgdDialogues on the real corpus", () => {
  const dataDir = resolveDataDir();
  const dialogues = loadSgdDialogues();

  it("reads the one dialogue file present: 51 test dialogues, 784 turns, 1,334 acts", () => {
    expect(listSgdDialogueFiles({ dataDir })).toEqual(["test_dialogues_011.json"]);
    expect(dialogues).toHaveLength(51);
    expect(summarizeDialogues(dialogues)).toEqual({ dialogues: 51, turns: 784, actVocabularySize: 17 });
    expect(dialogues.reduce((sum, d) => sum + d.turns.reduce((n, t) => n + (t.acts?.length ?? 0), 0), 0)).toBe(1_334);
    expect(dialogues.every((d) => DialogueSchema.safeParse(d).success && d.domain === "sgd")).toBe(true);
    expect(new Set(dialogues.map((d) => sgdMetadata(d).split))).toEqual(new Set(["test"]));
    expect(loadSgdDialogues({ files: ["test_dialogues_011.json"] }).map((d) => d.id)).toEqual(dialogues.map((d) => d.id));
  });

  it("starts dialogue 11_00000 with the real turns, acts, state and metadata", () => {
    const [first] = dialogues;
    expect(first?.id).toBe("sgd-test-11_00000");
    expect(first?.metadata).toEqual({ originalId: "11_00000", services: ["Hotels_2"], split: "test", file: "test_dialogues_011.json" });
    expect(first?.turns.slice(0, 2)).toEqual([
      {
        speaker: "user",
        text: "Get me a house to rent.",
        acts: [{ domain: "Hotels_2", intent: "INFORM_INTENT", slot: "intent", value: "SearchHouse" }],
        state: { Hotels_2: { activeIntent: "SearchHouse", requestedSlots: [], slotValues: {} } },
      },
      { speaker: "system", text: "Which city please?", acts: [{ domain: "Hotels_2", intent: "REQUEST", slot: "where_to" }] },
    ]);
    expect(sgdStateOf(first!.turns[2]!)?.Hotels_2?.slotValues).toEqual({ where_to: ["London"] });
    expect(first?.turns[3]?.metadata).toEqual({
      serviceCalls: [{ service: "Hotels_2", method: "SearchHouse", parameters: { where_to: "London" }, resultCount: 10 }],
    });
    expect(sgdStateOf(first!.turns[3]!)).toBeUndefined();
  });

  it("puts a state on every user turn and none on system turns", () => {
    const turns = dialogues.flatMap((d) => d.turns);
    expect(turns.filter((t) => t.speaker === "user" && sgdStateOf(t) !== undefined)).toHaveLength(392);
    expect(turns.filter((t) => t.speaker === "system" && t.state !== undefined)).toHaveLength(0);
  });
});

describe("loadSgdSchemas on the real corpus", () => {
  it("validates 26 train, 17 dev and 21 test services", () => {
    expect(loadSgdSchemas({ split: "train" })).toHaveLength(26);
    expect(loadSgdSchemas({ split: "dev" })).toHaveLength(17);
    const test = loadSgdSchemas({ split: "test" });
    expect(test).toHaveLength(21);
    expect(test.reduce((n, s) => n + s.slots.length, 0)).toBe(160);
    expect(test.reduce((n, s) => n + s.intents.length, 0)).toBe(38);
    const all = loadSgdSchemas();
    expect(all).toHaveLength(64);
    expect(all.filter((s) => s.serviceName === "Alarm_1").map((s) => s.split)).toEqual(["dev", "test"]);
  });

  it("describes Hotels_2 with its slots and intents", () => {
    const hotels = loadSgdSchemas({ split: "test" }).find((s) => s.serviceName === "Hotels_2");
    expect(hotels?.slots.find((s) => s.name === "has_laundry_service")).toEqual({
      name: "has_laundry_service",
      description: "Boolean flag indicating if the house has laundry service",
      isCategorical: true,
      possibleValues: ["True", "False"],
    });
    const search = hotels?.intents.find((i) => i.name === "SearchHouse");
    expect(search).toMatchObject({
      isTransactional: false,
      requiredSlots: ["where_to"],
      optionalSlots: { has_laundry_service: "dontcare", number_of_adults: "dontcare", rating: "dontcare" },
    });
    expect(loadSgdDialogues().every((d) => sgdMetadata(d).services.every((name) => name === hotels?.serviceName))).toBe(true);
  });
});

describe("SGD loader errors", () => {
  it("names the missing corpus folder", () => {
    const dataDir = join(tmpdir(), "no-such-foresight-data");
    expect(() => loadSgdDialogues({ dataDir })).toThrow(CorpusError);
    expect(() => loadSgdDialogues({ dataDir })).toThrow(/corpus folder "sgd" not found/);
    expect(() => loadSgdSchemas({ dataDir, split: "test" })).toThrow(/corpus folder "sgd" not found/);
  });

  it("skips a malformed dialogue with a counted warning and loads a chosen split", () => {
    const bad = { ...goodDialogue, dialogue_id: "1_00001", turns: [] };
    const dataDir = tinyCorpus({ "dev_dialogues_001.json": [goodDialogue, bad], "test_dialogues_001.json": [goodDialogue] });
    const warnings: CorpusWarning[] = [];
    const loaded = loadSgdDialogues({ dataDir, split: "dev", onWarning: (w) => warnings.push(w) });
    expect(loaded).toHaveLength(1);
    expect(warnings.map((w) => w.where)).toEqual([expect.stringMatching(/dev_dialogues_001\.json record 1$/)]);
    expect(loadSgdDialogues({ dataDir, split: "test" }).map((d) => d.id)).toEqual([`sgd-test-${goodDialogue.dialogue_id}`]);
    expect(() => loadSgdDialogues({ dataDir, split: "train" })).toThrow(/no dialogue files of the train split/);
  });

  it("names the file and field of a malformed dialogue", () => {
    const bad = { ...goodDialogue, dialogue_id: "1_00001", turns: [{ ...goodDialogue.turns[0], speaker: "BOT" }] };
    const dataDir = tinyCorpus({ "dev_dialogues_001.json": [goodDialogue, bad] });
    expect(() => loadSgdDialogues({ dataDir, strict: true })).toThrow(/dev_dialogues_001\.json \(field 1\.turns\.0\.speaker\)/);
    const foreign = { ...goodDialogue, services: ["Hotels_2"] };
    expect(() => loadSgdDialogues({ dataDir: tinyCorpus({ "dialogues_001.json": [foreign] }), strict: true })).toThrow(
      /dialogues_001\.json \(field 0\.turns\.0\.frames\.0\.service\): service "Alarm_1" is not among/,
    );
    expect(() => loadSgdDialogues({ dataDir: tinyCorpus({ "test_dialogues_002.json": "[{" }) })).toThrow(/test_dialogues_002\.json: malformed JSON/);
    expect(() => loadSgdDialogues({ dataDir: tinyCorpus({ "test_dialogues_001.json": [goodDialogue, goodDialogue] }), strict: true })).toThrow(
      /\(field 1\.dialogue_id\): duplicate dialogue id "1_00000"/,
    );
    expect(() => loadSgdDialogues({ dataDir: tinyCorpus({ "test_schema.json": [] }) })).toThrow(/no dialogue files/);
  });

  it("joins an action's values with | and tells splits apart in ids", () => {
    const dataDir = tinyCorpus({ "dev_dialogues_001.json": [goodDialogue], "dialogues_001.json": [goodDialogue], "notes.json": [] });
    const loaded = loadSgdDialogues({ dataDir });
    expect(loaded.map((d) => d.id)).toEqual(["sgd-dev-1_00000", "sgd-1_00000"]);
    expect(sgdMetadata(loaded[0]!).split).toBe("dev");
    expect(sgdMetadata(loaded[1]!).split).toBeUndefined();
    expect(loaded[0]?.turns[0]?.acts).toEqual([{ domain: "Alarm_1", intent: "INFORM", slot: "new_alarm_time", value: "7 am|8 am" }]);
    expect(loaded[0]?.turns[1]?.acts).toEqual([{ domain: "Alarm_1", intent: "GOODBYE" }]);
  });

  it("names the file and field of a malformed schema", () => {
    const dataDir = tinyCorpus({});
    copyFileSync(join(resolveDataDir(), "sgd", "dev_schema.json"), join(dataDir, "sgd", "dev_schema.json"));
    expect(loadSgdSchemas({ dataDir, split: "dev" })).toHaveLength(17);
    expect(() => loadSgdSchemas({ dataDir })).toThrow(/train_schema\.json: file not found/);
    const service = {
      service_name: "Alarm_1",
      description: "alarms",
      slots: [{ name: "alarm_time", description: "time", is_categorical: "no", possible_values: [] }],
      intents: [{ name: "GetAlarms", description: "get", is_transactional: false, required_slots: [], optional_slots: {}, result_slots: [] }],
    };
    writeFileSync(join(dataDir, "sgd", "test_schema.json"), JSON.stringify([service]));
    expect(() => loadSgdSchemas({ dataDir, split: "test" })).toThrow(/test_schema\.json \(field 0\.slots\.0\.is_categorical\)/);
    const undeclared = {
      ...service,
      slots: [{ ...service.slots[0], is_categorical: false }],
      intents: [{ ...service.intents[0], required_slots: ["alarm_name"] }],
    };
    writeFileSync(join(dataDir, "sgd", "test_schema.json"), JSON.stringify([undeclared]));
    expect(() => loadSgdSchemas({ dataDir, split: "test" })).toThrow(/\(field 0\.intents\.0\.required_slots\): intent "GetAlarms" names undeclared slot "alarm_name"/);
  });
});
