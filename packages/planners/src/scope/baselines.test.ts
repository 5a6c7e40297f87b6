import { describe, expect, it } from "vitest";
import { chatGreedy0Factory, chatGreedy1Factory, chatRandomFactory, chatVanillaMctsFactory, createChatVanillaMcts, OPEN_CHAT_REPLY_ACT, type ChatTextRoles } from "./baselines.js";
import { heldOutChatConversation } from "./chat.js";
import { PAPER_LATENCY_MS } from "./latency.js";

const candidates = ["Yes.", "I went hiking with my brother in the mountains last weekend, it was great.", "Why do you ask?", "Maybe later, I am busy now.", "Sure, what time?"];
const conversation = { turns: [{ speaker: "user" as const, text: "What did you do last weekend?" }] };

describe("SCOPE's baselines", () => {
  it("random and 0-step greedy choose among the candidates; 0-step greedy takes the longest in tokens", async () => {
    const random = await (await chatRandomFactory.create()).plan(conversation, { candidates, seed: 4 });
    expect(candidates).toContain(random.reply);
    const again = await (await chatRandomFactory.create()).plan(conversation, { candidates, seed: 4 });
    expect(again.reply).toBe(random.reply);
    const greedy = await (await chatGreedy0Factory.create()).plan(conversation, { candidates, seed: 4 });
    expect(greedy.reply).toBe(candidates[1]);
    expect(greedy.stats.llmCalls).toBe(0);
  });

  it("1-step greedy simulates 5 human replies per candidate, and charges the paper's latency against the budget", async () => {
    const planner = await chatGreedy1Factory.create();
    const full = await planner.plan(conversation, { candidates, seed: 1 });
    expect(full.stats.simulations).toBe(25);
    expect(full.candidates.every((c) => c.visits === 5 && c.value !== null)).toBe(true);
    expect(full.candidates[0]!.value).toBe(Math.max(...full.candidates.map((c) => c.value as number)));
    // Room for 3 charged rollouts plus up to 2.4 s of wall time (a loaded machine), never for a 4th.
    const charged = await planner.plan(conversation, { candidates, seed: 1, budget: { timeMs: 4 * PAPER_LATENCY_MS.greedyRollout - 1 }, settings: { chargeLatency: true } });
    expect(charged.stats.simulations).toBe(3);
    expect(charged.stats.stopReason).toBe("time");
    expect(charged.stats.wallMs).toBeGreaterThanOrEqual(3 * PAPER_LATENCY_MS.greedyRollout);
    // On the charged clock only the charged latency counts: the same count, whatever the wall time.
    const onlyCharged = await planner.plan(conversation, { candidates, seed: 1, budget: { timeMs: 3 * PAPER_LATENCY_MS.greedyRollout }, settings: { chargeLatency: true, clock: "charged" } });
    expect(onlyCharged.stats.simulations).toBe(3);
    await expect(planner.plan(conversation, { candidates, settings: { clock: "sundial" as never } })).rejects.toThrow(/setting "clock" must be "wall" or "charged"/);
    const none = await planner.plan(conversation, { candidates, seed: 1, budget: { timeMs: 1000 }, settings: { chargeLatency: true } });
    expect(none.degraded?.reason).toMatch(/no simulated reply/);
    expect(candidates).toContain(none.reply);
  });

  it("vanilla MCTS searches over text with LLM-role calls and honours iteration budgets; a budget below one rollout falls back", async () => {
    const planner = await chatVanillaMctsFactory.create({ settings: { depth: 2 } });
    const a = await planner.plan(conversation, { candidates, seed: 3, budget: { iterations: 20 } });
    const b = await planner.plan(conversation, { candidates, seed: 3, budget: { iterations: 20 } });
    expect(a.stats.simulations).toBe(20);
    expect(a.stats.llmCalls).toBeGreaterThan(20);
    expect(candidates).toContain(a.reply);
    expect(b.reply).toBe(a.reply);
    const small = await planner.plan(conversation, { candidates, seed: 3, budget: { timeMs: 1000 }, settings: { chargeLatency: true } });
    expect(small.degraded?.reason).toMatch(/no rollout/);
    expect(small.stats.simulations).toBe(0);
  });

  it("vanilla MCTS simulates with given (live) roles, asynchronously; on the charged clock it pays the paper's latency as offline", async () => {
    // A human who talks at length only after "Why do you ask?", and a system role that always proposes two replies.
    const asked: string[] = [];
    const roles: ChatTextRoles = {
      system: { reply: async (_history, act, m) => (asked.push(typeof act === "string" ? act : act.label), ["Okay.", "Really?"].slice(0, m).map((text) => ({ text, act: "reply", fallback: false }))) },
      user: { respond: async (history) => ({ text: history.at(-1)?.text === "Why do you ask?" ? "Because I want to tell you all about my long and eventful weekend away." : "Fine.", ended: false, fallback: false }) },
    };
    const planner = createChatVanillaMcts(roles, { depth: 2 });
    const decision = await planner.plan(conversation, { candidates, seed: 3, budget: { iterations: 40, timeMs: 1000 } });
    expect(decision.reply).toBe("Why do you ask?");
    expect(decision.stats.simulations).toBe(40);
    expect(decision.stats.llmCalls).toBeGreaterThan(40);
    expect(decision.stats.counters?.chargedLatencyMs).toBe(0);
    expect(asked.length).toBeGreaterThan(0);
    expect(new Set(asked)).toEqual(new Set([OPEN_CHAT_REPLY_ACT.label]));
    // Charged: the paper's latency per call is the budget, so the search is the same however fast the roles answer
    // (a live run then replays from its response cache); a full depth-2 rollout (4 calls) must fit before it starts.
    const slow: ChatTextRoles = {
      system: { reply: async (history, act, m) => (await new Promise((r) => setTimeout(r, 3)), roles.system.reply(history, act, m)) },
      user: { respond: async (history) => (await new Promise((r) => setTimeout(r, 3)), roles.user.respond(history)) },
    };
    const budget = { timeMs: 6 * 4 * PAPER_LATENCY_MS.mctsCall };
    const fast = await createChatVanillaMcts(roles, { depth: 2, chargeLatency: true, clock: "charged" }).plan(conversation, { candidates, seed: 3, budget });
    const paced = await createChatVanillaMcts(slow, { depth: 2, chargeLatency: true, clock: "charged" }).plan(conversation, { candidates, seed: 3, budget });
    expect(fast.stats.simulations).toBeGreaterThanOrEqual(6);
    expect(fast.stats.counters?.chargedLatencyMs).toBeGreaterThan(0);
    expect(fast.stats.counters?.chargedLatencyMs).toBeLessThanOrEqual(budget.timeMs);
    expect(paced.stats.simulations).toBe(fast.stats.simulations);
    expect(paced.candidates).toEqual(fast.candidates);
  });

  it("offers held-out conversations that end with the human, from the test part of the split", async () => {
    const conv = await heldOutChatConversation({ seed: 5 });
    expect(conv.turns.length).toBeGreaterThan(0);
    expect(conv.turns[conv.turns.length - 1]!.speaker).toBe("user");
    expect(conv.context?.corpus).toBe("dailydialog");
    const generated = await (await chatGreedy0Factory.create()).plan(conv, { seed: 2 });
    expect(generated.candidates).toHaveLength(5);
  });
});
