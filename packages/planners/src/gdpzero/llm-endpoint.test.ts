// Drives GDP-Zero's LLM roles end to end through the real `openai` client against a scripted server on 127.0.0.1.
import { GDP_ZERO_PERSUADER_ACTS } from "@foresight/dialogue";
import { startScriptedOpenAiServer, type ScriptedOpenAiServer, type ScriptedServerRequest } from "@foresight/llm-sim/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plannerFactory } from "../registry.js";

const QUESTION = "Would you be interested in donating to Save the Children?";
const text = (request: ScriptedServerRequest) => request.messages.map((m) => m.content).join("\n");
const kind = (request: ScriptedServerRequest) =>
  text(request).includes("Which strategy should the Persuader use next?") ? "prior" : text(request).includes("Write the Persuader's next turn") ? "system" : text(request).trimEnd().endsWith("`[reaction] utterance`, one or two sentences.") && text(request).includes(`Persuader: ${QUESTION}`) ? "value" : "user";

let server: ScriptedOpenAiServer;
let logprobs = true;
const saved = { ...process.env };

beforeAll(async () => {
  server = await startScriptedOpenAiServer((request) => {
    const n = request.n ?? 1;
    switch (kind(request)) {
      case "prior":
        // The planner offers GDP-Zero's acts in the paper's order: A) credibility appeal, B) emotion appeal, …
        if (request.logprobs && logprobs) return { texts: ["A"], firstTokenAlternatives: { A: 0.55, B: 0.15, D: 0.1, C: 0.05, E: 0.05, F: 0.05, G: 0.05 } };
        return { texts: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? "B) emotion appeal" : "A) credibility appeal")) };
      case "system":
        return { texts: Array.from({ length: n }, (_, i) => `Save the Children has helped children for a hundred years (${i}).`) };
      case "value":
        // Real models' spellings: bracketed aliases, parentheses, and one answer with no readable reaction.
        return { texts: Array.from({ length: n }, (_, i) => ["[donate] Sure, $1.", "[positive] Maybe.", "(neutral reaction) Hm.", "I don't know."][i % 4]!) };
      default:
        return { texts: ["[positive] That sounds like a good cause."] };
    }
  });
  process.env.FORESIGHT_LLM_BASE_URL = server.baseURL;
  process.env.FORESIGHT_LLM_MODEL = "scripted";
  process.env.FORESIGHT_LLM_API_KEY = "test";
});

afterAll(async () => {
  for (const key of ["FORESIGHT_LLM_BASE_URL", "FORESIGHT_LLM_MODEL", "FORESIGHT_LLM_API_KEY"]) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await server.close();
});

const conversation = { turns: [{ speaker: "agent" as const, text: "Hi! Have you heard of Save the Children?", act: "task related inquiry" }, { speaker: "user" as const, text: "No, what is it?" }] };

describe("gdpzero with LLM roles over an OpenAI-compatible endpoint", () => {
  it("plans with the prior from one logprobs request, n = 10 value samples, hidden acts and counted parse fallbacks", async () => {
    server.requests.length = 0;
    logprobs = true;
    const planner = await plannerFactory("gdpzero").create({ settings: { backend: "llm" } });
    const decision = await planner.plan(conversation, { seed: 1, budget: { iterations: 6 } });
    expect(GDP_ZERO_PERSUADER_ACTS).toContain(decision.act);
    expect(decision.reply).toMatch(/^Save the Children has helped children/);
    const priors = server.requests.filter((r) => kind(r) === "prior");
    expect(priors.length).toBe(decision.stats.roleCalls!.prior);
    expect(priors.every((r) => r.logprobs === true && (r.n ?? 1) === 1)).toBe(true);
    // The prior follows the logprobs: credibility appeal (A) is the most likely act.
    expect(decision.candidates.find((c) => c.act === "credibility appeal")!.prior).toBeGreaterThan(0.3);
    const values = server.requests.filter((r) => kind(r) === "value");
    expect(values.length).toBe(decision.stats.roleCalls!.value);
    expect(values.every((r) => r.n === 10)).toBe(true);
    // Neither the persuadee nor the value prompt shows the persuader's act labels.
    for (const request of server.requests.filter((r) => kind(r) === "value" || kind(r) === "user")) expect(text(request)).not.toMatch(/Persuader \[/);
    // One sample in four has no readable reaction: excluded and counted.
    expect(decision.stats.counters!.valueUnparsed).toBe(values.length * 2);
    expect(decision.stats.tokens).toBeGreaterThan(0);
  });

  it("falls back to 15 sampled acts in one n = 15 request when the endpoint gives no logprobs", async () => {
    server.requests.length = 0;
    logprobs = false;
    const planner = await plannerFactory("gdpzero-prompting").create({ settings: { backend: "llm" } });
    const decision = await planner.plan(conversation, { seed: 2 });
    expect(decision.act).toBe("credibility appeal");
    const priors = server.requests.filter((r) => kind(r) === "prior");
    expect(priors.map((r) => r.n ?? 1)).toEqual([1, 15]);
    expect(decision.stats.counters!.priorFallback).toBe(1);
    expect(decision.degraded?.reason).toMatch(/priorFallback 1/);
  });
});
