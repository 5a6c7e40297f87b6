import { describe, expect, it } from "vitest";
import { runCli } from "../cli.js";
import { parseSettings } from "./plan.js";

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("foresight plan", () => {
  it("converts --set pairs to typed settings and rejects pairs without a key", () => {
    expect(parseSettings(["depth=4", "variant=mdn", "replayBuffer=true", "lambda=0.1"])).toEqual({ depth: 4, variant: "mdn", replayBuffer: true, lambda: 0.1 });
    expect(() => parseSettings(["=3"])).toThrow(/key=value/);
  });
  it("names the known planners for an unknown one and exits 2", async () => {
    const result = await run(["plan", "no-such-planner"]);
    expect(result.code).toBe(2);
    expect(result.err).toContain('unknown planner "no-such-planner"');
  });
  it("reports a bad planner setting in one line, without a stack trace", async () => {
    const result = await run(["plan", "sgm", "--set", "depth=x", "--iterations", "3"]);
    expect(result.code).not.toBe(0);
    expect(result.err).toContain('setting "depth"');
    expect(result.err).not.toMatch(/\n\s+at /);
  });
  it("plans one SOP turn offline, printing the action with its English gloss", async () => {
    const result = await run(["plan", "sgm", "--seed", "1", "--iterations", "3"]);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Decision of sgm: act \S+ \(Agent\./);
    expect(result.out).toContain("stopped by");
  });
  it("asks for a planner when none is given", async () => {
    const result = await run(["plan"]);
    expect(result.code).toBe(2);
    expect(result.err).toContain("name a planner");
  });
  it("plans one system turn of a held-out SGD goal offline with --world sgd, and names an unknown world", async () => {
    const result = await run(["plan", "smcts-tod", "--world", "sgd", "--seed", "1", "--iterations", "8", "--json"]);
    expect(result.code).toBe(0);
    const { conversation, decision } = JSON.parse(result.out) as { conversation: { context: Record<string, unknown> }; decision: { act: string; reply: string; stats: { simulations: number } } };
    expect(conversation.context).toMatchObject({ world: "sgd", goalId: expect.stringMatching(/\S/) });
    expect(["REQUEST", "OFFER", "INFORM", "OFFER_INTENT", "CONFIRM", "NOTIFY_SUCCESS", "REQ_MORE", "GOODBYE"]).toContain(decision.act);
    expect(decision.reply).toMatch(/\w/);
    expect(decision.stats.simulations).toBe(8);
    const unknown = await run(["plan", "smcts-tod", "--world", "atlantis"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toContain('unknown TOD world "atlantis" (multiwoz or sgd)');
    expect(unknown.err).not.toMatch(/\n\s+at /);
    const notTod = await run(["plan", "sgm", "--world", "sgd"]);
    expect(notTod.code).toBe(2);
    expect(notTod.err).toContain("--world picks the world of the TOD planners");
  });
});
