import { agendaPersona, groundedSgdBundles, sgdActionValues, initialSgdState, applySgdUserTurn, sgdTask, SgdUser } from "@foresight/llm-sim";
import { describe, expect, it } from "vitest";
import { SMCTS_TOD_DEFAULTS, smctsSearch } from "./planner.js";
import { plannerFactory } from "../registry.js";
import { PlannerInputError, type Conversation, type Decision, type PlanOptions, type Planner } from "../types.js";
import { playSgdEpisode } from "./episode.js";
import { sgdPlanning, sgdResources, sgdSmctsDomain, sgdWorld, type SgdHistory } from "./sgd.js";
import { emptyTodCosts } from "./environment.js";

// Reads ../shared/data/sgd (fails loudly when it is absent).
const resources = sgdResources();
const goals = resources.world.goals.filter((goal) => goal.split === "test");

describe("SMCTS-TOD on the SGD world", () => {
  it("searches the grounded act types of a held-out service and charges its role calls", () => {
    const goal = goals[0]!;
    const task = sgdTask(resources.world, goal);
    const costs = emptyTodCosts();
    const domain = sgdSmctsDomain(resources.world, task, resources.value, costs);
    const user = SgdUser.create(goal, task, agendaPersona("cooperative"));
    const root: SgdHistory = { state: applySgdUserTurn(initialSgdState(), [{ act: "INFORM_INTENT", slot: "intent", value: task.search.name }], task), user, ended: false, complete: false, rootTokens: 10 };
    const run = (seed: number) => smctsSearch(domain, root, { ...SMCTS_TOD_DEFAULTS }, seed, { iterations: 16 });
    const { result, best } = run(1);
    expect(groundedSgdBundles(task, root.state).map((b) => b.type)).toContain(result.action);
    expect(result.iterations).toBe(16);
    expect(best(result.action)?.reply?.bundle.type).toBe(result.action);
    expect(costs.roleCalls.system).toBeGreaterThan(0);
    expect(costs.roleCalls.user).toBeGreaterThan(0);
    expect(run(1).result.actions.map((a) => [a.action, a.visits, a.q])).toEqual(result.actions.map((a) => [a.action, a.visits, a.q]));
  });

  it("computes V(h, a) once per history: the mixed prior and V̄ of a node share the value model's batch", () => {
    const goal = goals[1]!;
    const task = sgdTask(resources.world, goal);
    const costs = emptyTodCosts();
    const domain = sgdSmctsDomain(resources.world, task, resources.value, costs);
    const asked: SgdHistory[] = [];
    const counted = { ...domain, actionValues: (history: SgdHistory, acts: readonly string[]) => (asked.push(history), domain.actionValues(history, acts as never)) };
    const root: SgdHistory = { state: applySgdUserTurn(initialSgdState(), [{ act: "INFORM_INTENT", slot: "intent", value: task.search.name }], task), user: SgdUser.create(goal, task, agendaPersona("cooperative")), ended: false, complete: false, rootTokens: 0 };
    smctsSearch(counted, root, { ...SMCTS_TOD_DEFAULTS }, 3, { iterations: 16 });
    const distinct = new Set(asked).size;
    expect(asked.length).toBeGreaterThan(distinct); // the search asks again for histories it has valued
    // An open-loop node asks a realization's prior over the node's acts, and V̄ over its own: both in ≤ 2 batches.
    expect(costs.modelCalls).toBeGreaterThanOrEqual(distinct);
    expect(costs.modelCalls).toBeLessThan(asked.length);
    expect(costs.roleCalls.value).toBe(costs.modelCalls);
    const acts = domain.actions(root);
    const calls = costs.modelCalls;
    expect(domain.actionValues(root, acts)).toEqual(sgdActionValues(resources.value, task, root.state, acts));
    expect(costs.modelCalls).toBe(calls); // the root was valued during the search
  });

  const SGD_PLANNERS = ["smcts-tod", "smcts-tod-prior-only", "smcts-tod-prompting", "smcts-tod-greedy-v"] as const;
  const withoutTime = (decision: Decision) => ({ ...decision, stats: { ...decision.stats, wallMs: 0 } });

  it("plays whole episodes with the registry's planners, reproducibly; search completes goals that prompting does not", async () => {
    const cooperative = agendaPersona("cooperative");
    const play = async (name: (typeof SGD_PLANNERS)[number], goal = goals[0]!) =>
      playSgdEpisode({ world: resources.world, goal, judgePersona: cooperative, planner: await plannerFactory(name).create(), planningPersona: "cooperative", seed: 1, planOptions: { budget: { iterations: 8 } } });
    const timeless = (episode: Awaited<ReturnType<typeof play>>) => ({ ...episode, turns: episode.turns.map((turn) => ({ ...turn, wallMs: 0, decision: withoutTime(turn.decision) })) });
    expect(timeless(await play("smcts-tod"))).toEqual(timeless(await play("smcts-tod")));
    for (const name of SGD_PLANNERS) {
      const episode = await play(name);
      expect(episode.turns.length).toBeGreaterThan(0);
      expect(episode.dialogue[0]!.speaker).toBe("user");
      expect(episode.inform).toBeGreaterThanOrEqual(0);
    }
    const successes = async (name: (typeof SGD_PLANNERS)[number]) => {
      let count = 0;
      for (const goal of goals.slice(0, 6)) if ((await play(name, goal)).success) count += 1;
      return count;
    };
    expect(await successes("smcts-tod")).toBeGreaterThan(await successes("smcts-tod-prompting"));
  });

  it("an episode's system turns are the planner's decisions: a fresh planner given the same conversation and seed decides the same", async () => {
    const lessCooperative = agendaPersona("less-cooperative");
    for (const name of ["smcts-tod", "smcts-tod-greedy-v"] as const) {
      const inner = await plannerFactory(name).create();
      const calls: { conversation: Conversation; options: PlanOptions; decision: Decision }[] = [];
      const recording: Planner = { name, plan: async (conversation, options = {}) => {
        const decision = await inner.plan(conversation, options);
        calls.push({ conversation: structuredClone(conversation), options, decision });
        return decision;
      } };
      const episode = await playSgdEpisode({ world: resources.world, goal: goals[2]!, judgePersona: lessCooperative, planner: recording, planningPersona: "cooperative", seed: 4, planOptions: { budget: { iterations: 8 } } });
      expect(calls.length).toBe(episode.turns.length);
      expect(new Set(calls.map((call) => call.options.seed)).size).toBe(calls.length); // a seed per turn
      const fresh = await plannerFactory(name).create();
      for (const [i, call] of calls.entries()) {
        expect(episode.turns[i]!.decision).toBe(call.decision);
        expect(episode.dialogue.filter((turn) => turn.speaker === "system")[i]).toMatchObject({ text: call.decision.reply, act: call.decision.act });
        // The planner plans with the planning persona, not the judge's.
        expect(call.conversation.context).toMatchObject({ world: "sgd", persona: "cooperative" });
        expect(withoutTime(await fresh.plan(call.conversation, call.options))).toEqual(withoutTime(call.decision));
      }
    }
  });

  it("plans a held-out SGD conversation through the registry: a grounded act, the same decision for the same seed", async () => {
    const factory = plannerFactory("smcts-tod");
    const conversation = await factory.heldOutConversation!({ seed: 1, context: { world: "sgd" } });
    expect(conversation.context).toMatchObject({ world: "sgd", persona: "cooperative" });
    const goal = sgdWorld().goals.find((g) => g.id === conversation.context!.goalId)!;
    expect(goal.split).toBe("test");
    const planner = await factory.create();
    const decision = await planner.plan(conversation, { seed: 3, budget: { iterations: 12 } });
    const { root, domain } = sgdPlanning("smcts-tod", conversation, SMCTS_TOD_DEFAULTS, undefined);
    expect(domain.actions(root)).toContain(decision.act);
    expect(decision.stats).toMatchObject({ simulations: 12, stopReason: "iterations" });
    expect(decision.candidates[0]).toMatchObject({ act: decision.act, text: decision.reply });
    expect((decision.candidates[0]!.details!.realizations as unknown[]).length).toBeGreaterThan(0);
    const again = await planner.plan(conversation, { seed: 3, budget: { iterations: 12 } });
    expect({ ...again, stats: { ...again.stats, wallMs: 0 } }).toEqual({ ...decision, stats: { ...decision.stats, wallMs: 0 } });
    const prompting = await (await plannerFactory("smcts-tod-prompting").create()).plan(conversation, { seed: 3 });
    expect(domain.actions(root)).toContain(prompting.act);
    expect(prompting.stats.modelCalls).toBe(0);
  });

  it("names what is wrong with an SGD conversation or setting", async () => {
    const planner = await plannerFactory("smcts-tod").create();
    const conversation = await plannerFactory("smcts-tod").heldOutConversation!({ seed: 2, context: { world: "sgd" } });
    await expect(planner.plan({ ...conversation, context: { ...conversation.context, goalId: "nope" } })).rejects.toThrow(/no SGD goal "nope"/);
    await expect(planner.plan({ ...conversation, context: { ...conversation.context, turnActs: [] } })).rejects.toThrow(/turnActs must give the acts of each of the \d+ turns/);
    await expect(planner.plan(conversation, { settings: { valueModel: "seed" } })).rejects.toThrow(PlannerInputError);
    const turnActs = conversation.context!.turnActs as unknown[];
    const agentLast = { turns: [...conversation.turns, { speaker: "agent" as const, text: "Bye!", act: "GOODBYE" }], context: { ...conversation.context, turnActs: [...turnActs, []] } };
    await expect(planner.plan(agentLast)).rejects.toThrow(/starts and ends with a user turn/);
    const ungrounded = { ...conversation, context: { ...conversation.context, turnActs: turnActs.map((acts, i) => (i === 1 ? [{ act: "OFFER", slot: "nothing", value: "x" }] : acts)) } };
    expect(conversation.turns.length).toBeGreaterThan(1);
    await expect(planner.plan(ungrounded)).rejects.toThrow(/turn 1 \(\w+\) is not a system turn the SGD task grounds there/);
    await expect(plannerFactory("smcts-tod").heldOutConversation!({ seed: 1, context: { world: "atlantis" } })).rejects.toThrow(/unknown TOD world "atlantis"/);
  });
});
