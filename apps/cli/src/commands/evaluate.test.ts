import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { multiWozDir, readMultiWozArchive, resolveDataDir } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli.js";

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("foresight evaluate multiwoz", () => {
  it("prints the figures of the first validation dialogues as JSON", async () => {
    const result = await run(["evaluate", "multiwoz", "--split", "val", "--limit", "10", "--json"]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out);
    expect(report).toMatchObject({ corpus: "multiwoz", split: "val", dialogues: 10 });
    expect(report.official.inform).toBeGreaterThan(0.5);
    expect(report.convlab.success).toBeGreaterThan(0.5);
    expect(report.convlab.success).toBe(1 - report.failures.length / 10);
    expect(report.convlab.bookConstraints).toBeGreaterThan(0.5);
    expect(report.convlab.strictSuccess).toBeLessThanOrEqual(report.convlab.success);
  });

  it("prints readable lines", async () => {
    const result = await run(["evaluate", "multiwoz", "--limit", "3"]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^MultiWOZ 2\.1 val: 3 dialogues/);
    expect(result.out).toMatch(/official {2}Inform \d+\.\d\d% {2}Success/);
  });

  it("rejects an unknown split and a bad limit by flag name", async () => {
    expect((await run(["evaluate", "multiwoz", "--split", "test"])).err).toMatch(/--split test: not present in .*multiwoz \(present: val; or give --file PATH\)/);
    expect((await run(["evaluate", "multiwoz", "--split", "dev"])).err).toMatch(/--split dev: no such split/);
    expect((await run(["evaluate", "multiwoz", "--limit", "x"])).err).toMatch(/--limit must be an integer of at least 1/);
    expect((await run(["evaluate", "multiwoz", "--limit", "0"])).err).toMatch(/--limit must be an integer of at least 1, got 0/);
  });

  it("scores any split present in the data folder, or a ConvLab file given with --file", async () => {
    const shared = multiWozDir(resolveDataDir());
    const { data } = readMultiWozArchive(shared);
    const three = Object.fromEntries(Object.entries(data).slice(0, 3));
    const dataDir = mkdtempSync(join(tmpdir(), "foresight-cli-eval-"));
    try {
      mkdirSync(join(dataDir, "multiwoz"));
      symlinkSync(join(shared, "db"), join(dataDir, "multiwoz", "db"));
      writeFileSync(join(dataDir, "multiwoz", "test.json"), JSON.stringify(three)); // an unzipped split works too
      const test = await run(["evaluate", "multiwoz", "--split", "test", "--json", "--data-dir", dataDir]);
      expect(test.err).toBe("");
      expect(JSON.parse(test.out)).toMatchObject({ corpus: "multiwoz", split: "test", dialogues: 3 });
      const missing = await run(["evaluate", "multiwoz", "--split", "val", "--data-dir", dataDir]);
      expect(missing.code).toBe(2);
      expect(missing.err).toMatch(/--split val: not present .*\(present: test; or give --file PATH\)/);
      const file = join(dataDir, "mine.json");
      writeFileSync(file, JSON.stringify(three));
      const fromFile = await run(["evaluate", "multiwoz", "--file", file, "--json", "--data-dir", dataDir]);
      expect(JSON.parse(fromFile.out)).toMatchObject({ split: "mine.json", dialogues: 3 });
      const folder = await run(["evaluate", "multiwoz", "--file", dataDir]);
      expect(folder.code).toBe(1);
      expect(folder.err).toBe(`foresight evaluate multiwoz: --file ${dataDir}: is a folder, expected a file`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
