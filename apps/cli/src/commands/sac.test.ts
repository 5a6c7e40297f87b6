import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveDataDir } from "@foresight/dialogue";
import { ScriptedChatModel } from "@foresight/llm-sim/testing";
import { runCli } from "../cli.js";
import type { Command } from "../command.js";
import { createSacCommands } from "./sac.js";

async function run(command: Command | undefined, argv: string[]) {
  if (!command) throw new Error("command missing");
  const out: string[] = [];
  const err: string[] = [];
  const code = await command.run(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** Answers annotation requests with valid JSON sized from the announced turn count. */
function scriptedAnnotator(): ScriptedChatModel {
  return new ScriptedChatModel({
    id: "scripted-annotator",
    respond: (request) => {
      const count = Number(/, (\d+) turns\):/.exec(request.messages[1]?.content ?? "")?.[1]);
      const turns = Array.from({ length: count }, (_, turn) => ({ turn, motivation: turn % 2 ? "respond" : "ask", emotion: "neutral", topics: ["daily life"] }));
      return JSON.stringify({ turns });
    },
  });
}

describe("foresight sac", () => {
  it("says it needs an endpoint and exits 2 when none is configured", async () => {
    const saved = process.env.FORESIGHT_LLM_BASE_URL;
    delete process.env.FORESIGHT_LLM_BASE_URL;
    try {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(["sac", "annotate", "--corpus", "dailydialog", "--limit", "5"], { out: (t) => out.push(t), err: (t) => err.push(t) });
      expect(code).toBe(2);
      expect(err.join("\n")).toMatch(/FORESIGHT_LLM_BASE_URL/);
      expect(err.join("\n")).toMatch(/FORESIGHT_LLM_MODEL/);
    } finally {
      if (saved !== undefined) process.env.FORESIGHT_LLM_BASE_URL = saved;
    }
    const [annotate] = createSacCommands({ env: () => ({ FORESIGHT_LLM_BASE_URL: "http://127.0.0.1:9/v1" }) });
    const missingModel = await run(annotate, ["--corpus", "dailydialog"]);
    expect(missingModel.code).toBe(2);
    expect(missingModel.err).toMatch(/FORESIGHT_LLM_MODEL is not/);
  });

  it("rejects an unknown corpus by name", async () => {
    const err: string[] = [];
    const result = await runCli(["sac", "annotate", "--corpus", "reddit"], { out: () => undefined, err: (t) => err.push(t) });
    expect(result).toBe(2);
    expect(err.join("\n")).toContain('--corpus must be one of dailydialog, p4g, multiwoz, sopdail, got "reddit"');
  });

  it("annotates real DailyDialog dialogues, resumes, exports and counts them", async () => {
    if (!existsSync(resolveDataDir())) throw new Error(`shared data folder missing at ${resolveDataDir()}; set FORESIGHT_DATA_DIR`);
    const dir = mkdtempSync(join(tmpdir(), "sac-cli-"));
    try {
      const out = join(dir, "dd.jsonl");
      const model = scriptedAnnotator();
      const [annotate, exporter, stats] = createSacCommands({ createModel: () => model });
      const first = await run(annotate, ["--corpus", "dailydialog", "--limit", "5", "--out", out, "--concurrency", "2"]);
      expect(first.err).toContain("[5/5]");
      expect(first.code).toBe(0);
      expect(first.out).toContain("annotated 5, skipped 0 (already done), failed 0 of 5 dailydialog dialogues");
      expect(first.out).toMatch(/LLM usage: {3}5 calls/);
      expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(5);
      const again = await run(annotate, ["--corpus", "dailydialog", "--limit", "5", "--out", out]);
      expect(again.out).toContain("annotated 0, skipped 5");
      expect(model.requests).toHaveLength(5);

      const jsonl = join(dir, "ft.jsonl");
      expect((await run(exporter, ["--in", out, "--format", "openai", "--out", jsonl])).out).toContain("wrote 5 openai conversations");
      const example = JSON.parse(readFileSync(jsonl, "utf8").split("\n")[0] ?? "");
      expect(example.messages[1]).toMatchObject({ role: "assistant", weight: 1 });
      expect(example.messages[1].content).toMatch(/^⟦u_motivation=ask⟧ ⟦u_emotion=neutral⟧ ⟦u_topic=daily life⟧ ⟦a_motivation=respond⟧/);
      const sharegpt = join(dir, "sharegpt.json");
      await run(exporter, ["--in", out, "--format", "sharegpt", "--out", sharegpt]);
      expect(JSON.parse(readFileSync(sharegpt, "utf8"))).toHaveLength(5);
      const counted = await run(stats, ["--in", out, "--json"]);
      expect(JSON.parse(counted.out).distributions.u_emotion.labels[0]).toMatchObject({ label: "neutral", share: 1 });
      const missing = await run(stats, ["--in", join(dir, "nope.jsonl")]);
      expect(missing.code).toBe(1);
      expect(missing.err).toMatch(/nope\.jsonl: file not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an --out that is --in, and an existing --out without --force", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sac-cli-out-"));
    try {
      const annotations = join(dir, "dd.jsonl");
      const line = { id: "a", corpus: "c", domain: "d", model: "m", attempts: 1, turns: [{ speaker: "user", text: "hi", annotation: { motivation: "ask", emotion: null, topics: [], bridgingQuestion: null } }, { speaker: "system", text: "hello", annotation: { motivation: "greet", emotion: null, topics: [], bridgingQuestion: null } }] };
      writeFileSync(annotations, `${JSON.stringify(line)}\n`);
      const before = readFileSync(annotations, "utf8");
      for (const argv of [
        ["sac", "export", "--in", annotations, "--format", "openai", "--out", annotations],
        ["sac", "export", "--in", annotations, "--format", "openai", "--out", join(dir, ".", "dd.jsonl")],
        ["sac", "dpo", "--in", annotations, "--out", annotations],
      ]) {
        const err: string[] = [];
        expect(await runCli(argv, { out: () => undefined, err: (t) => err.push(t) })).toBe(2);
        expect(err.join("\n")).toMatch(/--out is the same file as --in/);
      }
      expect(readFileSync(annotations, "utf8")).toBe(before);
      const doubled = join(dir, "doubled.jsonl");
      writeFileSync(doubled, `${JSON.stringify(line)}\n${JSON.stringify(line)}\n`);
      const statsErr: string[] = [];
      const statsOut: string[] = [];
      expect(await runCli(["sac", "stats", "--in", doubled, "--json"], { out: (t) => statsOut.push(t), err: (t) => statsErr.push(t) })).toBe(0);
      expect(JSON.parse(statsOut.join("\n")).dialogues).toBe(1);
      expect(statsErr.join("\n")).toMatch(/warning: .*doubled\.jsonl: skipped 1 duplicate line/);
      const existing = join(dir, "ft.jsonl");
      writeFileSync(existing, "keep me\n");
      const err: string[] = [];
      expect(await runCli(["sac", "export", "--in", annotations, "--format", "openai", "--out", existing], { out: () => undefined, err: (t) => err.push(t) })).toBe(2);
      expect(err.join("\n")).toMatch(/ft\.jsonl already exists; pass --force to overwrite it/);
      expect(readFileSync(existing, "utf8")).toBe("keep me\n");
      expect(await runCli(["sac", "export", "--in", annotations, "--format", "openai", "--out", existing, "--force"], { out: () => undefined, err: () => undefined })).toBe(0);
      expect(readFileSync(existing, "utf8")).toMatch(/"messages"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The endpoint hangs for 10 minutes: only --timeout ends the calls within the test's timeout (no wall-clock bound
  // here, which a loaded machine could break while loading the corpus).
  it("bounds a hung endpoint with --timeout and --retries", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sac-cli-hung-"));
    try {
      const hung = new ScriptedChatModel({ respond: () => ({ choices: ["never"], delayMs: 600_000 }) });
      const [annotate] = createSacCommands({ createModel: () => hung });
      const result = await run(annotate, ["--corpus", "dailydialog", "--limit", "1", "--out", join(dir, "dd.jsonl"), "--timeout", "1", "--retries", "1"]);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/retry 1\/1 in .* s: the chat request timed out after 1000 ms/);
      expect(readFileSync(join(dir, "dd.errors.jsonl"), "utf8")).toMatch(/model call failed: the chat request timed out after 1000 ms/);
      expect(hung.requests).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("on an interrupt finishes the dialogues in flight, saves them and prints a summary; repairs a cut-short line with a warning", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sac-cli-int-"));
    try {
      const out = join(dir, "dd.jsonl");
      writeFileSync(out, '{"id": "cut short by a kil');
      let interrupt: ((name: string) => void) | undefined;
      const inner = scriptedAnnotator();
      const model = new ScriptedChatModel({
        id: "scripted-annotator",
        respond: async (request, call) => {
          if (call === 1) interrupt?.("SIGINT");
          const answer = await inner.complete(request);
          return { choices: [answer.choices[0]?.text ?? ""], delayMs: 20 };
        },
      });
      const [annotate] = createSacCommands({
        createModel: () => model,
        onInterrupt: (handler) => {
          interrupt = handler;
          return () => (interrupt = undefined);
        },
      });
      const result = await run(annotate, ["--corpus", "dailydialog", "--limit", "5", "--out", out, "--concurrency", "2"]);
      expect(result.code).toBe(130);
      expect(result.err).toMatch(/warning: .*dd\.jsonl: removed an incomplete last line \(26 characters\) left by an interrupted run/);
      expect(result.err).toMatch(/SIGINT: finishing the dialogues in flight/);
      expect(result.out).toMatch(/^interrupted: 2 new annotations saved, 3 dialogues left; run the same command again to resume$/m);
      expect(readFileSync(out, "utf8").trim().split("\n")).toHaveLength(2);
      expect(interrupt).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
