import { describe, expect, it } from "vitest";
import { runCli } from "../cli.js";

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("foresight simulate", () => {
  it("prints a whole SOP dialogue with nodes and outcome, the same for the same seed", async () => {
    const a = await run(["simulate", "sop", "--seed", "4", "--json"]);
    const b = await run(["simulate", "sop", "--seed", "4", "--json"]);
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    const parsed = JSON.parse(a.out) as { world: string; dialogue: { turns: { state: { sopNode: string } }[] }; outcome: { path: string[] } };
    expect(parsed.world).toBe("sop");
    expect(parsed.dialogue.turns.length).toBeGreaterThan(2);
    expect(parsed.outcome.path[0]).toBe("代理.开始");
    const text = await run(["simulate", "sop", "--seed", "4", "--task", "bank-activate_bank_card", "--max-turns", "4"]);
    expect(text.code).toBe(0);
    expect(text.out).toContain("task bank-activate_bank_card");
    expect(text.out).toMatch(/Agent \[代理\.打招呼 = Agent\.greet\]/);
    expect(text.out).toContain("Outcome:");
  });

  it("prints a persuasion dialogue with acts, reactions and the donation outcome", async () => {
    const result = await run(["simulate", "p4g", "--seed", "2", "--max-turns", "3"]);
    expect(result.code).toBe(0);
    expect(result.out.match(/^Persuader \[/gm)).toHaveLength(3);
    expect(result.out.match(/^Persuadee \[(no donation|negative reaction|neutral|positive reaction|donate)\]/gm)).toHaveLength(3);
    expect(result.out).toMatch(/decision: (donated|refused|undecided)/);
  });

  it("rejects an unknown world, a misplaced --task, a bad seed and an unknown task", async () => {
    expect((await run(["simulate", "mars"])).err).toContain('unknown world "mars"');
    expect((await run(["simulate", "chat", "--task", "x"])).err).toContain("--task applies only to the sop world");
    const seed = await run(["simulate", "p4g", "--seed", "abc"]);
    expect(seed.code).toBe(2);
    expect(seed.err).toContain("--seed must be a whole number from 0 to 4294967295");
    for (const bad of ["-1", "4294967296", "1.5"]) {
      const out = await run(["simulate", "chat", `--seed=${bad}`]);
      expect(out.code, bad).toBe(2);
      expect(out.err, bad).toMatch(/--seed must be a whole number from 0 to 4294967295/);
    }
    for (const bad of ["0", "-2", "201"]) {
      const out = await run(["simulate", "p4g", `--max-turns=${bad}`]);
      expect(out.code, bad).toBe(2);
      expect(out.err).toContain("--max-turns must be an integer from 1 to 200");
    }
    const task = await run(["simulate", "sop", "--task", "nope"]);
    expect(task.code).toBe(2);
    expect(task.err).toContain('unknown SOPDAIL task "nope"');
  });
});
