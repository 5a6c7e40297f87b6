import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { describe, expect, it } from "vitest";
import {
  CorpusError,
  DialogueSchema,
  createRng,
  findWorkspaceRoot,
  formatAct,
  readJsonFile,
  renderTranscript,
  requireCorpusDir,
  splitByDialogueId,
  splitOf,
  summarizeDialogues,
  toChatMessages,
  type Dialogue,
} from "../index.js";

const dialogue: Dialogue = {
  id: "d1",
  domain: "persuasion",
  turns: [
    { speaker: "system", text: "Hello.", acts: [{ intent: "greeting" }] },
    { speaker: "user", text: "Hi there." },
    { speaker: "system", text: "Would you donate?", acts: [{ intent: "proposition-of-donation" }] },
    { speaker: "system", text: "Even a little helps." },
  ],
};

describe("schemas and rendering", () => {
  it("validates a dialogue and rejects a bad speaker naming the field", () => {
    expect(DialogueSchema.parse(dialogue).turns).toHaveLength(4);
    const bad = DialogueSchema.safeParse({ ...dialogue, turns: [{ speaker: "bot", text: "x" }] });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["turns", 0, "speaker"]);
  });

  it("renders a transcript with the domain's role names and acts", () => {
    expect(renderTranscript(dialogue, { showActs: true }).split("\n")).toEqual([
      "Persuader [greeting]: Hello.",
      "Persuadee: Hi there.",
      "Persuader [proposition-of-donation]: Would you donate?",
      "Persuader: Even a little helps.",
    ]);
  });

  it("renders chat messages from either side, merging consecutive turns", () => {
    const asSystem = toChatMessages(dialogue.turns, "system", "You persuade.");
    expect(asSystem.map((m) => m.role)).toEqual(["system", "assistant", "user", "assistant"]);
    expect(asSystem[3]?.content).toBe("Would you donate?\nEven a little helps.");
    const asUser = toChatMessages(dialogue.turns, "user");
    expect(asUser.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
  });

  it("formats structured acts", () => {
    expect(formatAct({ intent: "Inform", domain: "Hotel", slot: "Area", value: "east" })).toBe("Hotel-Inform(Area=east)");
    expect(formatAct({ intent: "greeting" })).toBe("greeting");
  });

  it("summarizes turns and the act vocabulary", () => {
    expect(summarizeDialogues([dialogue])).toEqual({ dialogues: 1, turns: 4, actVocabularySize: 2 });
  });
});

describe("seeded randomness and splits", () => {
  it("repeats a sequence for the same seed and differs for another", () => {
    const a = Array.from({ length: 5 }, createRng(7).next);
    const b = Array.from({ length: 5 }, createRng(7).next);
    const c = Array.from({ length: 5 }, createRng(8).next);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it("splits deterministically, near the requested ratios, independent of order", () => {
    const items = Array.from({ length: 2000 }, (_, i) => ({ id: `dialogue-${i}` }));
    const split = splitByDialogueId(items, 42);
    const reversed = splitByDialogueId([...items].reverse(), 42);
    expect(new Set(split.test.map((d) => d.id))).toEqual(new Set(reversed.test.map((d) => d.id)));
    expect(split.train.length + split.dev.length + split.test.length).toBe(2000);
    expect(split.train.length / 2000).toBeGreaterThan(0.76);
    expect(split.train.length / 2000).toBeLessThan(0.84);
    expect(split.dev.length).toBeGreaterThan(150);
    const other = splitByDialogueId(items, 43);
    expect(other.test.map((d) => d.id)).not.toEqual(split.test.map((d) => d.id));
    expect(() => splitOf("x", 1, { train: 0.5, dev: 0.5, test: 0.5 })).toThrow(/sum to 1/);
  });
});

describe("corpus file errors", () => {
  it("names the missing corpus folder", () => {
    expect(() => requireCorpusDir("/nonexistent/data", "p4g")).toThrow(CorpusError);
    expect(() => requireCorpusDir("/nonexistent/data", "p4g")).toThrow(/p4g.*FORESIGHT_DATA_DIR/);
  });

  it("names the file and field of a malformed JSON file", () => {
    const dir = mkdtempSync(join(tmpdir(), "foresight-"));
    const file = join(dir, "task.json");
    writeFileSync(file, JSON.stringify({ sop: { vertex: "oops" } }));
    const schema = z.object({ sop: z.object({ vertex: z.array(z.string()) }) });
    expect(() => readJsonFile(file, schema)).toThrow(/task\.json \(field sop\.vertex\)/);
    writeFileSync(file, "{not json");
    expect(() => readJsonFile(file, schema)).toThrow(/task\.json: malformed JSON/);
  });

  it("finds the workspace root above a folder, and none outside a workspace", () => {
    const root = mkdtempSync(join(tmpdir(), "foresight-ws-"));
    writeFileSync(join(root, "pnpm-workspace.yaml"), "packages: []\n");
    const nested = join(root, "packages", "a", "src");
    mkdirSync(nested, { recursive: true });
    expect(findWorkspaceRoot(nested)).toBe(root);
    expect(findWorkspaceRoot(root)).toBe(root);
    expect(findWorkspaceRoot(mkdtempSync(join(tmpdir(), "foresight-none-")))).toBeUndefined();
  });
});
