import { createRng } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { COOPERATIVE_AGENDA_PERSONA, LESS_COOPERATIVE_AGENDA_PERSONA } from "../multiwoz/persona.js";
import { fitSgdValueModel, referenceSgdPolicy, SGD_VALUE_POLICIES, simulateSgdDialogue } from "./value.js";
import { groundedSgdBundles, initialSgdState, loadSgdWorld, offerNameSlot, sgdOfferedEntity, sgdTask, SgdUser, applySgdUserTurn, type SgdGoal, type SgdService, type SgdTask, type SgdWorld } from "./world.js";

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

  it("leaves no held-out goal out of reach: the reference policy completes every one with the cooperative user", () => {
    const failed = world.goals.filter((goal) => goal.split === "test").filter((goal, i) => !simulateSgdDialogue(world, goal, COOPERATIVE_AGENDA_PERSONA, referenceSgdPolicy, i).success);
    expect(failed.map((goal) => goal.id)).toEqual([]);
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

  it("names the entity it offers: every offer of every service identifies exactly the entity the state records", () => {
    for (const task of world.tasks.values()) {
      task.entities.forEach((entity, i) => {
        const known = Object.fromEntries(task.search.requiredSlots.map((slot) => [slot, entity[slot]!]));
        const rejected = task.entities.map((_, j) => j).filter((j) => j !== i);
        const offer = groundedSgdBundles(task, { ...initialSgdState(), known, rejected }).find((b) => b.type === "OFFER")!;
        expect(offer.entity).toBe(i);
        expect(offer.acts).toContainEqual({ act: "OFFER", slot: task.nameSlot, value: entity[task.nameSlot] });
        expect(sgdOfferedEntity(task, offer.acts)).toBe(i);
      });
    }
  });

  it("fits V(h, a) on train services that ranks held-out services' outcomes above the trivial predictor", () => {
    const value = fitSgdValueModel(world);
    expect(value.heldOut.auc).toBeGreaterThan(0.75);
    expect(value.heldOut.brier).toBeLessThan(value.heldOut.constantBrier);
  });
});

/**
 * A hand-built Homes service: two homes in area A that the first search slot cannot tell apart (entity 0 without
 * laundry, entity 1 with it), a visit to book by property name.
 */
function handBuiltTask(): SgdTask {
  const slot = (name: string, possibleValues: string[] = []) => ({ name, description: name, isCategorical: possibleValues.length > 0, possibleValues });
  const search = { name: "FindHome", description: "", isTransactional: false, requiredSlots: ["area"], optionalSlots: { in_unit_laundry: "dontcare" }, resultSlots: ["area", "property_name", "in_unit_laundry", "price"] };
  const transact = { name: "ScheduleVisit", description: "", isTransactional: true, requiredSlots: ["property_name", "visit_date"], optionalSlots: {}, resultSlots: [] };
  const service: SgdService = { serviceName: "Homes_hand", description: "", splits: ["test"], slots: [slot("area"), slot("in_unit_laundry", ["True", "False"]), slot("property_name"), slot("price"), slot("visit_date")], intents: [search, transact] };
  const entities = [
    { area: "A", in_unit_laundry: "False", property_name: "Oak House", price: "$1,000" },
    { area: "A", in_unit_laundry: "True", property_name: "Elm House", price: "$2,000" },
  ];
  return { service, search, transact, entities, nameSlot: offerNameSlot(search, entities) };
}

describe("the SGD world's offers name one entity (hand-built service)", () => {
  const task = handBuiltTask();
  const rng = createRng(1);

  it("the user checks its constraints against the entity offered, not the first one with the shown search values", () => {
    expect(task.nameSlot).toBe("property_name");
    const goal: SgdGoal = { id: "Homes_hand-0", service: "Homes_hand", split: "test", constraints: { area: "A", in_unit_laundry: "True" }, requests: ["price"], book: { property_name: "Elm House", visit_date: "Monday" } };
    const told = [{ act: "INFORM", slot: "area", value: "A" }, { act: "INFORM", slot: "in_unit_laundry", value: "True" }];
    const offer = groundedSgdBundles(task, applySgdUserTurn(initialSgdState(), told, task)).find((b) => b.type === "OFFER")!;
    // Entity 0 shares the area with the home on offer; the offer names entity 1, and the user takes it.
    expect(offer.entity).toBe(1);
    expect(offer.acts).toContainEqual({ act: "OFFER", slot: "property_name", value: "Elm House" });
    const user = SgdUser.create(goal, task, COOPERATIVE_AGENDA_PERSONA);
    const reply = user.respond(offer.acts, rng);
    expect(reply).toContainEqual({ act: "SELECT", slot: "" });
    expect(reply).toContainEqual({ act: "REQUEST", slot: "price" });
    expect(reply.map((a) => a.act)).not.toContain("REQUEST_ALTS");
    // The reference policy completes the goal: the price and the booking are those of the entity on offer.
    const handWorld: SgdWorld = { tasks: new Map([[task.service.serviceName, task]]), goals: [goal], prior: world.prior };
    for (let seed = 0; seed < 5; seed++) expect(simulateSgdDialogue(handWorld, goal, COOPERATIVE_AGENDA_PERSONA, referenceSgdPolicy, seed).success).toBe(true);
  });

  it("books the entity the user selected, even when its goal was drawn from another entity that meets the constraints", () => {
    // The goal was drawn from entity 1 (its property name), but only the area constrains it: entity 0 is offered first.
    const goal: SgdGoal = { id: "Homes_hand-1", service: "Homes_hand", split: "test", constraints: { area: "A" }, requests: [], book: { property_name: "Elm House", visit_date: "Monday" } };
    const user = SgdUser.create(goal, task, COOPERATIVE_AGENDA_PERSONA);
    const offer = groundedSgdBundles(task, applySgdUserTurn(initialSgdState(), [{ act: "INFORM", slot: "area", value: "A" }], task)).find((b) => b.type === "OFFER")!;
    expect(offer.entity).toBe(0);
    expect(user.respond(offer.acts, rng)).toContainEqual({ act: "SELECT", slot: "" });
    const confirm = user.respond([{ act: "CONFIRM", slot: "property_name", value: "Oak House" }, { act: "CONFIRM", slot: "visit_date", value: "Monday" }], rng);
    expect(confirm).toContainEqual({ act: "AFFIRM", slot: "" });
    expect(confirm.map((a) => a.act)).not.toContain("NEGATE");
    // A wrong date is still refused, with the user's own.
    const wrongDate = SgdUser.create(goal, task, COOPERATIVE_AGENDA_PERSONA);
    wrongDate.respond(offer.acts, rng);
    expect(wrongDate.respond([{ act: "CONFIRM", slot: "property_name", value: "Oak House" }, { act: "CONFIRM", slot: "visit_date", value: "Friday" }], rng)).toEqual(expect.arrayContaining([{ act: "NEGATE", slot: "" }, { act: "INFORM", slot: "visit_date", value: "Monday" }]));
  });

  it("refuses a service whose result slots cannot tell its entities apart, naming the intent", () => {
    const same = task.entities.map((e) => ({ ...e, property_name: "Same House", price: "$1" }));
    expect(() => offerNameSlot(task.search, same)).toThrow(/SGD intent "FindHome": no result slot tells its entities apart/);
  });
});
