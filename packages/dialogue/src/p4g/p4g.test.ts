import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CorpusError } from "../core/data-dir.js";
import { DialogueSchema, type Dialogue } from "../core/schema.js";
import { removeBoundaryCopies, type BoundarySentence } from "./boundary-copies.js";
import { gdpZeroActsOfTurn, gdpZeroReactionOfTurn } from "./labels.js";
import { loadPersuasionForGood, p4gOutcome } from "./load.js";

function find(dialogues: readonly Dialogue[], id: string): Dialogue {
  const dialogue = dialogues.find((d) => d.id === id);
  if (!dialogue) throw new Error(`dialogue ${id} not loaded`);
  return dialogue;
}

/** Writes a tiny p4g folder with the given files and returns the data folder holding it. */
function tinyCorpus(files: Record<string, string>): string {
  const dataDir = mkdtempSync(join(tmpdir(), "p4g-test-"));
  mkdirSync(join(dataDir, "p4g"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dataDir, "p4g", name), text);
  return dataDir;
}

const DIALOG_HEADER = ",B2,B4,Turn,Unit,er_label_1,ee_label_1,er_label_2,ee_label_2,neg,neu,pos";
const INFO = "B2,B3,B4,B5,B6,B7\nd1,u0,0,,0,1\nd1,u1,1,1,0.5,1\n";
const FULL_INFO = "B2,B3,B4,B6,B7\nd1,u0,0,0,1\nd1,u1,1,0.5,1\n";

describe("loadPersuasionForGood, annotated part", () => {
  const annotated = loadPersuasionForGood({ part: "annotated" });

  it("loads the 250 annotated dialogues as valid persuasion dialogues", () => {
    expect(annotated).toHaveLength(250);
    expect(new Set(annotated.map((d) => d.id)).size).toBe(250);
    for (const dialogue of annotated) {
      expect(DialogueSchema.safeParse(dialogue).success).toBe(true);
      expect(dialogue.domain).toBe("persuasion");
      expect(dialogue.turns[0]?.speaker).toBe("system");
    }
  });

  it("starts 20180719-210146_172_live with the real first turns", () => {
    const dialogue = find(annotated, "20180719-210146_172_live");
    const [first, second, third, fourth] = dialogue.turns;
    expect(first).toMatchObject({ speaker: "system", text: "Hello. How are you?", acts: [{ intent: "greeting" }] });
    expect(first?.segments?.map((s) => s.text)).toEqual(["Hello.", "How are you?"]);
    expect(second).toMatchObject({ speaker: "user", text: "I'm good, how are you doing?", acts: [{ intent: "greeting" }] });
    expect(second?.segments?.[0]?.metadata?.sentiment).toEqual({ neg: 0, neu: 0.633, pos: 0.3670000000000001 });
    expect(third?.text).toBe("Very well. I'm just up organizing info for my charity. Are you involved with charities?");
    expect(third?.acts?.map((a) => a.intent)).toEqual(["greeting", "other", "task-related-inquiry"]);
    expect(gdpZeroActsOfTurn(third!)).toEqual(["greeting", "other", "task related inquiry"]);
    expect(fourth).toMatchObject({
      speaker: "user",
      text: "Yes! I work with children who have terminal illnesses. What charity are you involved in?",
    });
    expect(fourth?.acts?.map((a) => a.intent)).toEqual(["positive-to-inquiry", "task-related-inquiry"]);
    expect(p4gOutcome(dialogue)).toEqual({
      donated: false,
      persuadeeDonation: 0,
      persuadeeIntendedDonation: 2,
      persuaderDonation: 0.25,
      persuaderIntendedDonation: null,
    });
    expect(dialogue.metadata).toMatchObject({ part: "annotated", exchanges: 10, persuaderUserId: "user_2032", persuadeeUserId: "user_446" });
  });

  it("has a persuadee donation rate of 121/250", () => {
    expect(annotated.filter((d) => p4gOutcome(d).donated).length).toBe(121);
    const first = find(annotated, "20180717-200206_41_live");
    expect(p4gOutcome(first)).toMatchObject({ donated: true, persuadeeDonation: 0.5, persuadeeIntendedDonation: 0.5 });
  });

  it("alternates speakers and derives turn acts from the sentences", () => {
    for (const dialogue of annotated) {
      dialogue.turns.forEach((turn, i) => {
        if (i > 0) expect(turn.speaker).not.toBe(dialogue.turns[i - 1]?.speaker);
        const sentenceActs = [...new Set(turn.segments?.flatMap((s) => s.acts.map((a) => a.intent)))];
        expect(turn.acts?.map((a) => a.intent)).toEqual(sentenceActs);
        expect(turn.text).toBe(turn.segments?.map((s) => s.text).join(" "));
        if (turn.speaker === "user") gdpZeroReactionOfTurn(turn);
        else gdpZeroActsOfTurn(turn);
      });
    }
  });

  it("joins one speaker's sentences across the exchange index into one turn", () => {
    const turn = find(annotated, "20180723-064603_378_live").turns.find((t) => t.text.startsWith("Interesting that you know so much."));
    expect(turn?.speaker).toBe("user");
    expect(turn?.text).toBe("Interesting that you know so much. How long has this charity been around?");
    expect(turn?.metadata?.exchanges).toEqual([1, 2]);
  });

  it("keeps sentences without sentiment scores, leaving sentiment out", () => {
    const first = find(annotated, "20180904-073734_888_live").turns[0];
    expect(first?.text).toBe("Good morning.");
    expect(first?.segments?.[0]?.metadata).toEqual({ exchange: 0 });
  });

  it("removes the copy of a sentence repeated across a speaker change, keeping the real one", () => {
    expect(annotated.reduce((sum, d) => sum + (d.metadata?.removedBoundaryCopies as number), 0)).toBe(12);
    // The persuader's question was copied into the persuadee's turn: the second copy is the real one.
    const refusal = find(annotated, "20180824-015242_301_live").turns.slice(-2);
    expect(refusal.map((t) => [t.speaker, t.text])).toEqual([
      ["user", "I would choose 0 in this instance"],
      ["system", "why do you don't want to donate?"],
    ]);
    // The persuadee's sentence was copied into the persuader's turn: the first copy is the real one.
    const turns = find(annotated, "20180826-055352_947_live").turns;
    const ask = turns.findIndex((t) => t.text === "Know I have not. Please explain to me in detail");
    expect(ask).toBeGreaterThan(0);
    expect(turns[ask + 1]?.text.startsWith("It's an international organization")).toBe(true);
    // Both sides really said "HI".
    expect(find(annotated, "20180723-061928_535_live").turns.slice(0, 2).map((t) => t.text)).toEqual(["HI", "HI"]);
  });
});

describe("loadPersuasionForGood, full part", () => {
  const full = loadPersuasionForGood({ part: "full" });

  it("loads the 967 dialogues of the full corpus without labels", () => {
    expect(full).toHaveLength(967);
    expect(full.filter((d) => p4gOutcome(d).donated).length).toBe(518);
    for (const dialogue of full) {
      expect(p4gOutcome(dialogue).persuadeeIntendedDonation).toBeNull();
      expect(dialogue.turns.every((t) => t.acts === undefined && t.segments?.every((s) => s.acts.length === 0))).toBe(true);
    }
  });

  it("starts 20180904-045349_715_live with the real messages and keeps the survey", () => {
    const dialogue = find(full, "20180904-045349_715_live");
    expect(dialogue.turns.slice(0, 3).map((t) => [t.speaker, t.text])).toEqual([
      ["system", "Good morning. How are you doing today?"],
      ["user", "Hi. I am doing good. How about you?"],
      ["system", "I'm doing pretty good for a Tuesday morning."],
    ]);
    expect(dialogue.metadata?.persuadeeSurvey).toMatchObject({ extrovert: 3.2, age: 50, sex: "Female" });
    expect(p4gOutcome(dialogue)).toMatchObject({ donated: false, persuadeeDonation: 0, persuaderDonation: 0 });
  });

  it("contains every annotated dialogue", () => {
    const ids = new Set(full.map((d) => d.id));
    expect(loadPersuasionForGood({ part: "annotated" }).every((d) => ids.has(d.id))).toBe(true);
  });
});

describe("loadPersuasionForGood errors and caching", () => {
  it("names the missing corpus folder", () => {
    const bogus = join(tmpdir(), "no-such-foresight-data");
    expect(() => loadPersuasionForGood({ dataDir: bogus, part: "annotated" })).toThrow(CorpusError);
    expect(() => loadPersuasionForGood({ dataDir: bogus, part: "full" })).toThrow(/corpus folder "p4g" not found/);
  });

  it("names the file, line and field of a malformed row", () => {
    const dataDir = tinyCorpus({
      "annotated_dialog.csv": `${DIALOG_HEADER}\n0,d1,0,0,Hello.,greeting,,,,0,1,0\n1,d1,2,0,Hi!,,greeting,,,0,1,0\n`,
      "annotated_info.csv": INFO,
    });
    expect(() => loadPersuasionForGood({ dataDir, part: "annotated", cache: false, strict: true })).toThrow(
      /annotated_dialog\.csv line 3 \(field B4\): expected role "0" \(persuader\) or "1" \(persuadee\)/,
    );
  });

  it("rejects an unknown label and a label on the wrong side", () => {
    const unknown = tinyCorpus({
      "annotated_dialog.csv": `${DIALOG_HEADER}\n0,d1,0,0,Hello.,greeting,,,,0,1,0\n1,d1,1,0,Hi!,,hugging,,,0,1,0\n`,
      "annotated_info.csv": INFO,
    });
    expect(() => loadPersuasionForGood({ dataDir: unknown, part: "annotated", cache: false, strict: true })).toThrow(
      /line 3 \(field ee_label_1\): unknown persuadee label "hugging"/,
    );
    const shifted = tinyCorpus({
      "annotated_dialog.csv": `${DIALOG_HEADER}\n0,d1,0,0,Hello.,,greeting,,,0,1,0\n`,
      "annotated_info.csv": INFO,
    });
    expect(() => loadPersuasionForGood({ dataDir: shifted, part: "annotated", cache: false, strict: true })).toThrow(/line 2 \(field ee_label_1\)/);
  });

  it("requires a persuadee info row and a number in B6", () => {
    const noPersuadee = tinyCorpus({
      "full_dialog.csv": ",Unit,Turn,B4,B2\n0,Hello.,0,0,d1\n1,Hi.,0,1,d1\n",
      "full_info.csv": "B2,B3,B4,B6,B7\nd1,u0,0,0,1\n",
    });
    expect(() => loadPersuasionForGood({ dataDir: noPersuadee, part: "full", cache: false })).toThrow(/no persuadee row .* dialogue d1/);
    const badAmount = tinyCorpus({
      "full_dialog.csv": ",Unit,Turn,B4,B2\n0,Hello.,0,0,d1\n",
      "full_info.csv": "B2,B3,B4,B6,B7\nd1,u0,0,0,1\nd1,u1,1,lots,1\n",
    });
    expect(() => loadPersuasionForGood({ dataDir: badAmount, part: "full", cache: false })).toThrow(/full_info\.csv line 3 \(field B6\)/);
  });

  it("merges one side's consecutive messages, skips blank ones, and re-reads only without the cache", () => {
    const dialog = ",Unit,Turn,B4,B2\n0,Hello. ,0,0,d1\n1,   ,0,1,d1\n2,Are you there?,1,0,d1\n3,Yes.,1,1,d1\n";
    const dataDir = tinyCorpus({ "full_dialog.csv": dialog, "full_info.csv": FULL_INFO });
    const first = loadPersuasionForGood({ dataDir, part: "full" });
    expect(first[0]?.turns.map((t) => [t.speaker, t.text])).toEqual([
      ["system", "Hello. Are you there?"],
      ["user", "Yes."],
    ]);
    expect(first[0]?.turns[0]?.metadata?.exchanges).toEqual([0, 1]);
    writeFileSync(join(dataDir, "p4g", "full_dialog.csv"), `${dialog}4,Good.,2,0,d1\n`);
    expect(loadPersuasionForGood({ dataDir, part: "full" })[0]?.turns).toHaveLength(2);
    expect(loadPersuasionForGood({ dataDir, part: "full", cache: false })[0]?.turns).toHaveLength(3);
  });
});

describe("removeBoundaryCopies", () => {
  const sentence = (role: "0" | "1", exchange: number, text: string): BoundarySentence => ({
    dialogueId: "d",
    role,
    exchange,
    text,
    sentiment: { neg: 0, neu: 1, pos: 0 },
  });
  const pair = [sentence("1", 1, "Tell me more."), sentence("0", 2, "Tell me more."), sentence("0", 2, "Sure.")];

  it("drops the copy the full corpus does not confirm", () => {
    const persuadeeSaidIt = (_id: string, _exchange: number, role: "0" | "1") => (role === "1" ? "OK.  Tell me  more." : "Sure.");
    expect(removeBoundaryCopies(pair, persuadeeSaidIt).kept.map((s) => s.role)).toEqual(["1", "0"]);
    const persuaderSaidIt = (_id: string, _exchange: number, role: "0" | "1") => (role === "0" ? "Tell me more. Sure." : "OK.");
    const result = removeBoundaryCopies(pair, persuaderSaidIt);
    expect(result.kept.map((s) => [s.role, s.text])).toEqual([
      ["0", "Tell me more."],
      ["0", "Sure."],
    ]);
    expect(result.removed).toBe(1);
  });

  it("keeps both copies when both or neither are confirmed, or without a reference", () => {
    expect(removeBoundaryCopies(pair, () => "Tell me more. Sure.").removed).toBe(0);
    expect(removeBoundaryCopies(pair, () => undefined).removed).toBe(0);
    expect(removeBoundaryCopies(pair, undefined).kept).toHaveLength(3);
  });
});
