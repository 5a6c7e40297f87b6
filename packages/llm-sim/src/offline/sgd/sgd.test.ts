import { createRng } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { COOPERATIVE_AGENDA_PERSONA, LESS_COOPERATIVE_AGENDA_PERSONA } from "../multiwoz/persona.js";
import { fitSgdValueModel, referenceSgdPolicy, SGD_VALUE_POLICIES, simulateSgdDialogue } from "./value.js";
import { groundedSgdBundles, initialSgdState, loadSgdWorld, sgdTask, SgdUser, applySgdUserTurn } from "./world.js";

// Reads ../shared/data/sgd (fails loudly when it is absent).
const world = loadSgdWorld();

describe("the offline SGD world", () => {
  it("builds tasks from the schemas with schema-consistent entities and goals over a service's slots", () => {
    const test = world.goals.filter((goal) => goal.split === "test");
    const train = world.goals.filter((goal) => goal.split === "train");
    expect(train.length).toBeGreaterThan(100);
    expect(test.length).toBeGreaterThan(50);
    // Held-out goals are on services the train schema does not list.
    const trainServices = new Set(train.map((goal) => goal.service));
    for (const goal of test) expect(trainServices.has(goal.service)).toBe(false);
    for (const goal of world.goals) {
      const task = sgdTask(world, goal);
      const slots = new Set(task.service.slots.map((slot) => slot.name));
      for (const entity of task.entities) {
        for (const [slot, value] of Object.entries(entity)) {
          expect(slots.has(slot)).toBe(true);
          const schema = task.service.slots.find((s) => s.name === slot)!;
          if (schema.isCategorical && schema.possibleValues.length > 0) expect(schema.possibleValues).toContain(value);
        }
      }
      // Every search slot the intent requires is constrained, and some entity satisfies the goal's constraints.
      for (const slot of task.search.requiredSlots) expect(goal.constraints).toHaveProperty([slot]);
      expect(task.entities.some((e) => Object.entries(goal.constraints).every(([slot, value]) => e[slot] === value))).toBe(true);
      for (const slot of goal.requests) expect(task.search.resultSlots).toContain(slot);
      if (goal.book) expect(Object.keys(goal.book).sort()).toEqual([...task.transact!.requiredSlots].sort());
    }
  });

  it("grounds only acts the state allows: no offer before the required slots, no booking before a confirmation", () => {
    const goal = world.goals.find((g) => g.book && sgdTask(world, g).search.requiredSlots.length > 0)!;
    const task = sgdTask(world, goal);
    const types = groundedSgdBundles(task, initialSgdState()).map((b) => b.type);
    expect(types).toEqual(["REQUEST", "REQ_MORE", "GOODBYE"]);
    const known = applySgdUserTurn(initialSgdState(), Object.entries(goal.constraints).map(([slot, value]) => ({ act: "INFORM", slot, value })), task);
    const offered = groundedSgdBundles(task, known).find((b) => b.type === "OFFER")!;
    expect(Object.entries(goal.constraints).every(([slot, value]) => task.entities[offered.entity!]![slot] === value)).toBe(true);
    expect(groundedSgdBundles(task, known).map((b) => b.type)).not.toContain("NOTIFY_SUCCESS");
  });

  it("is reproducible, and the reference policy beats noisy ones, which beat uniform (both personas)", () => {
    const goals = world.goals.filter((goal) => goal.split === "test").slice(0, 40);
    const rate = (policy: (typeof SGD_VALUE_POLICIES)[number], persona = COOPERATIVE_AGENDA_PERSONA) => goals.filter((goal, i) => simulateSgdDialogue(world, goal, persona, policy.policy, i).success).length / goals.length;
    expect(simulateSgdDialogue(world, goals[0]!, COOPERATIVE_AGENDA_PERSONA, referenceSgdPolicy, 3)).toEqual(simulateSgdDialogue(world, goals[0]!, COOPERATIVE_AGENDA_PERSONA, referenceSgdPolicy, 3));
    const [reference, eps3, eps6, uniform] = SGD_VALUE_POLICIES.map((policy) => rate(policy));
    expect(reference).toBeGreaterThan(0.8);
    expect(reference).toBeGreaterThan(eps3!);
    expect(eps3).toBeGreaterThan(uniform!);
    expect(eps6).toBeGreaterThan(uniform!);
    expect(rate(SGD_VALUE_POLICIES[0]!, LESS_COOPERATIVE_AGENDA_PERSONA)).toBeLessThan(reference!);
  });

  it("the user answers what it is asked, and gives up when the system makes no progress", () => {
    const goal = world.goals.find((g) => g.split === "test")!;
    const task = sgdTask(world, goal);
    const rng = createRng(1);
    const user = SgdUser.create(goal, task, LESS_COOPERATIVE_AGENDA_PERSONA);
    user.open(rng);
    const slot = task.search.requiredSlots[0]!;
    expect(user.respond([{ act: "REQUEST", slot }], rng)).toContainEqual({ act: "INFORM", slot, value: goal.constraints[slot] });
    for (let i = 0; i < LESS_COOPERATIVE_AGENDA_PERSONA.patience && !user.ended; i++) user.respond([{ act: "REQ_MORE", slot: "" }], rng);
    expect(user.ended).toBe(true);
    expect(user.endReason).toBe("user-terminated");
  });

  it("fits V(h, a) on train services that ranks held-out services' outcomes above the trivial predictor", () => {
    const value = fitSgdValueModel(world);
    expect(value.heldOut.auc).toBeGreaterThan(0.75);
    expect(value.heldOut.brier).toBeLessThan(value.heldOut.constantBrier);
  });
});
