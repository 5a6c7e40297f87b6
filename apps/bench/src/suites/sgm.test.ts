import { OpenAIChatModel } from "@foresight/llm-sim";
import { startScriptedOpenAiServer, type ScriptedOpenAiServer } from "@foresight/llm-sim/testing";
import { sopdailTasks } from "@foresight/planners";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sgmSuite } from "./sgm.js";
import type { Scale } from "./types.js";

describe("the sgm suite", () => {
  it("enumerates the held-out tasks for every planner and world, deterministically", () => {
    const quick = sgmSuite.episodes("quick", 1);
    expect(sgmSuite.episodes("quick", 1)).toEqual(quick);
    const tasks = new Set(quick.filter((s) => s.setting.mode === "gold").map((s) => s.unit));
    expect(tasks.size).toBe(10);
    expect(new Set(quick.filter((s) => s.setting.mode !== "predict").map((s) => s.planner))).toEqual(new Set(["sgm", "cot-sop", "cot"]));
    expect(quick.filter((s) => s.setting.mode === "predict").map((s) => s.planner)).toEqual([...Array(10).fill("dal"), ...Array(10).fill("tcot")]);
    expect(new Set(quick.map((s) => s.world))).toEqual(new Set(["matched", "mismatched"]));
    const full = sgmSuite.episodes("full", 1);
    expect(full.length).toBeGreaterThan(quick.length);
    // the sensitivities play interactive episodes at full scale only, 200 per world like SGM's own
    const sensitivities = full.filter((s) => s.planner.includes("@"));
    expect(new Set(sensitivities.map((s) => s.planner))).toEqual(new Set(["sgm@rollouts=9", "sgm@rollouts=27", "sgm@returns=sum"]));
    expect(new Set(sensitivities.map((s) => s.setting.mode))).toEqual(new Set(["play"]));
    expect(sensitivities.filter((s) => s.planner === "sgm@rollouts=27" && s.world === "matched")).toHaveLength(200);
    expect(quick.some((s) => s.planner.includes("@"))).toBe(false);
  });

  it("plays a sensitivity with its roll-outs and reports how often SGM takes CoT's action", async () => {
    const spec = sgmSuite.episodes("full", 1).find((s) => s.planner === "sgm@rollouts=27")!;
    const short = { ...spec, setting: { ...spec.setting, maxAgentTurns: 2 } };
    const more = await sgmSuite.run(short, {});
    const paper = await sgmSuite.run({ ...short, planner: "sgm", setting: { mode: "play", maxAgentTurns: 2 } }, {});
    expect(more.costs.llmCalls).toBeGreaterThan(paper.costs.llmCalls!);
    for (const outcome of [more, paper]) {
      expect(outcome.metrics.agreesWithCot).toBeGreaterThanOrEqual(0);
      expect(outcome.metrics.agreesWithCot).toBeLessThanOrEqual(1);
    }
    const cot = await sgmSuite.run({ ...short, planner: "cot", setting: { mode: "play", maxAgentTurns: 2 } }, {});
    expect(cot.metrics.agreesWithCot).toBeUndefined();
  });

  it("scores gold dialogues and plays episodes, the same for the same spec", async () => {
    const [task] = [...new Set(sgmSuite.episodes("quick", 1).map((s) => s.unit.split("#")[0]!))];
    const gold = { suite: "sgm", planner: "cot-sop", setting: { mode: "gold", goldPerTask: 1 }, world: "matched", unit: task!, seed: 1 };
    const scored = await sgmSuite.run(gold, {});
    expect(scored.metrics.accT).toBeGreaterThan(0);
    expect(scored.metrics.accT).toBeLessThanOrEqual(1);
    expect(scored.metrics.accC).toBeGreaterThan(0.9);
    const play = { suite: "sgm", planner: "sgm", setting: { mode: "play", maxAgentTurns: 4 }, world: "mismatched", unit: `${task}#0`, seed: 2 };
    const first = await sgmSuite.run(play, {});
    const again = await sgmSuite.run(play, {});
    expect([again.metrics, again.transcript, again.costs.llmCalls]).toEqual([first.metrics, first.transcript, first.costs.llmCalls]);
    expect(first.metrics.turns).toBeLessThanOrEqual(4);
    expect([0, 1]).toContain(first.metrics.success);
    // the agent's own steps comply whenever the whole path does
    expect(first.metrics.agentCompliant).toBeGreaterThanOrEqual(first.metrics.compliant!);
    expect(first.costs.llmCalls).toBeGreaterThan(0);
  });
});

describe("the sgm suite in live mode (a scripted endpoint through the openai client)", () => {
  const task = sgmSuite.episodes("quick", 1).find((s) => s.setting.mode === "predict")!.unit;
  const goldSop = sopdailTasks().find((t) => t.id === task)!.sop.adjacencyList;
  let server: ScriptedOpenAiServer;
  let llm: OpenAIChatModel;
  beforeAll(async () => {
    server = await startScriptedOpenAiServer((request) => {
      const prompt = request.messages.map((m) => m.content).join("\n");
      const n = request.n ?? 1;
      const first = /[A-Z]\) (代理\.[^:]+):/.exec(prompt)?.[1];
      if (prompt.includes("Optional Agent Actions")) return { texts: Array(n).fill(`Analysis: ...\nTherefore, the best agent action is: ${first}`) };
      if (prompt.includes("Therefore, the answer is: 1")) return { texts: Array(n).fill("Analysis: it follows the SOP.\nTherefore, the answer is: 1") };
      if (prompt.includes("Do not write JSON")) return { texts: ["The agent greets the user, then ..."] };
      return { texts: ["```json\n" + JSON.stringify(goldSop) + "\n```"] };
    });
    llm = new OpenAIChatModel({ baseURL: server.baseURL, model: "scripted", apiKey: "none" });
  });
  afterAll(async () => server.close());

  it("plays a small subset of quick live (2 tasks, 1 episode of 4 turns) and records nothing for SOP prediction offline", async () => {
    const quick = sgmSuite.episodes("quick", 1);
    const live = quick.filter((s) => s.setting.live !== false);
    expect(new Set(live.map((s) => s.unit.split("#")[0])).size).toBe(2);
    expect(live.filter((s) => s.setting.mode === "play").map((s) => s.setting.live)).toEqual(Array(12).fill({ maxAgentTurns: 4 }));
    expect(new Set(live.filter((s) => s.setting.mode === "predict").map((s) => s.planner))).toEqual(new Set(["dal", "tcot"]));
    const left = await sgmSuite.run(quick.find((s) => s.setting.live === false)!, { llm });
    expect(left.metrics).toEqual({});
    expect(sgmSuite.episodes("full", 1).some((s) => "live" in s.setting)).toBe(false);
    const offline = await sgmSuite.run(live.find((s) => s.setting.mode === "predict")!, {});
    expect(offline.metrics).toEqual({});
    expect(() => sgmSuite.episodes("huge" as Scale, 1)).toThrow(/unknown scale "huge"/);
  });

  it("plays SGM and the baselines on the LLM and predicts the SOP with DAL and TCoT, counting requests", async () => {
    const before = server.requests.length;
    const play = { suite: "sgm", planner: "sgm", setting: { mode: "play", maxAgentTurns: 2 }, world: "matched", unit: `${task}#0`, seed: 1 };
    const played = await sgmSuite.run(play, { llm });
    expect(played.costs.requests).toBe(server.requests.length - before);
    expect(played.costs.parserFallbacks).toBe(0);
    expect(played.metrics.turns).toBeLessThanOrEqual(2);
    const gold = { suite: "sgm", planner: "cot-sop", setting: { mode: "gold", goldPerTask: 1 }, world: "mismatched", unit: task, seed: 1 };
    const scored = await sgmSuite.run(gold, { llm });
    expect(scored.costs.requests).toBe(scored.costs.decisions);
    expect(scored.metrics.accC).toBeGreaterThan(0);
    for (const method of ["dal", "tcot"]) {
      const predicted = await sgmSuite.run({ suite: "sgm", planner: method, setting: { mode: "predict", method }, world: "matched", unit: task, seed: 1 }, { llm });
      expect(predicted.metrics).toMatchObject({ unreadable: 0, gedr: 0, pathF1: 1 });
      expect(predicted.costs.requests).toBe(method === "tcot" ? 2 : 1);
    }
    const sent = server.requests.slice(before);
    expect(sent.every((r) => r.temperature === 0.1 && (r as { top_p?: number }).top_p === 0.1)).toBe(true);
  });
});
