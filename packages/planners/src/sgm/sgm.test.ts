import { sopdailNode } from "@foresight/dialogue";
import { OpenAIChatModel, sopdailTaskSplit } from "@foresight/llm-sim";
import { ScriptedChatModel, startScriptedOpenAiServer, type ScriptedOpenAiServer } from "@foresight/llm-sim/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plannerFactory } from "../registry.js";
import type { Conversation, Planner } from "../types.js";
import { loadSopDomain, sopdailTasks, type SopDomain } from "./domain.js";
import { SgmModel, SGM_DEFAULTS } from "./model.js";
import { SopCotPlanner, SopGuidedPlanner } from "./planner.js";
import { PROACTIVE_TASK, proactiveDomain } from "./test-fixtures.js";

const A = (label: string) => sopdailNode("agent", label);
const U = (label: string) => sopdailNode("user", label);

/** The proactive fixture's conversation: the activity introduced, the user worried. */
const worried: Conversation = {
  turns: [
    { speaker: "agent", text: "您好，我们有个活动想邀请您参加。", act: A("介绍活动") },
    { speaker: "user", text: "我有点担心。", act: U("担忧疑惑") },
  ],
  context: { task: PROACTIVE_TASK.id },
};

describe("SGM on a held-out SOPDAIL task", () => {
  let conversation: Conversation;
  let planner: Planner;
  let domain: SopDomain;
  beforeAll(async () => {
    const factory = plannerFactory("sgm");
    conversation = await factory.heldOutConversation!({ seed: 1 });
    const task = conversation.context!.task as string;
    expect(sopdailTaskSplit(sopdailTasks().map((t) => t.id)).test).toContain(task);
    domain = loadSopDomain(task);
    planner = await factory.create();
  });

  it("chooses a legal action: one of the task's agent actions in SGM's expansion set, with a reply and a gloss", async () => {
    const decision = await planner.plan(conversation, { seed: 1 });
    const nodes = domain.world.nodesOfTurns(conversation.turns.map((t) => ({ speaker: t.speaker === "agent" ? "system" : "user", text: t.text, state: { sopNode: t.act } })));
    const allowed = new SgmModel(domain.world, domain.graph, SGM_DEFAULTS, 1).allowed(nodes);
    expect(allowed).toContain(decision.act);
    expect(domain.world.agentNodes).toContain(decision.act);
    expect(decision.reply).toBeTruthy();
    expect(decision.candidates[0]!.details!.gloss).toMatch(/^Agent\./);
    expect(decision.candidates.filter((c) => c.visits > 0).length).toBeLessThanOrEqual(SGM_DEFAULTS.actions);
    expect(decision.stats).toMatchObject({ simulations: 3, stopReason: "iterations" });
    expect(decision.stats.llmCalls).toBe(Object.values(decision.stats.roleCalls!).reduce((s, n) => s + n, 0));
  });

  it("gives the same decision for the same seed", async () => {
    const strip = (d: Awaited<ReturnType<Planner["plan"]>>) => ({ act: d.act, reply: d.reply, candidates: d.candidates, calls: d.stats.roleCalls });
    const a = await planner.plan(conversation, { seed: 5, budget: { iterations: 12 } });
    const b = await planner.plan(conversation, { seed: 5, budget: { iterations: 12 } });
    expect(strip(a)).toEqual(strip(b));
  });

  it("honours iteration, call and abort budgets", async () => {
    const iterations = await planner.plan(conversation, { seed: 2, budget: { iterations: 7 } });
    expect(iterations.stats).toMatchObject({ simulations: 7, stopReason: "iterations" });
    const calls = await planner.plan(conversation, { seed: 2, budget: { llmCalls: 20 } });
    expect(calls.stats.stopReason).toBe("llmCalls");
    expect(calls.stats.llmCalls).toBeGreaterThanOrEqual(20);
    expect(calls.stats.simulations).toBeLessThan(iterations.stats.simulations * 10);
    const controller = new AbortController();
    controller.abort();
    const aborted = await planner.plan(conversation, { seed: 2, budget: { iterations: 100, signal: controller.signal } });
    expect(aborted.stats).toMatchObject({ stopReason: "aborted", simulations: 0 });
    expect(aborted.act).toBeTruthy();
  });

  it("cuts held-out conversations of the task it is asked for, before an agent turn", async () => {
    const factory = plannerFactory("cot-sop");
    const asked = await factory.heldOutConversation!({ seed: 3, context: { task: "airport-check_in" } });
    expect(asked.context!.task).toBe("airport-check_in");
    expect(loadSopDomain("airport-check_in").world.test.map((d) => d.id)).toContain(asked.context!.dialogueId);
    expect(asked.turns.length).toBeGreaterThan(0);
    expect(String(asked.context!.goldNext)).toMatch(/^代理\./);
    expect(await factory.heldOutConversation!({ seed: 3, context: { task: "airport-check_in" } })).toEqual(asked);
  });

  it("says which task is missing", async () => {
    await expect(planner.plan({ turns: [] })).rejects.toThrow(/sgm needs context\.task/);
  });
});

describe("a proactive action off the SOP", () => {
  const conversation = worried;

  it("is found by SGM and out of CoT+SOP's reach", async () => {
    const domain = proactiveDomain();
    expect(domain.graph.hasNode(A("排忧解惑"))).toBe(false);
    const sgm = await new SopGuidedPlanner(() => domain).plan(conversation, { seed: 3 });
    expect(sgm.act).toBe(A("排忧解惑"));
    expect(sgm.candidates.find((c) => c.act === A("排忧解惑"))!.details).toMatchObject({ onSop: false, allowedBySop: false });
    const cotSop = await new SopCotPlanner("cot-sop", () => domain).plan(conversation);
    expect(cotSop.act).toBe(A("礼貌结束"));
    expect(cotSop.candidates.map((c) => c.act)).not.toContain(A("排忧解惑"));
    // Saying the success mark out of order earns nothing; after relieving the doubts and agreement it does.
    const nodes = domain.world.nodesOfTurns([]).concat([A("介绍活动"), U("担忧疑惑")]);
    expect(domain.world.earnsSuccess(nodes, A("告知成功"))).toBe(false);
    expect(domain.world.earnsSuccess([...nodes, A("排忧解惑"), U("明确同意")], A("告知成功"))).toBe(true);
  });
});

describe("SGM's offline action generator", () => {
  it("forms A(d) from M independent draws of the prior (Algorithm 1, line 14): fewer than M actions when the prior is sure", () => {
    const domain = proactiveDomain();
    const nodes = domain.world.nodesOfTurns([]).concat([A("介绍活动"), U("担忧疑惑")]);
    const seeds = 2000;
    let single = 0;
    const included = new Map<string, number>();
    let pool: readonly string[] = [];
    let prior: number[] = [];
    for (let seed = 0; seed < seeds; seed++) {
      const model = new SgmModel(domain.world, domain.graph, SGM_DEFAULTS, seed);
      pool = model.allowed(nodes);
      const state = model.root(nodes);
      const actions = model.actions(state) as readonly string[];
      expect(new Set(actions).size).toBe(actions.length);
      for (const a of actions) expect(pool).toContain(a);
      if (actions.length === 1) single++;
      for (const a of actions) included.set(a, (included.get(a) ?? 0) + 1);
      prior = model.prior(state, pool);
    }
    // the worried user: relieve doubts (off the SOP) or end politely (the SOP's step), 2 : 1 in the dialogues
    expect(pool).toEqual([A("礼貌结束"), A("排忧解惑")]);
    const total = prior.reduce((s, p) => s + p, 0);
    const p = prior.map((w) => w / total);
    const m = SGM_DEFAULTS.actions;
    // P(all M draws agree) = Σ p_a^M; P(a ∈ A(d)) = 1 − (1 − p_a)^M (without replacement both would be 0 and 1)
    expect(single / seeds).toBeCloseTo(p.reduce((s, q) => s + q ** m, 0), 1);
    pool.forEach((a, i) => expect((included.get(a) ?? 0) / seeds).toBeCloseTo(1 - (1 - p[i]!) ** m, 1));
  });
});

describe("the CoT baselines on an LLM", () => {
  const conversation = worried;

  it("send ChatSOP's prompt with the profiles (CoT+SOP with the SOP's actions to prioritise) and read the paper's answer", async () => {
    const domain = proactiveDomain();
    const chat = new ScriptedChatModel({ script: ["Analysis: the user worries, so 礼貌结束 would lose her.\nTherefore, the best agent action is: 排忧解惑"] });
    const decision = await new SopCotPlanner("cot-sop", () => domain, chat).plan(conversation, { seed: 2 });
    expect(decision.act).toBe(A("排忧解惑"));
    expect(decision.stats.counters).toEqual({});
    const request = chat.requests[0]!;
    expect(request).toMatchObject({ temperature: 0.1, topP: 0.1 });
    const prompt = request.messages.map((m) => m.content).join("\n");
    expect(prompt).toContain(`task_profile: {"agent_identity":"活动专员"`);
    expect(prompt).toContain("user_profile: {}");
    expect(prompt).toContain('please prioritize the following agent actions: "代理.礼貌结束"');
    expect(prompt).toContain("我有点担心。");
  });

  it("count an answer naming no offered action and fall back to the corpus choice", async () => {
    const domain = proactiveDomain();
    const chat = new ScriptedChatModel({ script: ["I am not sure."] });
    const decision = await new SopCotPlanner("cot", () => domain, chat).plan(conversation);
    expect(decision.stats.counters).toEqual({ unparsed: 1 });
    expect(decision.degraded!.reason).toMatch(/named none of the offered actions/);
    expect(domain.world.agentNodes).toContain(decision.act);
  });
});

describe("SGM on an LLM (a scripted OpenAI-compatible endpoint, through the openai client)", () => {
  const conversation = worried;
  let server: ScriptedOpenAiServer;
  beforeAll(async () => {
    // The answer formats real models give: the paper's, a bare label without its prefix, bold, a plain "Answer: 1", prose.
    server = await startScriptedOpenAiServer((request) => {
      const prompt = request.messages.map((m) => m.content).join("\n");
      const n = request.n ?? 1;
      if (prompt.includes("Optional Agent Actions")) {
        const offered = prompt.includes("排忧解惑") ? "排忧解惑" : "礼貌结束";
        const answers = [`Analysis: the user worries.\nTherefore, the best agent action is: **${offered}**`, "I cannot decide.", `I would go with 代理.${offered}.`];
        return { texts: Array.from({ length: n }, (_, i) => answers[i % answers.length]!) };
      }
      const act = /Agent action: (\S+)/.exec(prompt)?.[1] ?? "";
      const rational = act === A("排忧解惑") || act === A("告知成功") ? 1 : 0;
      const answers = [`Analysis: ...\nTherefore, the answer is: ${rational}`, `Answer: ${rational}`, "It depends."];
      return { texts: Array.from({ length: n }, (_, i) => answers[i % answers.length]!) };
    });
  });
  afterAll(async () => server.close());

  it("expands and judges with ChatSOP's prompts at the paper's decoding, reads real answer formats and counts the fallbacks", async () => {
    const chat = new OpenAIChatModel({ baseURL: server.baseURL, model: "scripted", apiKey: "none" });
    const decision = await new SopGuidedPlanner(() => proactiveDomain(), {}, chat).plan(conversation, { seed: 3 });
    expect(decision.act).toBe(A("排忧解惑"));
    const counters = decision.stats.counters!;
    expect(counters.requests).toBe(server.requests.length);
    expect(counters.expansionUnparsed).toBeGreaterThan(0);
    expect(counters.expansionFallback).toBeGreaterThan(0);
    expect(counters.judgeUnparsed).toBeGreaterThan(0);
    expect(counters.judgeFallback).toBe(0);
    expect(decision.stats.tokens).toBeGreaterThan(0);
    for (const request of server.requests) expect(request).toMatchObject({ temperature: 0.1, top_p: 0.1, max_tokens: 512 });
    const judge = server.requests.find((r) => r.messages.some((m) => m.content.includes("Therefore, the answer is: 1")))!;
    const prompt = judge.messages.map((m) => m.content).join("\n");
    expect(prompt).toContain(`task_profile: {"agent_identity":"活动专员"`);
    expect(prompt).toContain("user_profile: {}");
    expect(judge.n).toBe(SGM_DEFAULTS.judgeSamples);
    const expansion = server.requests.find((r) => r.messages.some((m) => m.content.includes("Optional Agent Actions")))!;
    expect(expansion.n).toBe(SGM_DEFAULTS.actions);
  });
});
