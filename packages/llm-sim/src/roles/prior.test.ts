import { createRng, type Turn } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { persuasionPack, sopPack } from "../packs/index.js";
import { ScriptedChatModel, logprobsFor } from "../testing/index.js";
import { UsageLedger } from "../wrappers/accounting.js";
import { LlmLogprobPrior, LlmSamplingPrior, keyMassFromLogprobs, smoothCounts } from "./prior.js";

const history: Turn[] = [{ speaker: "system", text: "Hi!" }, { speaker: "user", text: "Hello, what's this about?" }];
const labels = persuasionPack.systemActs.map((act) => act.label);

describe("LlmSamplingPrior", () => {
  it("samples m=15 at T=1 and applies add-1 smoothing", async () => {
    const outputs = [...Array(8).fill("B) credibility appeal"), ...Array(4).fill("[Emotion-Appeal]"), "F", "gibberish", "I think task-related inquiry"];
    const model = new ScriptedChatModel({ script: [outputs] });
    const ledger = new UsageLedger();
    const prior = new LlmSamplingPrior({ model, rng: createRng(1), pack: persuasionPack, ledger });
    const result = await prior.prior(history);
    expect(model.requests[0]).toMatchObject({ n: 15, temperature: 1, role: "prior" });
    expect(result.acts).toEqual(labels);
    // 14 parsed samples, 7 acts: (count + 1) / (14 + 7)
    expect(result.probabilities[1]).toBeCloseTo(9 / 21);
    expect(result.probabilities[2]).toBeCloseTo(5 / 21);
    expect(result.probabilities[4]).toBeCloseTo(2 / 21);
    expect(result.probabilities[5]).toBeCloseTo(2 / 21);
    expect(result.probabilities[0]).toBeCloseTo(1 / 21);
    expect(result.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    expect(result).toMatchObject({ method: "sampling", unparsed: 1, requests: 1, completions: 15, fallback: false });
    expect(ledger.snapshot().byRole.prior).toMatchObject({ parseAttempts: 15, parseFailures: 1 });
  });

  it("restricts to given acts with SOP guidance and reads Chinese aliases", async () => {
    const model = new ScriptedChatModel({ script: [["建立信任", "B", "Build trust"]] });
    const prior = new LlmSamplingPrior({ model, rng: createRng(1), pack: sopPack, samples: 3 });
    const result = await prior.prior(history, { acts: ["Verify identity", "Build trust"], guidance: "the SOP prescribes Verify identity next" });
    expect(result.acts).toEqual(["Verify identity", "Build trust"]);
    expect(result.probabilities[1]).toBeCloseTo(4 / 5);
    const prompt = model.requests[0]?.messages.at(-1)?.content ?? "";
    expect(prompt).toContain("A) Verify identity");
    expect(prompt).toContain("please prioritize the following agent actions: the SOP prescribes Verify identity next");
  });

  it("is uniform and flagged when nothing parses", async () => {
    const model = new ScriptedChatModel({ script: [["???"]] });
    const result = await new LlmSamplingPrior({ model, rng: createRng(1), pack: persuasionPack, samples: 4 }).prior(history);
    expect(result).toMatchObject({ method: "uniform", fallback: true, unparsed: 4 });
    expect(result.probabilities.every((p) => Math.abs(p - 1 / 7) < 1e-12)).toBe(true);
  });

  it("smooths counts", () => {
    expect(smoothCounts([2, 0], 1)).toEqual([0.75, 0.25]);
    expect(smoothCounts([0, 0], 0)).toEqual([0.5, 0.5]);
  });
});

describe("LlmLogprobPrior", () => {
  it("gets the same distribution from one completion and reports the completions saved", async () => {
    const p = { A: 0.05, B: 0.5, C: 0.25, D: 0.1, E: 0.05, F: 0.05 };
    const model = new ScriptedChatModel({ script: [{ choices: [{ text: "B) credibility appeal", logprobs: logprobsFor("B", { ...p, " The": 0.001 }) }] }] });
    const prior = new LlmLogprobPrior({ model, rng: createRng(1), pack: persuasionPack });
    const result = await prior.prior(history);
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]).toMatchObject({ n: 1, logprobs: true, topLogprobs: 20 });
    const total = Object.values(p).reduce((a, b) => a + b, 0);
    expect(result.probabilities[1]).toBeCloseTo((15 * (0.5 / total) + 1) / 22);
    expect(result.probabilities[6]).toBeCloseTo(1 / 22);
    expect(result).toMatchObject({ method: "logprobs", requests: 1, completions: 1, savedCompletions: 14, fallback: false });
  });

  it("falls back to sampling when the endpoint returns no logprobs, and counts it", async () => {
    const model = new ScriptedChatModel({ script: ["B) credibility appeal", ["credibility appeal"]] });
    const ledger = new UsageLedger();
    const result = await new LlmLogprobPrior({ model, rng: createRng(1), pack: persuasionPack, ledger }).prior(history);
    expect(model.requests.map((request) => request.n)).toEqual([1, 15]);
    expect(result).toMatchObject({ method: "sampling", fallback: true, requests: 2, completions: 16, savedCompletions: 0 });
    expect(result.probabilities[1]).toBeCloseTo(16 / 22);
    expect(ledger.snapshot().byRole.prior?.parseFailures).toBe(1);
  });

  it("reads option keys from tokens with spaces or brackets only at the first answer token", () => {
    expect(keyMassFromLogprobs([{ token: " (", logprob: 0 }, { token: "B", logprob: Math.log(0.6), topLogprobs: [{ token: "B", logprob: Math.log(0.6) }, { token: " A", logprob: Math.log(0.4) }] }], ["A", "B"])).toEqual([
      expect.closeTo(0.4),
      expect.closeTo(0.6),
    ]);
    expect(keyMassFromLogprobs([{ token: "The", logprob: 0, topLogprobs: [{ token: "A", logprob: -1 }] }], ["A", "B"])).toBeUndefined();
    expect(keyMassFromLogprobs(undefined, ["A"])).toBeUndefined();
  });
});
