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
    expect((await run(["evaluate", "multiwoz", "--split", "test"])).err).toMatch(/--split must be one of val/);
    expect((await run(["evaluate", "multiwoz", "--limit", "x"])).err).toMatch(/--limit must be an integer/);
    expect((await run(["evaluate", "multiwoz", "--limit", "0"])).err).toMatch(/--limit must be at least 1/);
  });
});
