import { agendaPersona, groundedSgdBundles, sgdActionValues, initialSgdState, applySgdUserTurn, sgdTask, SgdUser } from "@foresight/llm-sim";
import { describe, expect, it } from "vitest";
import { SMCTS_TOD_DEFAULTS, smctsSearch } from "./planner.js";
import { plannerFactory } from "../registry.js";
import { PlannerInputError } from "../types.js";
import { playSgdEpisode, sgdPlanning, sgdResources, sgdSmctsDomain, sgdWorld, SGD_PLANNERS, type SgdHistory } from "./sgd.js";
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

  it("plays whole episodes for every planner, reproducibly; search completes goals that prompting does not", () => {
    const cooperative = agendaPersona("cooperative");
    const play = (planner: (typeof SGD_PLANNERS)[number], goal = goals[0]!) => playSgdEpisode({ resources, goal, judgePersona: cooperative, planningPersona: cooperative, planner, simulations: 8, seed: 1 });
    const withoutTime = (episode: ReturnType<typeof play>) => ({ ...episode, turns: episode.turns.map(({ wallMs: _wallMs, ...turn }) => turn) });
    expect(withoutTime(play("smcts-tod"))).toEqual(withoutTime(play("smcts-tod")));
    for (const planner of SGD_PLANNERS) {
      const episode = play(planner);
      expect(episode.turns.length).toBeGreaterThan(0);
      expect(episode.dialogue[0]!.speaker).toBe("user");
      expect(episode.inform).toBeGreaterThanOrEqual(0);
    }
    const successes = (planner: (typeof SGD_PLANNERS)[number]) => goals.slice(0, 6).filter((goal) => play(planner, goal).success).length;
    expect(successes("smcts-tod")).toBeGreaterThan(successes("smcts-tod-prompting"));
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
