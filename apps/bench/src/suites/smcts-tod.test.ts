import { agendaPersona } from "@foresight/llm-sim";
import { plannerFactory, playSgdEpisode, sgdWorld, todWorld } from "@foresight/planners";
import { describe, expect, it } from "vitest";
import { smctsTodSuite } from "./smcts-tod.js";
import type { Scale } from "./types.js";

// Plays the offline MultiWOZ world from ../shared/data and the committed value model (both fail loudly when absent).
describe("the smcts-tod bench suite", () => {
  it("enumerates held-out goals × personas × matched/mismatched worlds, deterministically", () => {
    const specs = smctsTodSuite.episodes("quick", 1);
    expect(smctsTodSuite.episodes("quick", 1)).toEqual(specs);
    const test = new Set(todWorld().goals.filter((g) => g.split === "test").map((g) => g.id));
    const sgdTest = new Set(sgdWorld().goals.filter((g) => g.split === "test").map((g) => g.id));
    for (const spec of specs) expect((spec.world.startsWith("sgd:") ? sgdTest : test).has(spec.unit)).toBe(true);
    const worlds = ["cooperative/matched", "cooperative/mismatched", "less-cooperative/matched", "less-cooperative/mismatched"];
    expect(new Set(specs.map((s) => s.world))).toEqual(new Set([...worlds, ...worlds.map((w) => `sgd:${w}`)]));
    // The SGD worlds play SMCTS-TOD, prior-only and the two baselines.
    expect(new Set(specs.filter((s) => s.world.startsWith("sgd:")).map((s) => s.planner))).toEqual(new Set(["smcts-tod", "smcts-tod-prior-only", "smcts-tod-prompting", "smcts-tod-greedy-v"]));
    for (const world of ["cooperative/mismatched", "less-cooperative/mismatched"]) {
      expect(new Set(specs.filter((s) => s.world === world).map((s) => s.planner))).toEqual(new Set(smctsTodSuite.comparisons.flatMap((c) => [c.a, c.b])));
    }
    const full = smctsTodSuite.episodes("full", 1);
    expect(full.length).toBeGreaterThan(specs.length);
    // full-sgd (a scale of this suite beyond quick and full) is exactly the full scale's SGD episodes.
    expect(smctsTodSuite.episodes("full-sgd" as Scale, 1)).toEqual(full.filter((s) => s.world.startsWith("sgd:")));
    expect(() => smctsTodSuite.episodes("huge" as Scale, 1)).toThrow(/unknown scale "huge" \(quick, full, full-sgd, paper\)/);
    // paper: S = 64, the main planners on every held-out goal, no ablations (they stay at the full scale).
    const paper = smctsTodSuite.episodes("paper" as Scale, 1);
    expect(new Set(paper.map((s) => s.setting.simulations))).toEqual(new Set([64]));
    const unitsOf = (planner: string, sgd: boolean) => new Set(paper.filter((s) => s.planner === planner && s.world.startsWith("sgd:") === sgd).map((s) => s.unit));
    expect(unitsOf("smcts-tod", false)).toEqual(test);
    expect(unitsOf("smcts-tod-prompting", true)).toEqual(sgdTest);
    expect(new Set(paper.map((s) => s.planner))).toEqual(new Set(["smcts-tod", "smcts-tod-prompting", "smcts-tod-prior-only", "smcts-tod-greedy-v"]));
    // Every comparison names planners the suite plays.
    const planners = new Set(specs.map((s) => s.planner));
    for (const c of smctsTodSuite.comparisons) expect(planners.has(c.a) && planners.has(c.b)).toBe(true);
  });

  it("plays one episode and reports Inform, Success, Book, Combined, diversity and costs per turn", async () => {
    const spec = smctsTodSuite.episodes("quick", 1).find((s) => s.planner === "smcts-tod-prompting" && s.world === "less-cooperative/mismatched")!;
    const outcome = await smctsTodSuite.run(spec, {});
    for (const key of ["inform", "success", "book", "combined", "uni", "tri", "cbe"]) expect(outcome.metrics).toHaveProperty([key]);
    const { inform, success, book, combined } = outcome.metrics as Record<string, number>;
    expect(combined).toBeCloseTo(0.5 * inform! + 0.25 * (success! + book!), 9);
    expect(outcome.costs.llmCalls).toBeGreaterThan(0);
    expect(outcome.metrics.tokensPerTurn).toBeCloseTo(outcome.costs.tokens! / outcome.metrics.turns!, 6);
    expect(outcome.transcript!.length).toBeGreaterThan(1);
  });

  it("plays an SGD episode of a held-out service with the same metrics", async () => {
    const spec = smctsTodSuite.episodes("quick", 1).find((s) => s.planner === "smcts-tod" && s.world === "sgd:less-cooperative/mismatched")!;
    const outcome = await smctsTodSuite.run(spec, {});
    const { inform, success, book, combined } = outcome.metrics as Record<string, number>;
    expect(combined).toBeCloseTo(0.5 * inform! + 0.25 * (success! + book!), 9);
    expect(outcome.costs.simulations).toBeGreaterThan(0);
    expect(outcome.costs.llmCalls).toBeGreaterThan(0);
  });

  it("plays an SGD row with the registry's planner on the episode path MultiWOZ uses: the same episode as playSgdEpisode with it", async () => {
    for (const name of ["smcts-tod", "smcts-tod-greedy-v"]) {
      const spec = smctsTodSuite.episodes("quick", 1).find((s) => s.planner === name && s.world === "sgd:less-cooperative/mismatched")!;
      const outcome = await smctsTodSuite.run(spec, {});
      const world = sgdWorld();
      const goal = world.goals.find((g) => g.id === spec.unit)!;
      const planner = await plannerFactory(name).create();
      const episode = await playSgdEpisode({ world, goal, judgePersona: agendaPersona("less-cooperative"), planner, planningPersona: "cooperative", seed: spec.seed, planOptions: { budget: { iterations: Number(spec.setting.simulations) } } });
      expect(outcome.transcript).toEqual(episode.dialogue);
      expect(outcome.metrics.success).toBe(episode.success ? 1 : 0);
      expect(outcome.costs.tokens).toBe(episode.turns.reduce((sum, turn) => sum + turn.tokens, 0));
      expect(outcome.costs.simulations).toBe(episode.turns.reduce((sum, turn) => sum + turn.decision.stats.simulations, 0));
    }
  });
});
