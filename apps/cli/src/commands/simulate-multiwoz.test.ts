import { DialogueSchema } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli.js";

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

// Needs the MultiWOZ corpus in the shared data folder; the command fails with a CorpusError naming it otherwise.
describe("foresight simulate multiwoz", () => {
  it("prints the same whole dialogue for the same seed, as a Dialogue in --json", async () => {
    const first = await run(["simulate", "multiwoz", "--seed", "3", "--json"]);
    expect(first.err).toBe("");
    expect(first.code).toBe(0);
    const second = await run(["simulate", "multiwoz", "--seed", "3", "--json"]);
    expect(second.out).toBe(first.out);
    const dialogue = DialogueSchema.parse(JSON.parse(first.out));
    expect(dialogue.domain).toBe("multiwoz");
    expect(dialogue.turns.length).toBeGreaterThan(2);
    expect(dialogue.outcome?.endReason).toBeDefined();
  }, 60_000);

  it("takes a corpus goal, a persona and a turn limit, and prints acts, states and the outcome", async () => {
    const result = await run(["simulate", "multiwoz", "--seed", "1", "--goal", "PMUL1635", "--persona", "less-cooperative", "--max-turns", "3"]);
    expect(result.code).toBe(0);
    expect(result.out).toContain("goal PMUL1635");
    expect(result.out).toContain("acts: Hotel-Inform");
    expect(result.out).toContain("state: hotel{");
    expect(result.out).toMatch(/outcome: \S+; goal/);
    expect(result.out.match(/^SYSTEM /gm)?.length ?? 0).toBeLessThanOrEqual(3);
  }, 60_000);

  it("rejects a missing or out-of-range seed, a turn limit below 1, an unknown persona and an unknown goal with usage errors", async () => {
    expect((await run(["simulate", "multiwoz"])).err).toContain("--seed is required");
    for (const bad of ["-1", "4294967296", "2.5", "abc"]) {
      const out = await run(["simulate", "multiwoz", `--seed=${bad}`]);
      expect(out.code, bad).toBe(2);
      expect(out.err, bad).toMatch(/--seed must be a whole number from 0 to 4294967295/);
    }
    for (const bad of ["0", "-3", "201"]) {
      const out = await run(["simulate", "multiwoz", "--seed", "1", `--max-turns=${bad}`]);
      expect(out.code, bad).toBe(2);
      expect(out.err).toContain("--max-turns must be an integer from 1 to 200");
    }
    const persona = await run(["simulate", "multiwoz", "--seed", "1", "--persona", "grumpy"]);
    expect(persona.code).toBe(2);
    expect(persona.err).toContain('unknown MultiWOZ user persona "grumpy"');
    const goal = await run(["simulate", "multiwoz", "--seed", "1", "--goal", "NOPE123"]);
    expect(goal.code).toBe(2);
    expect(goal.err).toContain('no MultiWOZ goal with dialogue id "NOPE123"');
  }, 60_000);
});
