import { GDP_ZERO_PERSUADER_ACTS, type Turn } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { plannerFactory } from "../registry.js";
import type { Conversation } from "../types.js";
import { persuasionWorld } from "./factory.js";
import { GdpZeroPlanner } from "./planner.js";
import { offlineRoles, type GdpZeroRoles } from "./roles.js";

const opening: Conversation = {
  turns: [
    { speaker: "agent", text: "Hello! How are you today?", act: "greeting" },
    { speaker: "user", text: "I'm good, thanks. What is this about?" },
  ],
};

// The first test builds the P4G worlds (reaction models chosen by cross-validation, ~10 CPU-s); on a loaded CI
// machine that alone can pass the default 60 s, so this block allows 180 s (a bound against hangs, not a speed test).
describe("gdpzero on the offline P4G world", { timeout: 180_000 }, () => {
  it("plans a legal act with a reply, every act's visits/Q/prior, role calls and the stop reason", async () => {
    const factory = plannerFactory("gdpzero");
    const planner = await factory.create({ settings: { backend: "offline" } });
    const conversation = await factory.heldOutConversation!({ seed: 1 });
    expect(conversation.turns.at(-1)?.speaker).toBe("user");
    const decision = await planner.plan(conversation, { seed: 1, budget: { iterations: 12 } });
    expect(GDP_ZERO_PERSUADER_ACTS).toContain(decision.act);
    expect(decision.reply!.length).toBeGreaterThan(0);
    expect(decision.candidates).toHaveLength(7);
    expect(decision.candidates.reduce((s, c) => s + c.visits, 0)).toBe(12);
    expect(decision.candidates[0]!.act).toBe(decision.act);
    expect(decision.candidates.reduce((s, c) => s + c.prior, 0)).toBeCloseTo(1, 9);
    expect(decision.stats).toMatchObject({ simulations: 12, stopReason: "iterations" });
    // One value per new leaf (and the root), one system + one user call per generated realization.
    expect(decision.stats.roleCalls!.value).toBeGreaterThan(0);
    expect(decision.stats.roleCalls!.system).toBe(decision.stats.roleCalls!.user);
    expect(decision.stats.llmCalls).toBe(Object.values(decision.stats.roleCalls!).reduce((s, v) => s + v, 0));
  });

  it("gives the same decision for the same seed", async () => {
    const planner = await plannerFactory("gdpzero").create({ settings: { backend: "offline" } });
    const a = await planner.plan(opening, { seed: 7, budget: { iterations: 10 } });
    const b = await planner.plan(opening, { seed: 7, budget: { iterations: 10 } });
    expect(b.act).toBe(a.act);
    expect(b.reply).toBe(a.reply);
    expect(b.candidates).toEqual(a.candidates);
  });

  it("honours iteration, role-call, time and abort budgets", async () => {
    const planner = await plannerFactory("gdpzero").create({ settings: { backend: "offline" } });
    expect((await planner.plan(opening, { seed: 2, budget: { iterations: 3 } })).stats.simulations).toBe(3);
    const calls = await planner.plan(opening, { seed: 2, budget: { llmCalls: 25 } });
    expect(calls.stats.stopReason).toBe("llmCalls");
    // The search stops starting simulations once 25 calls are spent (the last one may finish a few calls over).
    expect(calls.stats.llmCalls).toBeGreaterThanOrEqual(25);
    expect(calls.stats.llmCalls).toBeLessThan(25 + 10);
    const timed = await planner.plan(opening, { seed: 2, budget: { timeMs: 150 }, settings: { latencyMs: 20 } });
    expect(timed.stats.stopReason).toBe("time");
    expect(GDP_ZERO_PERSUADER_ACTS).toContain(timed.act);
    const controller = new AbortController();
    controller.abort();
    expect((await planner.plan(opening, { seed: 2, budget: { iterations: 50, signal: controller.signal } })).stats.stopReason).toBe("aborted");
  });

  it("runs independent simulations' role calls in flight together when concurrency > 1", async () => {
    const planner = await plannerFactory("gdpzero").create({ settings: { backend: "offline" } });
    const sequential = await planner.plan(opening, { seed: 3, budget: { iterations: 8 }, settings: { latencyMs: 5 } });
    const parallel = await planner.plan(opening, { seed: 3, budget: { iterations: 8 }, settings: { latencyMs: 5, concurrency: 4 } });
    expect(sequential.stats.counters!.peakRoleCallsInFlight).toBe(1);
    expect(parallel.stats.counters!.peakRoleCallsInFlight).toBeGreaterThan(1);
    expect(parallel.stats.simulations).toBe(8);
  });

  it("with lockstep, decides the same with simulations in flight whatever order the role calls answer in", async () => {
    // The offline roles as an LLM would behave: each call is made (and draws from its generator) at once, its answer
    // comes after a delay drawn from `delaySeed`'s own generator.
    const jittery = (roles: GdpZeroRoles, delaySeed: number): GdpZeroRoles => {
      let jitter = delaySeed;
      const late = async <T>(answer: Promise<T>): Promise<T> => {
        jitter = (Math.imul(jitter, 1664525) + 1013904223) >>> 0;
        const wait = jitter % 5;
        const value = await answer;
        await new Promise((resolve) => setTimeout(resolve, wait));
        return value;
      };
      return {
        backend: roles.backend,
        prior: { prior: (history, options) => late(Promise.resolve(roles.prior.prior(history, options))) },
        value: { evaluate: (history, options) => late(Promise.resolve(roles.value.evaluate(history, options))) },
        system: { reply: (history, act, m, options) => late(Promise.resolve(roles.system.reply(history, act, m, options))) },
        user: { respond: (history, options) => late(Promise.resolve(roles.user.respond(history, options))) },
      };
    };
    const world = persuasionWorld();
    const decide = (delaySeed: number) =>
      new GdpZeroPlanner("gdpzero", "gdpzero", (seed) => ({ roles: jittery(offlineRoles(world, { seed }), delaySeed) })).plan(opening, {
        seed: 5,
        budget: { iterations: 16 },
        settings: { concurrency: 4, lockstep: true },
      });
    const reference = await decide(1);
    for (const delaySeed of [2, 3]) {
      const other = await decide(delaySeed);
      expect(other.act).toBe(reference.act);
      expect(other.reply).toBe(reference.reply);
      expect(other.candidates).toEqual(reference.candidates);
    }
  });

  it("response selection says the cached reply of the chosen act with the highest running value, and lists the cache", async () => {
    const planner = await plannerFactory("gdpzero").create({ settings: { backend: "offline" } });
    const decision = await planner.plan(opening, { seed: 5, budget: { iterations: 20 } });
    const details = decision.candidates.find((c) => c.act === decision.act)!.details as { cachedReplies: { text: string; value: number; visits: number }[]; selectedRealization: { value: number } };
    const visited = details.cachedReplies.filter((c) => c.visits > 0);
    expect(visited.length).toBeGreaterThan(0);
    expect(details.cachedReplies.length).toBeLessThanOrEqual(3);
    const best = Math.max(...visited.map((c) => c.value));
    expect(details.selectedRealization.value).toBe(best);
    expect(visited.filter((c) => c.value === best).map((c) => c.text)).toContain(decision.reply);
  });

  it("runs the ablations and the prompting baseline", async () => {
    const closed = await (await plannerFactory("gdpzero-closed-loop").create({ settings: { backend: "offline" } })).plan(opening, { seed: 4, budget: { iterations: 8 } });
    expect(GDP_ZERO_PERSUADER_ACTS).toContain(closed.act);
    const fresh = await (await plannerFactory("gdpzero-no-response-selection").create({ settings: { backend: "offline" } })).plan(opening, { seed: 4, budget: { iterations: 8 } });
    expect(fresh.candidates[0]!.details).toMatchObject({ responseSelection: false });
    const prompting = await (await plannerFactory("gdpzero-prompting").create({ settings: { backend: "offline" } })).plan(opening, { seed: 4 });
    expect(prompting.stats).toMatchObject({ simulations: 0, stopReason: "converged", roleCalls: { prior: 1, system: 1, value: 0, user: 0 } });
    expect(prompting.act).toBe(prompting.candidates[0]!.act);
  });

  it("reuses the subtree under the act said when observe reports the turns, and starts afresh otherwise", async () => {
    const planner = await plannerFactory("gdpzero").create({ settings: { backend: "offline", reuseTree: true } });
    const first = await planner.plan(opening, { seed: 5, budget: { iterations: 10 } });
    const said = [
      { speaker: "agent" as const, text: first.reply!, act: first.act! },
      { speaker: "user" as const, text: "I'm not sure, tell me more." },
    ];
    planner.observe!(said);
    const next: Conversation = { turns: [...opening.turns, ...said] };
    const reused = await planner.plan(next, { seed: 6, budget: { iterations: 10 } });
    const kept = reused.stats.counters!.reusedSimulations!;
    // The act said had some of the 10 first simulations; its subtree's visits carry over and 10 more are added.
    expect(kept).toBe(first.candidates.find((c) => c.act === first.act)!.visits - 1);
    expect(reused.stats.simulations).toBe(10);
    expect(reused.candidates.reduce((sum, c) => sum + c.visits, 0)).toBe(kept + 10);
    expect(next.turns.map((t) => t.text)).not.toContain(reused.reply);
    // Without observe (or for another conversation) the tree is not reused.
    const fresh = await planner.plan(next, { seed: 6, budget: { iterations: 10 } });
    expect(fresh.stats.counters!.reusedSimulations).toBeUndefined();
    expect(fresh.candidates.reduce((sum, c) => sum + c.visits, 0)).toBe(10);
    planner.observe!([said[1]!]);
    expect((await planner.plan(next, { seed: 6, budget: { iterations: 10 } })).stats.counters!.reusedSimulations).toBeUndefined();
  });

  it("rejects bad settings and conversations with one clear message", async () => {
    const planner = await plannerFactory("gdpzero").create({ settings: { backend: "offline" } });
    await expect(planner.plan(opening, { settings: { k: 0 } })).rejects.toThrow(/setting k must be a positive integer/);
    await expect(planner.plan({ turns: [{ speaker: "bot" as "agent", text: "hi" }] })).rejects.toThrow(/speaker "bot"/);
    await expect(plannerFactory("gdpzero").create({ settings: { backend: "offline", persuadee: "psychic" as never } })).rejects.toThrow(/persuadee must be one of words, memory, memoryless/);
    await expect(plannerFactory("gdpzero").create({ settings: { backend: "offline", valueSamples: -1 } })).rejects.toThrow(/setting valueSamples must be a non-negative integer, got -1/);
  });

  it("valueSamples sets the value role's l; offline, 0 is the exact expected value (no sampling noise in a leaf value)", async () => {
    const history: Turn[] = [
      { speaker: "system", text: opening.turns[0]!.text, state: { gdpZeroAct: "greeting" } },
      { speaker: "user", text: opening.turns[1]!.text },
    ];
    const world = persuasionWorld();
    const exact = offlineRoles(world, { seed: 1, valueSamples: 0 }).value;
    const sampled = offlineRoles(world, { seed: 1, valueSamples: 3 }).value;
    const [a, b] = [await exact.evaluate(history), await exact.evaluate(history)];
    expect(a.samples).toHaveLength(1);
    expect(b.value).toBe(a.value);
    expect((await sampled.evaluate(history)).samples).toHaveLength(3);
    const planner = await plannerFactory("gdpzero").create({ settings: { backend: "offline", valueSamples: 0 } });
    const decision = await planner.plan(opening, { seed: 3, budget: { iterations: 8 } });
    expect(GDP_ZERO_PERSUADER_ACTS).toContain(decision.act);
    expect(decision.candidates.filter((c) => c.visits > 0).every((c) => c.value !== null && c.value >= -1 && c.value <= 1)).toBe(true);
  });
});

/**
 * A hand-built persuadee: it donates only to a proposition that comes after a credibility appeal; a proposition
 * before one is refused, and a refusal is final. Its prior prefers proposing at once.
 */
function twoStepRoles(): GdpZeroRoles {
  const acts = (history: readonly Turn[]) => history.filter((t) => t.speaker === "system").map((t) => String(t.state?.gdpZeroAct ?? ""));
  const react = (history: readonly Turn[]): string => {
    const said = acts(history);
    const refused = history.some((t) => t.state?.reaction === "no donation");
    if (said.at(-1) !== "proposition of donation") return "neutral";
    if (refused) return "no donation";
    return said.slice(0, -1).includes("credibility appeal") ? "donate" : "no donation";
  };
  const values: Record<string, number> = { "no donation": -1, neutral: 0, donate: 1 };
  return {
    backend: "offline",
    prior: {
      prior: async (_history, options) => {
        const offered = (options?.acts ?? GDP_ZERO_PERSUADER_ACTS).map(String);
        return { acts: offered, probabilities: offered.map((a) => (a === "proposition of donation" ? 0.4 : 0.6 / (offered.length - 1))), method: "corpus", requests: 0, completions: 0, unparsed: 0, fallback: false };
      },
    },
    system: { reply: async (_history, act) => [{ text: `(${String(act)})`, act: String(act), fallback: false }] },
    user: {
      respond: async (history) => {
        const reaction = react(history);
        return { text: reaction, reaction, ended: false, fallback: false };
      },
    },
    value: {
      evaluate: async (history) => {
        const reaction = history.some((t) => t.state?.reaction === "donate") ? "donate" : react([...history, { speaker: "system", text: "", state: { gdpZeroAct: "proposition of donation" } }]);
        return { value: values[reaction]!, samples: [values[reaction]!], unparsed: 0, fallback: false };
      },
    },
  };
}

async function play(planner: GdpZeroPlanner, turnsToPlay: number): Promise<{ acts: string[]; reactions: string[] }> {
  const conversation: Conversation = { turns: [] };
  const user = twoStepRoles().user;
  const history: Turn[] = [];
  const acts: string[] = [];
  const reactions: string[] = [];
  for (let i = 0; i < turnsToPlay; i++) {
    const decision = await planner.plan(conversation, { seed: i, budget: { iterations: 30 } });
    acts.push(decision.act!);
    history.push({ speaker: "system", text: decision.reply!, state: { gdpZeroAct: decision.act } });
    const reply = await user.respond(history);
    history.push({ speaker: "user", text: reply.text, state: { reaction: reply.reaction } });
    reactions.push(reply.reaction!);
    conversation.turns.push({ speaker: "agent", text: decision.reply!, act: decision.act! }, { speaker: "user", text: reply.text, act: reply.reaction! });
  }
  return { acts, reactions };
}

describe("a persuadee that only a two-step strategy persuades", () => {
  it("GDP-Zero finds credibility appeal then proposition; prompting proposes at once and is refused", async () => {
    const gdp = await play(new GdpZeroPlanner("gdpzero", "gdpzero", () => ({ roles: twoStepRoles() })), 2);
    expect(gdp.acts).toEqual(["credibility appeal", "proposition of donation"]);
    expect(gdp.reactions.at(-1)).toBe("donate");
    const prompting = await play(new GdpZeroPlanner("gdpzero-prompting", "prompting", () => ({ roles: twoStepRoles() })), 2);
    expect(prompting.acts[0]).toBe("proposition of donation");
    expect(prompting.reactions).not.toContain("donate");
  });
});
