import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CorpusError } from "../core/data-dir.js";
import type { CorpusWarning } from "../core/skipped.js";
import { DialogueSchema, type Dialogue } from "../core/schema.js";
import { DAILYDIALOG_EMOTIONS, DAILYDIALOG_INTENTS, dailyDialogMetadata, loadDailyDialog } from "./load.js";

function find(dialogues: readonly Dialogue[], id: string): Dialogue {
  const dialogue = dialogues.find((d) => d.id === id);
  if (!dialogue) throw new Error(`dialogue ${id} not loaded`);
  return dialogue;
}

/** A valid unified-format line with the given turns. */
function unifiedLine(id: number, turns: { speaker: string; utterance: string; emotion?: string; intent?: string }[], split = "train"): string {
  return JSON.stringify({
    dataset: "dailydialog",
    data_split: split,
    dialogue_id: `dailydialog-${split}-${id}`,
    original_id: `${split}-${id}`,
    domains: ["Work"],
    turns: turns.map((turn, utt_idx) => ({
      speaker: turn.speaker,
      utterance: turn.utterance,
      utt_idx,
      dialogue_acts: { binary: [{ intent: turn.intent ?? "inform", domain: "", slot: "" }], categorical: [], "non-categorical": [] },
      emotion: turn.emotion ?? "no emotion",
    })),
  });
}

/** Writes a gzipped dialogues.jsonl.gz from lines into a temporary data folder and returns the folder. */
function tinyCorpus(lines: string[]): string {
  const dataDir = mkdtempSync(join(tmpdir(), "dailydialog-test-"));
  mkdirSync(join(dataDir, "dailydialog"));
  writeFileSync(join(dataDir, "dailydialog", "dialogues.jsonl.gz"), gzipSync(`${lines.join("\n")}\n`));
  return dataDir;
}

describe("loadDailyDialog on the real corpus", () => {
  const all = loadDailyDialog();

  it("loads 12,118 dialogues: 11,118 train and 1,000 validation", () => {
    expect(all).toHaveLength(12_118);
    expect(loadDailyDialog({ split: "train" })).toHaveLength(11_118);
    const validation = loadDailyDialog({ split: "validation" });
    expect(validation).toHaveLength(1_000);
    expect(validation.every((d) => dailyDialogMetadata(d).dataSplit === "validation")).toBe(true);
    expect(all.reduce((sum, d) => sum + d.turns.length, 0)).toBe(95_239);
  });

  it("starts dailydialog-train-0 with the real turns, intents and emotions", () => {
    const dialogue = find(all, "dailydialog-train-0");
    expect(dialogue.domain).toBe("open-chat");
    expect(dialogue.metadata).toEqual({ originalId: "train-0", dataSplit: "train", topics: ["Attitude & Emotion"] });
    expect(dialogue.turns.slice(0, 2)).toEqual([
      {
        speaker: "user",
        text: "Say, Jim, how about going for a few beers after dinner?",
        acts: [{ intent: "directive" }],
        state: { emotion: "no emotion" },
      },
      {
        speaker: "system",
        text: "You know that is tempting but is really not good for our fitness.",
        acts: [{ intent: "commissive" }],
        state: { emotion: "no emotion" },
      },
    ]);
    expect(dialogue.turns).toHaveLength(10);
    expect(dialogue.turns[6]?.state?.emotion).toBe("happiness");
  });

  it("starts dailydialog-validation-0 with the real first turn", () => {
    const dialogue = find(loadDailyDialog({ split: "validation" }), "dailydialog-validation-0");
    expect(dialogue.turns[0]).toMatchObject({ speaker: "user", text: "Good morning, sir. Is there a bank near here?", acts: [{ intent: "question" }] });
    expect(dailyDialogMetadata(dialogue).originalId).toBe("validation-0");
  });

  it("produces valid dialogues with alternating speakers and known labels", () => {
    const emotions = new Set<string>();
    const problems: string[] = [];
    const intents = new Set<string>(DAILYDIALOG_INTENTS);
    for (const dialogue of all) {
      if (!DialogueSchema.safeParse(dialogue).success) problems.push(`${dialogue.id}: invalid`);
      dialogue.turns.forEach((turn, i) => {
        if (turn.speaker !== (i % 2 === 0 ? "user" : "system")) problems.push(`${dialogue.id} turn ${i}: speaker`);
        if (turn.acts?.length !== 1 || !intents.has(turn.acts[0]!.intent)) problems.push(`${dialogue.id} turn ${i}: acts`);
        emotions.add(String(turn.state?.emotion));
      });
    }
    expect(problems).toEqual([]);
    expect([...emotions].sort()).toEqual([...DAILYDIALOG_EMOTIONS].sort());
  });
});

describe("loadDailyDialog errors and caching", () => {
  const good = unifiedLine(0, [
    { speaker: "user", utterance: "Hi." },
    { speaker: "system", utterance: "Hello!", emotion: "happiness" },
  ]);

  it("names the missing corpus folder", () => {
    expect(() => loadDailyDialog({ dataDir: join(tmpdir(), "no-such-foresight-data") })).toThrow(CorpusError);
    expect(() => loadDailyDialog({ dataDir: join(tmpdir(), "no-such-foresight-data") })).toThrow(/corpus folder "dailydialog" not found/);
  });

  it("names the file, line and field of a malformed dialogue", () => {
    const bad = unifiedLine(1, [
      { speaker: "user", utterance: "Hi." },
      { speaker: "system", utterance: "Hello!" },
      { speaker: "bot", utterance: "Beep." },
    ]);
    const dataDir = tinyCorpus([good, bad]);
    expect(() => loadDailyDialog({ dataDir, cache: false, strict: true })).toThrow(/dialogues\.jsonl\.gz line 2 \(field turns\.2\.speaker\)/);
  });

  it("rejects malformed JSON, unknown emotions and duplicate ids with the line", () => {
    expect(() => loadDailyDialog({ dataDir: tinyCorpus([good, "{not json"]), cache: false, strict: true })).toThrow(/line 2: malformed JSON/);
    const angry = unifiedLine(1, [{ speaker: "user", utterance: "Hi.", emotion: "rage" }]);
    expect(() => loadDailyDialog({ dataDir: tinyCorpus([angry]), cache: false, strict: true })).toThrow(/line 1 \(field turns\.0\.emotion\)/);
    expect(() => loadDailyDialog({ dataDir: tinyCorpus([good, good]), cache: false, strict: true })).toThrow(/line 2 \(field dialogue_id\): duplicate/);
  });

  it("loads every split of the unified format, the test split included", () => {
    const turns = [
      { speaker: "user", utterance: "Hi." },
      { speaker: "system", utterance: "Hello!" },
    ];
    const dataDir = tinyCorpus([unifiedLine(0, turns), unifiedLine(0, turns, "validation"), unifiedLine(0, turns, "test"), unifiedLine(1, turns, "test")]);
    expect(loadDailyDialog({ dataDir, cache: false })).toHaveLength(4);
    const test = loadDailyDialog({ dataDir, cache: false, split: "test" });
    expect(test.map((d) => d.id)).toEqual(["dailydialog-test-0", "dailydialog-test-1"]);
    expect(dailyDialogMetadata(test[0]!).dataSplit).toBe("test");
    const plain = join(dataDir, "test-only.jsonl");
    writeFileSync(plain, `${unifiedLine(7, turns, "test")}\n`);
    expect(loadDailyDialog({ file: plain, cache: false }).map((d) => d.id)).toEqual(["dailydialog-test-7"]);
  });

  it("skips one malformed or empty record with a counted, named warning and keeps the rest", () => {
    const empty = JSON.stringify({ ...JSON.parse(good), dialogue_id: "dailydialog-train-9", turns: [] });
    const dataDir = tinyCorpus([good, "{not json", empty]);
    const warnings: CorpusWarning[] = [];
    const dialogues = loadDailyDialog({ dataDir, cache: false, onWarning: (w) => warnings.push(w) });
    expect(dialogues.map((d) => d.id)).toEqual(["dailydialog-train-0"]);
    expect(warnings.map((w) => w.where)).toEqual([expect.stringMatching(/line 2$/), expect.stringMatching(/line 3$/)]);
    expect(warnings[1]?.message).toMatch(/line 3 \(field turns\)/);
    expect(() => loadDailyDialog({ dataDir, cache: false, strict: true })).toThrow(/line 2: malformed JSON/);
  });

  it("names a folder passed where the file is expected", () => {
    const dataDir = tinyCorpus([good]);
    expect(() => loadDailyDialog({ file: join(dataDir, "dailydialog"), cache: false })).toThrow(/dailydialog: is a folder, expected a file/);
  });

  it("rejects a file that is not gzip", () => {
    const dataDir = tinyCorpus([]);
    writeFileSync(join(dataDir, "dailydialog", "dialogues.jsonl.gz"), good);
    expect(() => loadDailyDialog({ dataDir, cache: false })).toThrow(/dialogues\.jsonl\.gz: not a valid gzip file/);
  });

  it("re-reads the file only when the cache is bypassed", () => {
    const dataDir = tinyCorpus([good]);
    expect(loadDailyDialog({ dataDir })).toHaveLength(1);
    writeFileSync(join(dataDir, "dailydialog", "dialogues.jsonl.gz"), gzipSync(`${good}\n${unifiedLine(1, [{ speaker: "user", utterance: "Yo." }])}\n`));
    expect(loadDailyDialog({ dataDir })).toHaveLength(1);
    expect(loadDailyDialog({ dataDir, cache: false })).toHaveLength(2);
    expect(loadDailyDialog({ dataDir, split: "validation", cache: false })).toHaveLength(0);
  });
});
