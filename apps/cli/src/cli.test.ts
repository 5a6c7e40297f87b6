import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveDataDir } from "@foresight/dialogue";
import { runCli } from "./cli.js";

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("foresight CLI", () => {
  it("lists commands with --help and rejects unknown ones", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("corpus stats");
    const unknown = await run(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "frobnicate"');
  });

  it("names a bad flag", async () => {
    const result = await run(["corpus", "stats", "--jsn"]);
    expect(result.code).toBe(2);
    expect(result.err).toContain("--jsn");
  });

  it("reports every shared corpus with its real counts", async () => {
    const dataDir = resolveDataDir();
    if (!existsSync(dataDir)) throw new Error(`shared data folder missing at ${dataDir}; set FORESIGHT_DATA_DIR`);
    const result = await run(["corpus", "stats", "--json"]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    const { corpora } = JSON.parse(result.out);
    expect(corpora.p4g.annotated.dialogues).toBe(250);
    expect(corpora.p4g.annotated.donationRate).toBeGreaterThan(0);
    expect(corpora.p4g.annotated.donationRate).toBeLessThan(1);
    expect(corpora.p4g.full.dialogues).toBe(967);
    expect(corpora.multiwoz.val.dialoguesWithGoals).toBe(999);
    expect(corpora.dailydialog.all.dialogues).toBe(12118);
    expect(corpora.sopdail.all.tasks).toBe(40);
    expect(corpora.sopdail.all.dialogues).toBe(2370);
    expect(corpora.sgd.test).toEqual({ services: 21, dialogues: 51, turns: 784, actVocabularySize: 17 });
  });

  it("fails clearly when the data folder is missing", async () => {
    const result = await run(["corpus", "stats", "--json", "--data-dir", "/nonexistent/foresight-data"]);
    expect(result.code).toBe(1);
    const { corpora } = JSON.parse(result.out);
    expect(corpora.p4g.annotated.error).toMatch(/nonexistent\/foresight-data/);
    expect(corpora.dailydialog.all.error).toMatch(/dailydialog/);
    expect(corpora.sgd.test.error).toMatch(/corpus folder "sgd" not found/);
  });
});
