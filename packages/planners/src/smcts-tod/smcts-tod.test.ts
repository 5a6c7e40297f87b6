import { createRng, type Turn } from "@foresight/dialogue";
import { AgendaUser, COOPERATIVE_AGENDA_PERSONA } from "@foresight/llm-sim";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { plannerFactory } from "../registry.js";
import { PlannerInputError, type Conversation, type Decision, type Planner } from "../types.js";
import { decisionReplyActs, playTodEpisode, todConversation } from "./episode.js";
import { searchTargets } from "./flywheel.js";
import { heldOutTodConversation } from "./index.js";
import { SmctsTodPlanner } from "./factories.js";
import { setupTodPlanning, SMCTS_TOD_DEFAULTS } from "./planner.js";
import { todWorld } from "./resources.js";

// These tests play the offline MultiWOZ world from ../shared/data and the committed value model in models/; both
// fail loudly (CorpusError / ModelLoadError naming the missing file) when absent.
let conversation: Conversation;
let smcts: Planner;
beforeAll(async () => {
  conversation = await heldOutTodConversation({ seed: 1 });
  smcts = await plannerFactory("smcts-tod").create();
});

const withoutWall = (decision: Decision) => ({ ...decision, stats: { ...decision.stats, wallMs: 0 } });

describe("SMCTS-TOD on held-out MultiWOZ goals", () => {
  it("plans a legal act: one the database grounds at this turn, with a reply that realises it", async () => {
    const decision = await smcts.plan(conversation, { seed: 1, budget: { iterations: 16 } });
    const { root, env } = setupTodPlanning("smcts-tod", conversation, SMCTS_TOD_DEFAULTS, 1, {});
    const legal = env.actTypes(root);
    expect(legal).toContain(decision.act);
    const acts = decisionReplyActs(decision);
    const key = (list: readonly { domain?: string; intent: string; slot?: string; value?: string }[]) => list.map((a) => `${a.domain}|${a.intent}|${a.slot}|${a.value}`).join(" ");
    const grounded = root.context.bundles.filter((bundle) => bundle.type === decision.act).map((bundle) => key(bundle.acts));
    expect(grounded).toContain(key(acts));
    expect(decision.reply).toMatch(/\w/);
    expect(decision.candidates[0]!.act).toBe(decision.act);
    expect(decision.candidates.reduce((sum, c) => sum + c.prior, 0)).toBeCloseTo(1, 6);
    expect(decision.stats.simulations).toBe(16);
    expect(decision.stats.roleCalls).toMatchObject({ prior: expect.any(Number), value: expect.any(Number), system: expect.any(Number), user: expect.any(Number) });
  });

  it("gives the same decision for the same seed", async () => {
    const a = await smcts.plan(conversation, { seed: 7, budget: { iterations: 12 } });
    const b = await smcts.plan(conversation, { seed: 7, budget: { iterations: 12 } });
    expect(withoutWall(a)).toEqual(withoutWall(b));
  });

  it("honours iteration, LLM-call, token, time and abort budgets", async () => {
    const iterations = await smcts.plan(conversation, { seed: 2, budget: { iterations: 5 } });
    expect(iterations.stats).toMatchObject({ simulations: 5, stopReason: "iterations" });
    const calls = await smcts.plan(conversation, { seed: 2, budget: { iterations: 10_000, llmCalls: 60 } });
    expect(calls.stats.stopReason).toBe("llmCalls");
    // One simulation costs at most depth × K × 2 role calls plus its priors, so the overshoot is bounded.
    expect(calls.stats.llmCalls).toBeGreaterThanOrEqual(60);
    expect(calls.stats.llmCalls).toBeLessThan(60 + SMCTS_TOD_DEFAULTS.depth * (2 * SMCTS_TOD_DEFAULTS.bestOfK + 1) + 2);
    const tokens = await smcts.plan(conversation, { seed: 2, budget: { iterations: 10_000, tokens: 20_000 } });
    expect(tokens.stats.stopReason).toBe("tokens");
    expect(tokens.stats.simulations).toBeLessThan(10_000);
    const time = await smcts.plan(conversation, { seed: 2, budget: { timeMs: 20 } });
    expect(time.stats.stopReason).toBe("time");
    // On a clock that advances 1 ms per read, whatever the machine's load: some simulations fit, then it ends.
    let t = 0;
    const clock = vi.spyOn(performance, "now").mockImplementation(() => ++t);
    try {
      const stepped = await smcts.plan(conversation, { seed: 2, budget: { timeMs: 50 } });
      expect(stepped.stats.stopReason).toBe("time");
      expect(stepped.stats.simulations).toBeGreaterThan(0);
    } finally {
      clock.mockRestore();
    }
    const aborted = new AbortController();
    aborted.abort();
    const stopped = await smcts.plan(conversation, { seed: 2, budget: { iterations: 100, signal: aborted.signal } });
    expect(stopped.stats.stopReason).toBe("aborted");
    expect(stopped.act).toBeDefined();
  });

  it("rejects conversations and settings it cannot plan with a clear error naming the field", async () => {
    await expect(smcts.plan({ turns: conversation.turns, context: {} })).rejects.toThrow(PlannerInputError);
    await expect(smcts.plan({ turns: conversation.turns, context: {} })).rejects.toThrow(/conversation\.context\.goalId/);
    await expect(smcts.plan({ ...conversation, context: { ...conversation.context, goalId: "NOPE123" } })).rejects.toThrow(/no MultiWOZ goal/);
    await expect(smcts.plan({ ...conversation, context: { goalId: (conversation.context as { goalId: string }).goalId } })).rejects.toThrow(/turnActs/);
    await expect(smcts.plan(conversation, { settings: { lambda: 2 } })).rejects.toThrow(/setting "lambda" must be in \[0, 1\]/);
    await expect(smcts.plan(conversation, { settings: { loop: "half" } })).rejects.toThrow(/setting "loop"/);
  });

  it("registers the planner, its ablations and baselines, each planning a legal act on a held-out goal", async () => {
    const { root, env } = setupTodPlanning("smcts-tod", conversation, SMCTS_TOD_DEFAULTS, 1, {});
    const legal = env.actTypes(root);
    for (const name of ["smcts-tod-closed-loop", "smcts-tod-prior-only", "smcts-tod-no-best-of-k", "smcts-tod-prompt-value", "smcts-tod-prompting", "smcts-tod-greedy-v"]) {
      const factory = plannerFactory(name);
      expect(factory.domain).toBe("tod");
      const planner = await factory.create();
      const decision = await planner.plan(conversation, { seed: 3, budget: { iterations: 6 } });
      expect(legal, name).toContain(decision.act);
      expect(decisionReplyActs(decision).length).toBeGreaterThan(0);
    }
    const prompting = await (await plannerFactory("smcts-tod-prompting").create()).plan(conversation, { seed: 3 });
    const prior = todWorld().prior.labelProbabilities(root.state, legal);
    expect(prompting.act).toBe(legal[prior.indexOf(Math.max(...prior))]);
  });

  it("reads (h, a, Q) flywheel targets from every well-visited node of the search tree", async () => {
    const targets: ReturnType<typeof searchTargets> = [];
    const planner = new SmctsTodPlanner("smcts-tod", SMCTS_TOD_DEFAULTS, {}, (search) => targets.push(...searchTargets(search)));
    const decision = await planner.plan(conversation, { seed: 4, budget: { iterations: 24 } });
    const rootVisited = decision.candidates.filter((c) => c.visits > 0).length;
    expect(targets.length).toBeGreaterThan(rootVisited);
    for (const t of targets) expect(t.q >= 0 && t.q <= 1).toBe(true);
    // The root's tuples carry the root edges' Q.
    const qs = new Set(targets.map((t) => t.q.toFixed(9)));
    for (const c of decision.candidates.filter((x) => x.visits > 0)) expect(qs.has(c.value!.toFixed(9))).toBe(true);
  });

  it("plans on, flagged as degraded, when the planning model's user has given up but the real one has not", async () => {
    const world = todWorld();
    const goal = world.goals.find((g) => g.id === (conversation.context as { goalId: string }).goalId)!;
    const real = AgendaUser.create(goal.goal, COOPERATIVE_AGENDA_PERSONA, world.userActCounts);
    const rng = createRng(1);
    const reqmore = [{ domain: "general", intent: "reqmore" }];
    const turns: Turn[] = [{ speaker: "user", text: "u0", acts: real.next(rng) }];
    for (let i = 1; i <= 3; i++) turns.push({ speaker: "system", text: `s${i}`, acts: reqmore }, { speaker: "user", text: `u${i}`, acts: real.respond(reqmore, rng) });
    expect(real.ended).toBe(false);
    const decision = await smcts.plan(todConversation(goal.id, turns, "less-cooperative"), { seed: 1, budget: { iterations: 8 } });
    expect(decision.degraded?.reason).toMatch(/planning model's user has already given up/);
    expect(decision.act).toBeDefined();
  });

  it("plays a whole held-out episode against the judge world and scores it", async () => {
    const world = todWorld();
    const goal = world.goals.find((g) => g.id === (conversation.context as { goalId: string }).goalId)!;
    const episode = await playTodEpisode({ world, goal, judgePersona: COOPERATIVE_AGENDA_PERSONA, planner: smcts, planningPersona: "cooperative", seed: 1, planOptions: { budget: { iterations: 8 } } });
    expect(episode.turns.length).toBeGreaterThan(1);
    expect(episode.dialogue[0]!.speaker).toBe("user");
    expect(typeof episode.success).toBe("boolean");
    for (const turn of episode.turns) expect(turn.llmCalls).toBeGreaterThan(0);
  });
});
