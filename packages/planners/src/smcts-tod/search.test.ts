import type { Rng } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { oneStepAct } from "./baselines.js";
import { SMCTS_TOD_DEFAULTS, smctsSearch, type SmctsDomain, type SmctsTodSettings } from "./planner.js";
import { mixedPrior, softmaxWithTemperature, stateValue, valuesPerHistory } from "./value.js";

describe("SMCTS-TOD's formulas against hand computations", () => {
  it("V̄(h) = Σ softmax(V/τ_eval)·V (Eq. 10–11)", () => {
    // softmax([0.2, 0.8] / 0.5) = e^0.4, e^1.6 normalised = 0.2314752, 0.7685248.
    expect(softmaxWithTemperature([0.2, 0.8], 0.5)[0]).toBeCloseTo(0.2314752, 6);
    expect(stateValue([0.2, 0.8], 0.5)).toBeCloseTo(0.2314752 * 0.2 + 0.7685248 * 0.8, 6);
    // τ_eval → 0 approaches max_a V; large τ_eval the mean.
    expect(stateValue([0.2, 0.8], 0.001)).toBeCloseTo(0.8, 6);
    expect(stateValue([0.2, 0.8], 1e6)).toBeCloseTo(0.5, 4);
    expect(stateValue([], 0.5)).toBe(0);
  });

  it("P = λ·P_θ + (1 − λ)·softmax(V/τ_v) (Eq. 13–14)", () => {
    // softmax([0.2, 0.8] / 0.25) = e^0.8, e^3.2 normalised = 0.0831727, 0.9168273.
    const p = mixedPrior([0.7, 0.3], [0.2, 0.8], 0.5, 0.25);
    expect(p[0]).toBeCloseTo(0.5 * 0.7 + 0.5 * 0.0831727, 6);
    expect(p[1]).toBeCloseTo(0.5 * 0.3 + 0.5 * 0.9168273, 6);
    expect(mixedPrior([0.7, 0.3], [0.2, 0.8], 1, 0.25)).toEqual([0.7, 0.3]);
    expect(() => mixedPrior([1], [0.5], 1.5, 0.25)).toThrow(/lambda/);
  });
});

/** A node of the hand-built TOD worlds below. */
interface Hand {
  name: string;
  parent?: Hand;
  act?: string;
  ended: boolean;
  success: boolean;
  /** V(h, a) for every act (an uninformative 0.5 unless a test sets it). */
  v: number;
}

function node(name: string, parent: Hand | undefined, act: string | undefined, ended = false, success = false, v = 0.5): Hand {
  return { name, ...(parent ? { parent } : {}), ...(act ? { act } : {}), ended, success, v };
}

/**
 * The user's request is ambiguous. Answering at once (what the prior prefers, 0.8) makes the user leave unserved;
 * asking to clarify (0.2) and then answering serves the user; clarifying twice makes the user leave. The value
 * model is uninformative (0.5 everywhere), so only search past the first act reveals the successful path.
 */
const clarifyWorld: SmctsDomain<Hand, string> = {
  actions: () => ["answer", "clarify"],
  basePrior: () => [0.8, 0.2],
  actionValues: (h, acts) => acts.map(() => h.v),
  step: (h, act) => {
    if (h.name === "root") return act === "answer" ? node("answered-blind", h, act, true, false) : node("clarified", h, act);
    return act === "answer" ? node("served", h, act, true, true) : node("asked-twice", h, act, true, false);
  },
  ended: (h) => h.ended,
  verdict: (h) => (h.success ? 1 : 0),
  parent: (h) => h.parent,
  actOf: (h) => h.act,
};

describe("V(h, a) per history and act", () => {
  it("computes each act of a history once, in one batch of the acts not known yet", () => {
    const batches: string[][] = [];
    const values = valuesPerHistory((h: { base: number }, acts: readonly string[]) => (batches.push([...acts]), acts.map((act) => h.base + act.length)));
    const h = { base: 0.5 };
    expect(values(h, ["ab", "a"])).toEqual([2.5, 1.5]);
    expect(values(h, ["a", "abc"])).toEqual([1.5, 3.5]);
    expect(values(h, ["abc", "ab", "a"])).toEqual([3.5, 2.5, 1.5]);
    expect(values({ base: 0 }, ["a"])).toEqual([1]);
    expect(batches).toEqual([["ab", "a"], ["abc"], ["a"]]);
  });
});

describe("SMCTS-TOD's search on a hand-built TOD world", () => {
  const settings: SmctsTodSettings = { ...SMCTS_TOD_DEFAULTS };

  it("finds the act that only pays off after the next one; prompting (the prior's argmax) does not", () => {
    const root = node("root", undefined, undefined);
    expect(oneStepAct(clarifyWorld, root, "prior")).toBe("answer");
    for (const seed of [1, 2, 3]) {
      const { result, best } = smctsSearch(clarifyWorld, root, settings, seed, { iterations: 64 });
      expect(result.action).toBe("clarify");
      const answer = result.actions.find((a) => a.action === "answer")!;
      const clarify = result.actions.find((a) => a.action === "clarify")!;
      expect(answer.q).toBe(0);
      expect(clarify.q).toBeGreaterThan(0.5);
      expect(best("clarify")?.name).toBe("clarified");
    }
  });

  it("is reproducible: the same seed gives the same statistics", () => {
    const run = (seed: number) => smctsSearch(clarifyWorld, node("root", undefined, undefined), settings, seed, { iterations: 40 }).result.actions.map((a) => [a.action, a.visits, a.q]);
    expect(run(5)).toEqual(run(5));
  });

  it("honours the iteration budget and a caller's exhausted() check", () => {
    const root = node("root", undefined, undefined);
    expect(smctsSearch(clarifyWorld, root, settings, 1, { iterations: 7 }).result.iterations).toBe(7);
    let calls = 0;
    const counting: SmctsDomain<Hand, string> = { ...clarifyWorld, step: (h, a, rng) => (calls++, clarifyWorld.step(h, a, rng)) };
    const { result } = smctsSearch(counting, root, settings, 1, { iterations: 1000, exhausted: () => calls >= 10 });
    expect(result.stopReason).toBe("custom");
    expect(result.iterations).toBeLessThan(1000);
  });
});

describe("best-of-K expansion and reply selection against hand computations", () => {
  /** Every step draws a realization whose V (hence V̄) is a fresh uniform number, and records it. */
  function noisyWorld(generated: Hand[]): SmctsDomain<Hand, string> {
    let count = 0;
    return {
      actions: () => ["go"],
      basePrior: () => [1],
      actionValues: (h, acts) => acts.map(() => h.v),
      step: (h: Hand, act: string, rng: Rng) => {
        const next = node(`r${count++}`, h, act, false, false, rng.next());
        if (h.name === "root") generated.push(next);
        return next;
      },
      ended: () => false,
      verdict: () => 0,
      parent: (h) => h.parent,
      actOf: (h) => h.act,
    };
  }

  it("keeps the candidate with the highest V̄ of K (Eq. 24–25) and replies with the cached realization of highest V̄ (Eq. 27)", () => {
    for (const K of [1, 4]) {
      const generated: Hand[] = [];
      const { result, atRoot, best } = smctsSearch(noisyWorld(generated), node("root", undefined, undefined), { ...SMCTS_TOD_DEFAULTS, bestOfK: K, depth: 1 }, 3, { iterations: 1 });
      expect(generated).toHaveLength(K);
      // Each candidate's score is its V̄ (one act, so V̄ = V).
      const scored = atRoot.get("go")!;
      expect(scored.map((s) => s.vbar).sort()).toEqual(generated.map((h) => stateValue([h.v], SMCTS_TOD_DEFAULTS.tauEval)).sort());
      const top = generated.reduce((a, b) => (b.v > a.v ? b : a));
      // The engine kept the best of the K candidates (Eq. 24–25), and the reply is the cached one of highest V̄ (Eq. 27).
      expect(result.realization?.state).toBe(top);
      expect(best("go")).toBe(top);
    }
    const generated: Hand[] = [];
    const { best } = smctsSearch(noisyWorld(generated), node("root", undefined, undefined), { ...SMCTS_TOD_DEFAULTS, bestOfK: 4, depth: 1 }, 3, { iterations: 12 });
    expect(generated.length).toBeGreaterThan(4);
    expect(best("go")!.v).toBe(Math.max(...generated.map((h) => h.v)));
  });
});

describe("the discounted return and the leaf rollout against hand computations", () => {
  /** A chain: every act moves one step on; the dialogue ends with success at step `length`; V(h, a) = 0.4 everywhere. */
  function chainWorld(length: number): SmctsDomain<Hand, string> {
    return {
      actions: () => ["go"],
      basePrior: () => [1],
      actionValues: (h, acts) => acts.map(() => h.v),
      step: (h: Hand, act: string) => {
        const depth = Number(h.name) + 1;
        return node(String(depth), h, act, depth >= length, depth >= length, 0.4);
      },
      ended: (h) => h.ended,
      verdict: (h) => (h.success ? 1 : 0),
      parent: (h) => h.parent,
      actOf: (h) => h.act,
    };
  }
  const root = () => node("0", undefined, undefined, false, false, 0.4);
  const oneStep = { ...SMCTS_TOD_DEFAULTS, depth: 1, bestOfK: 1 };

  it("an edge into a leaf backs up γ·V̄(leaf); an edge that ends the dialogue its verdict undiscounted (Eq. 1, 12)", () => {
    const q = (world: SmctsDomain<Hand, string>, discount: number) => smctsSearch(world, root(), { ...oneStep, discount }, 1, { iterations: 1 }).result.actions[0]!.q;
    expect(q(chainWorld(10), 0.95)).toBeCloseTo(0.95 * 0.4, 6);
    expect(q(chainWorld(10), 1)).toBeCloseTo(0.4, 6);
    expect(q(chainWorld(1), 0.95)).toBe(1);
  });

  it("mixes V̄ with a short prior rollout's return: (1 − η)·V̄ + η·z", () => {
    const q = (length: number, leafRollout: number, rolloutDepth: number) => smctsSearch(chainWorld(length), root(), { ...oneStep, leafRollout, rolloutDepth }, 1, { iterations: 1 }).result.actions[0]!.q;
    // Leaf at step 1; the rollout ends with success at step 3 after 2 turns: z = γ^(2−1)·1.
    expect(q(3, 0.5, 3)).toBeCloseTo(0.95 * (0.5 * 0.4 + 0.5 * 0.95), 6);
    // Cut after 2 turns at step 3 of 10: z = γ²·V̄ = γ²·0.4.
    expect(q(10, 0.5, 2)).toBeCloseTo(0.95 * (0.5 * 0.4 + 0.5 * 0.95 ** 2 * 0.4), 6);
    // η = 0 is V̄ alone, whatever the rollout would say.
    expect(q(3, 0, 3)).toBeCloseTo(0.95 * 0.4, 6);
  });
});
