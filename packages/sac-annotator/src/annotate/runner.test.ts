import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UsageLedger, withAccounting } from "@foresight/llm-sim";
import { ScriptedChatModel } from "@foresight/llm-sim/testing";
import { loadSacCorpus } from "../corpus.js";
import { SacFileError } from "../errors.js";
import { readJsonl } from "../jsonl.js";
import { AnnotatedDialogueSchema, AnnotationFailureSchema } from "../schema.js";
import { announcedTurnCount, validAnswer } from "../test-fixtures/annotator.js";
import { annotateCorpus, readAnnotatedIds, type AnnotationProgress } from "./runner.js";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sac-runner-"));
  made.push(dir);
  return dir;
}

function files() {
  const dir = tempDir();
  return { outFile: join(dir, "out", "dd.jsonl"), errorsFile: join(dir, "out", "dd.errors.jsonl") };
}

describe("annotateCorpus on real DailyDialog dialogues", () => {
  it("annotates concurrently, reports failures per dialogue, and resumes without repeating work", async () => {
    const dialogues = loadSacCorpus("dailydialog", { limit: 6, seed: 7 });
    expect(dialogues).toHaveLength(6);
    const broken = dialogues[2]?.id ?? "";
    const model = new ScriptedChatModel({
      respond: (request) => {
        const transcript = request.messages[1]?.content ?? "";
        const text = dialogues.find((dialogue) => dialogue.id === broken)?.turns[0]?.text ?? "";
        return transcript.includes(text) ? "sorry, I cannot help" : validAnswer(announcedTurnCount(request));
      },
    });
    const ledger = new UsageLedger();
    const paths = files();
    const progress: AnnotationProgress[] = [];
    const first = await annotateCorpus(withAccounting(model, ledger), dialogues, { ...paths, corpus: "dailydialog", concurrency: 3, maxAttempts: 2, ledger, onProgress: (p) => progress.push(p) });
    expect(first).toMatchObject({ total: 6, skipped: 0, annotated: 5, failed: 1 });
    expect(progress.at(-1)).toMatchObject({ annotated: 5, failed: 1 });
    expect(progress).toHaveLength(7);
    const records = readJsonl(paths.outFile, AnnotatedDialogueSchema);
    expect(records.map((record) => record.id).sort()).toEqual(dialogues.map((d) => d.id).filter((id) => id !== broken).sort());
    for (const record of records) {
      const source = dialogues.find((dialogue) => dialogue.id === record.id);
      expect(record.turns.map((turn) => turn.text)).toEqual(source?.turns.map((turn) => turn.text));
    }
    const failures = readJsonl(paths.errorsFile, AnnotationFailureSchema);
    expect(failures).toEqual([expect.objectContaining({ id: broken, attempts: 2, reason: expect.stringMatching(/no JSON object/) })]);
    expect(ledger.snapshot().total.calls).toBe(5 + 2);

    const before = model.requests.length;
    const second = await annotateCorpus(model, dialogues, { ...paths, corpus: "dailydialog", maxAttempts: 1 });
    expect(second).toMatchObject({ skipped: 5, annotated: 0, failed: 1 });
    expect(model.requests.length - before).toBe(1);
    expect(readJsonl(paths.errorsFile, AnnotationFailureSchema)).toHaveLength(1);
    expect(readJsonl(paths.outFile, AnnotatedDialogueSchema)).toHaveLength(5);
  });

  it("stops on abort without recording the dialogue in flight as failed, and a re-run finishes it", async () => {
    const dialogues = loadSacCorpus("dailydialog", { limit: 3 });
    const controller = new AbortController();
    const model = new ScriptedChatModel({
      respond: (request, call) => {
        if (call === 1) {
          controller.abort();
          return { choices: [validAnswer(announcedTurnCount(request))], delayMs: 60_000 };
        }
        return validAnswer(announcedTurnCount(request));
      },
    });
    const paths = files();
    const summary = await annotateCorpus(model, dialogues, { ...paths, corpus: "dailydialog", concurrency: 1, signal: controller.signal });
    expect(summary).toMatchObject({ total: 3, annotated: 1, failed: 0, aborted: true });
    expect(readJsonl(paths.errorsFile, AnnotationFailureSchema)).toEqual([]);
    expect(readJsonl(paths.outFile, AnnotatedDialogueSchema).map((record) => record.id)).toEqual([dialogues[0]?.id]);
    const resumed = await annotateCorpus(model, dialogues, { ...paths, corpus: "dailydialog" });
    expect(resumed).toMatchObject({ skipped: 1, annotated: 2, failed: 0, aborted: false });
  });

  it("repairs a last line cut short by an interrupted run and rejects other damage", () => {
    const file = join(tempDir(), "cut.jsonl");
    const record = { id: "a", corpus: "c", domain: "d", model: "m", attempts: 1, turns: [{ speaker: "user", text: "hi", annotation: { motivation: null, emotion: null, topics: [], bridgingQuestion: null } }] };
    writeFileSync(file, `${JSON.stringify(record)}\n{"id": "b", "corp`);
    const warnings: string[] = [];
    expect([...readAnnotatedIds(file, (message) => warnings.push(message))]).toEqual(["a"]);
    expect(warnings[0]).toMatch(/incomplete last line/);
    expect(readFileSync(file, "utf8")).toBe(`${JSON.stringify(record)}\n`);
    appendFileSync(file, '{"id": 3}\n');
    expect(() => readAnnotatedIds(file)).toThrow(SacFileError);
    expect(() => readAnnotatedIds(file)).toThrow(/line 2/);
    expect(() => readAnnotatedIds(file)).toThrow(/not an annotated dialogue \(id: /);
  });
});
