import { DialogueSchema, beliefStateOf, createRng, normalizeMultiWozValue, type Dialogue } from "@foresight/dialogue";
import { beforeAll, describe, expect, it } from "vitest";
import { COOPERATIVE_AGENDA_PERSONA, LESS_COOPERATIVE_AGENDA_PERSONA } from "./persona.js";
import { MULTIWOZ_POLICY_NAMES, multiWozPolicyByName, type MultiWozSystemPolicy } from "./policies.js";
import { MULTIWOZ_SYSTEM_ACT_TYPES } from "./candidates.js";
import { multiWozInventoryViolations, multiWozUserActCount } from "./inventory.js";
import { observeMultiWozSystemTurns } from "./prior.js";
import { MULTIWOZ_MAX_TURNS, simulateMultiWozDialogue } from "./simulate.js";
import { goalDomainOf, goalSlotOf } from "./slots.js";
import { loadMultiWozWorld, multiWozWorldGoal, type MultiWozWorld } from "./world.js";

// These tests need the real corpus in the shared data folder; loadMultiWozWorld throws a CorpusError naming the
// missing folder when it is absent.
let world: MultiWozWorld;
beforeAll(() => {
  world = loadMultiWozWorld();
});

const heldOut = () => world.goals.filter((goal) => goal.split !== "train");

function simulateMany(count: number, policy: (typeof MULTIWOZ_POLICY_NAMES)[number], persona = COOPERATIVE_AGENDA_PERSONA, goals = heldOut()) {
  return goals.slice(0, count).map((goal, index) =>
    simulateMultiWozDialogue({ world, goal: goal.goal, goalId: goal.id, seed: 1000 + index, persona, policy: multiWozPolicyByName(policy, world.prior), policyName: policy }),
  );
}

const ONTOLOGY_SLOT: Record<string, string> = { pricerange: "price range", leaveAt: "leave at", arriveBy: "arrive by", day: "day" };

describe("the offline MultiWOZ world", () => {
  it("splits the 999 validation goals 80/10/10 with the project's deduplicated split", () => {
    expect(world.goals).toHaveLength(999);
    const train = world.goals.filter((goal) => goal.split === "train").length;
    expect(train / world.goals.length).toBeGreaterThan(0.75);
    expect(train / world.goals.length).toBeLessThan(0.85);
  });

  it("emits only acts the MultiWOZ act/slot inventory defines, with ontology values for the user's constraints", () => {
    let checkedValues = 0;
    const badValues: string[] = [];
    const violations: string[] = [];
    for (const policy of MULTIWOZ_POLICY_NAMES) {
      for (const persona of [COOPERATIVE_AGENDA_PERSONA, LESS_COOPERATIVE_AGENDA_PERSONA]) {
        for (const { dialogue } of simulateMany(40, policy, persona)) {
          for (const turn of dialogue.turns) {
            violations.push(...multiWozInventoryViolations(world.inventory, turn.speaker, turn.acts ?? []));
            if (turn.speaker !== "user") continue;
            for (const act of turn.acts ?? []) {
              const domain = goalDomainOf(act.domain);
              const slot = domain && act.slot ? goalSlotOf(domain, act.slot) : undefined;
              if (!domain || !slot || act.intent !== "Inform" || act.value === undefined || act.value === "dontcare") continue;
              if (["name", "people", "stay", "time"].includes(slot)) continue;
              const key = `${domain}-${(domain === "hotel" || domain === "restaurant") && slot === "day" ? "book day" : (ONTOLOGY_SLOT[slot] ?? slot)}`;
              const values = world.ontology[key];
              expect(values, `ontology entry ${key}`).toBeDefined();
              checkedValues += 1;
              const known = values!.some((value) => normalizeMultiWozValue(slot, value) === normalizeMultiWozValue(slot, act.value!));
              const isVenue = domain === "taxi" && world.db.domains.some((table) => ["hotel", "restaurant", "attraction"].includes(table) && world.db.query(table, { name: act.value! }).length > 0);
              if (!known && !isVenue) badValues.push(`${key}=${act.value}`);
            }
          }
        }
      }
    }
    expect(violations).toEqual([]);
    expect(checkedValues).toBeGreaterThan(500);
    expect(badValues).toEqual([]);
  });

  it("gives the same dialogue for the same seed and different ones for different seeds", () => {
    const goal = multiWozWorldGoal(world, "PMUL1635");
    const run = (seed: number) => simulateMultiWozDialogue({ world, goal: goal.goal, goalId: goal.id, seed, persona: LESS_COOPERATIVE_AGENDA_PERSONA }).dialogue;
    expect(run(7)).toEqual(run(7));
    const texts = new Set([1, 2, 3, 4, 5].map((seed) => run(seed).turns.map((turn) => turn.text).join("\n")));
    expect(texts.size).toBeGreaterThan(1);
  });

  it("outputs Dialogue objects with goals, acts and corpus-shaped belief states", () => {
    const [result] = simulateMany(1, "correct");
    const dialogue: Dialogue = DialogueSchema.parse(result!.dialogue);
    expect(dialogue.domain).toBe("multiwoz");
    expect(dialogue.turns[0]!.speaker).toBe("user");
    const systemTurns = dialogue.turns.filter((turn) => turn.speaker === "system");
    expect(systemTurns.length).toBeGreaterThan(0);
    for (const turn of systemTurns) expect(beliefStateOf(turn)).toBeDefined();
    expect(dialogue.goal).toEqual(heldOut()[0]!.goal);
  });

  it("lets the cooperative user complete at least 99 % of the goals of every split against the reference policy", () => {
    for (const split of ["train", "dev", "test"] as const) {
      const goals = world.goals.filter((goal) => goal.split === split);
      expect(goals.length).toBeGreaterThan(0);
      const runs = goals.map((goal, index) => simulateMultiWozDialogue({ world, goal: goal.goal, goalId: goal.id, seed: index }));
      const rate = runs.filter((run) => run.outcome.goalComplete).length / runs.length;
      expect(rate, `completion on ${split}`).toBeGreaterThanOrEqual(0.99);
    }
  });

  it("lets the user complete its goals against the correct system and fail against one that never books", () => {
    const cooperative = simulateMany(100, "correct");
    const rate = cooperative.filter((run) => run.outcome.goalComplete).length / cooperative.length;
    expect(rate).toBeGreaterThanOrEqual(0.9);
    for (const run of cooperative.filter((one) => one.outcome.goalComplete)) expect(run.outcome.endReason).toBe("goal-complete");
    const lessCooperative = simulateMany(100, "correct", LESS_COOPERATIVE_AGENDA_PERSONA);
    expect(lessCooperative.filter((run) => run.outcome.goalComplete).length / 100).toBeGreaterThanOrEqual(0.8);

    const withBooking = heldOut().filter((goal) => Object.values(goal.goal.domains).some((part) => part.book && Object.keys(part.book).length > 0));
    for (const persona of [COOPERATIVE_AGENDA_PERSONA, LESS_COOPERATIVE_AGENDA_PERSONA]) {
      const runs = simulateMany(60, "never-book", persona, withBooking);
      expect(runs.length).toBe(60);
      for (const run of runs) {
        expect(run.outcome.goalComplete).toBe(false);
        expect(run.outcome.bookings).toEqual([]);
        expect(["user-terminated", "turn-limit"]).toContain(run.outcome.endReason);
      }
    }
  });

  it("makes the less-cooperative user give up sooner than the cooperative one when nothing progresses", () => {
    const withBooking = heldOut().filter((goal) => Object.values(goal.goal.domains).some((part) => part.book && Object.keys(part.book).length > 0));
    const mean = (persona = COOPERATIVE_AGENDA_PERSONA) => simulateMany(60, "never-book", persona, withBooking).reduce((sum, run) => sum + run.outcome.exchanges, 0) / 60;
    expect(mean(LESS_COOPERATIVE_AGENDA_PERSONA)).toBeLessThan(mean(COOPERATIVE_AGENDA_PERSONA));
  });

  it("never exceeds the turn limit, and stops exactly there when nothing else ends the dialogue", () => {
    for (const run of simulateMany(30, "prior")) {
      expect(run.outcome.exchanges).toBeLessThanOrEqual(MULTIWOZ_MAX_TURNS);
      if (run.outcome.endReason === "turn-limit") expect(run.outcome.exchanges).toBe(MULTIWOZ_MAX_TURNS);
    }
    const goal = heldOut()[0]!;
    const short = simulateMultiWozDialogue({ world, goal: goal.goal, seed: 1, maxTurns: 2 });
    expect(short.outcome).toMatchObject({ endReason: "turn-limit", exchanges: 2 });
    expect(short.dialogue.turns).toHaveLength(4);
    // A user that never loses patience facing a system that only ever asks "anything else?" runs to the default limit.
    const endless = { ...COOPERATIVE_AGENDA_PERSONA, patience: Number.POSITIVE_INFINITY };
    const reqmoreOnly: MultiWozSystemPolicy = (_state, context) => context.bundles.find((bundle) => bundle.type === "reqmore")!;
    const long = simulateMultiWozDialogue({ world, goal: goal.goal, seed: 1, persona: endless, policy: reqmoreOnly });
    expect(long.outcome).toMatchObject({ endReason: "turn-limit", exchanges: 15, goalComplete: false });
    expect(() => simulateMultiWozDialogue({ world, goal: goal.goal, seed: 1, maxTurns: 0 })).toThrow(/maxTurns must be a positive integer/);
  });
});

describe("distributions against the corpus they were fitted on", () => {
  // Tolerance: 0.02 absolute per act type for the prior (the smoothing moves little mass); total variation 0.12 for
  // the user's acts per turn (the agenda truncates large draws when a domain has few constraints left).
  it("samples system act types with the corpus frequencies (within 0.02 per type)", () => {
    const rng = createRng(11);
    const keys = world.prior.keys();
    const totalUses = keys.reduce((sum, key) => sum + key.uses, 0);
    const counts = new Map<string, number>();
    const draws = 40_000;
    for (let i = 0; i < draws; i++) {
      let u = rng.next() * totalUses;
      const key = keys.find((entry) => (u -= entry.uses) < 0) ?? keys[keys.length - 1]!;
      const distribution = world.prior.distributionForKey(key.key);
      let v = rng.next();
      const type = MULTIWOZ_SYSTEM_ACT_TYPES.find((candidate) => (v -= distribution[candidate]) < 0) ?? "bye";
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
    const corpus = world.prior.corpusFrequencies();
    for (const type of MULTIWOZ_SYSTEM_ACT_TYPES) expect(Math.abs((counts.get(type) ?? 0) / draws - corpus[type]), type).toBeLessThan(0.02);
    expect(corpus.Inform).toBeGreaterThan(corpus.NoBook);
  });

  it("predicts held-out corpus system turns better than a uniform prior", async () => {
    const { loadMultiWoz } = await import("@foresight/dialogue");
    const ids = heldOut().map((goal) => goal.id);
    const observations = observeMultiWozSystemTurns(loadMultiWoz({ ids }), world.db);
    let logLikelihood = 0;
    let uses = 0;
    for (const { key, types } of observations) {
      const distribution = world.prior.distributionForKey(key);
      for (const type of types) {
        logLikelihood += Math.log(distribution[type]);
        uses += 1;
      }
    }
    expect(uses).toBeGreaterThan(500);
    expect(logLikelihood / uses).toBeGreaterThan(Math.log(1 / MULTIWOZ_SYSTEM_ACT_TYPES.length) + 0.5);
  });

  it("gives the user as many acts per opening turn as the corpus users (total variation below 0.12)", () => {
    const histogram = new Array<number>(world.userActCounts.length).fill(0);
    const goals = world.goals.slice(0, 300);
    goals.forEach((goal, index) => {
      const { dialogue } = simulateMultiWozDialogue({ world, goal: goal.goal, seed: 5000 + index, maxTurns: 1 });
      const count = multiWozUserActCount(dialogue.turns[0]!.acts ?? []);
      histogram[Math.min(count, histogram.length) - 1]! += 1;
    });
    const tv = histogram.reduce((sum, count, i) => sum + Math.abs(count / goals.length - world.userActCounts[i]!), 0) / 2;
    expect(tv).toBeLessThan(0.12);
  });
});
