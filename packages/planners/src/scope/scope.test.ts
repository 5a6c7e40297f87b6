import type { Rng } from "@foresight/dialogue";
import type { SearchTrace } from "@foresight/mcts-core";
import { describe, expect, it, vi } from "vitest";
import { chatGreedy0Factory } from "./baselines.js";
import { chargedSimulations, SCOPE_REFERENCE_ROLLOUTS_PER_SECOND, ScopePlanner, type ScopePlanningWorld } from "./scope.js";
import { semanticSearch, DEFAULT_SEMANTIC_SEARCH } from "./semantic-search.js";

/** A normal draw from the seeded generator. */
function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(Math.max(rng.next(), 1e-12))) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * A hand-built 2-d semantic world: a state is [0, mood]; an action is [flash, moodDelta]. A step moves the mood by
 * moodDelta (plus a little noise) and pays 10 + 3·flash + 5·mood′: flashy replies pay now, mood pays every turn
 * after. Actions sampled at new states are neutral ([0, 0] plus noise). The candidates' known values at depth 3
 * (γ = 0.9): A 22.6, B 33.9 (best), C 20.3, D 30.1, E 27.1. 1-step greedy would pick A (14 now), and A's text is the
 * longest, so 0-step greedy picks it too.
 */
const CANDIDATES: Record<string, [number, number]> = {
  "A: What a fantastic, wonderful, absolutely amazing question that is, my friend, truly!": [3, -1],
  "B: Tell me more?": [0, 0.5],
  "C: Hmm, okay then.": [0, -0.5],
  "D: Nice, really nice.": [1, 0],
  "E: I see.": [0, 0],
};

class MoodWorld implements ScopePlanningWorld {
  readonly dim = 2;
  calls = 0;
  async stateAndActions(context: readonly string[], candidates: readonly string[]): Promise<{ state: Float32Array; actions: Float32Array }> {
    return { state: new Float32Array(2), actions: await this.actionVectors(context, candidates) };
  }
  async actionVectors(_context: readonly string[], candidates: readonly string[]): Promise<Float32Array> {
    return Float32Array.from(candidates.flatMap((c) => CANDIDATES[c] ?? [0, 0]));
  }
  async sampleActions(_states: Float32Array, rows: number, m: number, rng: Rng): Promise<Float32Array> {
    this.calls++;
    return Float32Array.from({ length: rows * m * 2 }, () => 0.05 * gaussian(rng));
  }
  async step(states: Float32Array, actions: Float32Array, rows: number, rng: Rng): Promise<{ next: Float32Array; rewards: Float32Array }> {
    this.calls++;
    const next = new Float32Array(rows * 2);
    const rewards = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      const mood = (states[r * 2 + 1] as number) + (actions[r * 2 + 1] as number) + 0.05 * gaussian(rng);
      next[r * 2 + 1] = mood;
      rewards[r] = 10 + 3 * (actions[r * 2] as number) + 5 * mood;
    }
    return { next, rewards };
  }
}

const conversation = { turns: [{ speaker: "user" as const, text: "How are you today?" }] };
const candidates = Object.keys(CANDIDATES);
const settings = { depth: 3, batch: 16 };

/** A scheduler that counts the turns it hands out and checks that one is held at a time (ending a turn twice is harmless). */
function countingScheduler() {
  const counts = { turns: 0, held: 0 };
  const scheduler = {
    turn: async () => {
      expect(counts.held).toBe(0);
      counts.turns++;
      counts.held++;
      let ended = false;
      return () => {
        if (!ended) counts.held--;
        ended = true;
      };
    },
  };
  return { scheduler, counts };
}

describe("semanticSearch (Alg. 1)", () => {
  it("finds the candidate with the best long-term value in a world with a known answer", async () => {
    const world = new MoodWorld();
    const actions = await world.actionVectors([], candidates);
    const { createRng } = await import("@foresight/dialogue");
    const result = await semanticSearch(world, new Float32Array(2), actions, { ...DEFAULT_SEMANTIC_SEARCH, ...settings }, { iterations: 600 }, createRng(3));
    expect(result.best).toBe(1);
    expect(result.simulations).toBe(600);
    expect(result.stopReason).toBe("iterations");
    expect(result.actions[1]!.q!).toBeGreaterThan(30);
    expect(result.actions[1]!.q!).toBeLessThan(37);
    expect(result.actions[0]!.q!).toBeLessThan(25);
    // Batched: far fewer world calls than simulations × depth.
    expect(result.modelCalls).toBeLessThan(600);
    expect(result.modelRows).toBeGreaterThan(600);
  });

  it("A.11's replay buffer: off by default; on, past returns update Q again, so early returns keep their weight", async () => {
    const { createRng } = await import("@foresight/dialogue");
    // One candidate, depth 1: the t-th step pays t, so Q (a mean of returns) is exactly the mean of 1…N without replay.
    const counting = { dim: 1, paid: 0, sampleActions: async (_s: Float32Array, rows: number, m: number) => new Float32Array(rows * m), step: async (_s: Float32Array, _a: Float32Array, rows: number) => ({ next: new Float32Array(rows), rewards: Float32Array.from({ length: rows }, () => ++counting.paid) }) };
    const search = async (replaySamples: number) => {
      counting.paid = 0;
      // Widening α = 1: every simulation samples a new next state, so the t-th simulation's return is t.
      const base = { ...DEFAULT_SEMANTIC_SEARCH, depth: 1, batch: 1, rewardScale: 1, wideningAlpha: 1, replaySamples, replayCapacity: 1000 };
      return semanticSearch(counting, new Float32Array(1), new Float32Array(1), base, { iterations: 50 }, createRng(5));
    };
    expect(DEFAULT_SEMANTIC_SEARCH.replaySamples).toBe(0);
    const plain = await search(0);
    expect(plain.actions[0]!.q).toBeCloseTo(25.5, 9);
    // Replayed experiences are drawn from all the returns so far: older (smaller) ones are replayed more often.
    const replayed = await search(4);
    expect(replayed.actions[0]!.visits).toBe(50);
    expect(replayed.actions[0]!.q!).toBeLessThan(24);
    expect(replayed.actions[0]!.q!).toBeGreaterThan(1);
    // In the mood world the replay changes Q and the search still finds the best candidate.
    const world = new MoodWorld();
    const actions = await world.actionVectors([], candidates);
    const run = (replaySamples: number) => semanticSearch(world, new Float32Array(2), actions, { ...DEFAULT_SEMANTIC_SEARCH, ...settings, replaySamples }, { iterations: 600 }, createRng(3));
    const [off, on] = [await run(0), await run(1)];
    expect(on.best).toBe(1);
    expect(on.actions.some((a, i) => Math.abs((a.q as number) - (off.actions[i]!.q as number)) > 1e-6)).toBe(true);
    await expect(run(-1)).rejects.toThrow(/replaySamples must be ≥ 0/);
  });

  it("runs each wave in a turn of a given scheduler, ends every turn, and finds the same result as without one", async () => {
    const { createRng } = await import("@foresight/dialogue");
    const world = new MoodWorld();
    const actions = await world.actionVectors([], candidates);
    const search = (budget: Parameters<typeof semanticSearch>[4]) => semanticSearch(world, new Float32Array(2), actions, { ...DEFAULT_SEMANTIC_SEARCH, ...settings }, budget, createRng(5));
    const { scheduler, counts } = countingScheduler();
    const alone = await search({ iterations: 100 });
    const scheduled = await search({ iterations: 100, scheduler });
    // 100 simulations in waves of 16: 7 waves, each in its own turn, and none left held.
    expect(counts.turns).toBe(7);
    expect(counts.held).toBe(0);
    expect(scheduled.actions).toEqual(alone.actions);
    expect(scheduled.best).toBe(alone.best);
    expect(scheduled.modelRows).toBe(alone.modelRows);
  });

  it("sizes a time-budgeted first wave by the pace of earlier searches and records its own (on a scripted clock)", async () => {
    const { createRng } = await import("@foresight/dialogue");
    // The clock moves only when the world steps: 0.01 ms per row.
    let now = 0;
    const clock = vi.spyOn(performance, "now").mockImplementation(() => now);
    try {
      const firstRows: number[] = [];
      class ClockWorld extends MoodWorld {
        override async step(...args: Parameters<MoodWorld["step"]>) {
          if (firstRows.length === 0) firstRows.push(args[2]);
          now += args[2] * 0.01;
          return super.step(...args);
        }
      }
      const world = new ClockWorld();
      const actions = await world.actionVectors([], candidates);
      const search = (budget: Parameters<typeof semanticSearch>[4]) => semanticSearch(world, new Float32Array(2), actions, { ...DEFAULT_SEMANTIC_SEARCH, ...settings }, budget, createRng(1));
      // Without a pace the first wave is a full batch, whatever the budget.
      await search({ timeMs: 0.05 });
      expect(firstRows).toEqual([16]);
      // At 0.02 ms per simulation, 0.05 ms fit 2 simulations: the first wave expands 2 states.
      firstRows.length = 0;
      const pace = { msPerSimulation: 0.02 };
      await search({ timeMs: 0.05, pace });
      expect(firstRows).toEqual([2]);
      // The pace measured in that search's last wave is left for the next one (3 steps of 0.01 ms per row in depth 3).
      expect(pace.msPerSimulation).toBeCloseTo(0.03, 9);
      // An iteration budget alone keeps full waves whatever the pace.
      firstRows.length = 0;
      await search({ iterations: 32, pace: { msPerSimulation: 1 } });
      expect(firstRows).toEqual([16]);
    } finally {
      clock.mockRestore();
    }
  });

  it("under a time budget, shrinks its last waves to what the time left fits (on a scripted clock)", async () => {
    const { createRng } = await import("@foresight/dialogue");
    // The clock moves only when the world steps: 0.01 ms per row, so the search's timing is the same on any machine.
    let now = 0;
    const clock = vi.spyOn(performance, "now").mockImplementation(() => now);
    try {
      class ClockWorld extends MoodWorld {
        override async step(...args: Parameters<MoodWorld["step"]>) {
          now += args[2] * 0.01;
          return super.step(...args);
        }
      }
      const world = new ClockWorld();
      const actions = await world.actionVectors([], candidates);
      const result = await semanticSearch(world, new Float32Array(2), actions, { ...DEFAULT_SEMANTIC_SEARCH, ...settings }, { timeMs: 2 }, createRng(1));
      expect(result.stopReason).toBe("time");
      // Waves of 16 until the time left fits fewer; the last simulation ends within one simulation's steps of the budget.
      expect(result.simulations % 16).not.toBe(0);
      expect(now).toBeGreaterThanOrEqual(2);
      expect(now).toBeLessThan(2 + settings.depth * 0.01 + 1e-9);
    } finally {
      clock.mockRestore();
    }
  });

  it("rejects a root or candidates of the wrong size, and a search without budget", async () => {
    const { createRng } = await import("@foresight/dialogue");
    const world = new MoodWorld();
    await expect(semanticSearch(world, new Float32Array(3), new Float32Array(2), DEFAULT_SEMANTIC_SEARCH, { iterations: 1 }, createRng(1))).rejects.toThrow(/root state has 3 values/);
    await expect(semanticSearch(world, new Float32Array(2), new Float32Array(3), DEFAULT_SEMANTIC_SEARCH, { iterations: 1 }, createRng(1))).rejects.toThrow(/candidate actions must be/);
    await expect(semanticSearch(world, new Float32Array(2), new Float32Array(2), DEFAULT_SEMANTIC_SEARCH, {}, createRng(1))).rejects.toThrow(/needs a budget/);
  });
});

describe("ScopePlanner", () => {
  it("picks the best candidate that 0-step greedy misses, as one of the candidates, with no LLM call", async () => {
    const scope = new ScopePlanner("scope", new MoodWorld(), settings);
    const decision = await scope.plan(conversation, { candidates, seed: 1, budget: { iterations: 800 } });
    expect(candidates).toContain(decision.reply);
    expect(decision.reply).toBe(candidates[1]);
    expect(decision.stats.llmCalls).toBe(0);
    expect(decision.candidates).toHaveLength(5);
    expect(decision.candidates[0]!.text).toBe(decision.reply);
    expect(decision.candidates.reduce((s, c) => s + c.visits, 0)).toBe(800);
    const greedy = await (await chatGreedy0Factory.create()).plan(conversation, { candidates, seed: 1 });
    expect(greedy.reply).toBe(candidates[0]);
  });

  it("gives the same decision and statistics for the same seed", async () => {
    const scope = new ScopePlanner("scope", new MoodWorld(), settings);
    const a = await scope.plan(conversation, { candidates, seed: 7, budget: { iterations: 100 } });
    const b = await scope.plan(conversation, { candidates, seed: 7, budget: { iterations: 100 } });
    expect(b.reply).toBe(a.reply);
    expect(b.candidates.map((c) => [c.text, c.value, c.visits])).toEqual(a.candidates.map((c) => [c.text, c.value, c.visits]));
  });

  it("embeds a repeated request's conversation and candidates once, with the same decision", async () => {
    class CountingWorld extends MoodWorld {
      embedded = 0;
      override async stateAndActions(context: readonly string[], given: readonly string[]) {
        this.embedded++;
        return super.stateAndActions(context, given);
      }
    }
    const world = new CountingWorld();
    const scope = new ScopePlanner("scope", world, settings);
    const a = await scope.plan(conversation, { candidates, seed: 7, budget: { iterations: 100 } });
    const b = await scope.plan(conversation, { candidates, seed: 7, budget: { iterations: 100 } });
    expect(world.embedded).toBe(1);
    expect(b.candidates.map((c) => [c.text, c.value, c.visits])).toEqual(a.candidates.map((c) => [c.text, c.value, c.visits]));
    // The cost counts the calls made: the cached plan made no encoder call (one call of 1 + 3 rows for the first).
    expect(a.stats.modelCalls - b.stats.modelCalls).toBe(1);
    expect(a.stats.modelRows! - b.stats.modelRows!).toBe(1 + candidates.length);
    // Cleared, the cache embeds the same request again.
    scope.clearInputCache();
    const c = await scope.plan(conversation, { candidates, seed: 7, budget: { iterations: 100 } });
    expect(world.embedded).toBe(2);
    expect(c.stats.modelCalls).toBe(a.stats.modelCalls);
    await scope.plan(conversation, { candidates: candidates.slice(1), seed: 7, budget: { iterations: 10 } });
    await scope.plan({ turns: [...conversation.turns, { speaker: "agent", text: "Fine." }, { speaker: "user", text: "And you?" }] }, { candidates, seed: 7, budget: { iterations: 10 } });
    expect(world.embedded).toBe(4);
  });

  it("embeds a new request's inputs in a turn of the plan's scheduler, then runs each wave in one", async () => {
    const scope = new ScopePlanner("scope", new MoodWorld(), settings);
    const { scheduler, counts } = countingScheduler();
    const alone = await scope.plan(conversation, { candidates, seed: 4, budget: { iterations: 100 } });
    const scheduled = await new ScopePlanner("scope", new MoodWorld(), settings).plan(conversation, { candidates, seed: 4, budget: { iterations: 100 }, scheduler });
    // One turn for retrieval and embedding, then 100 simulations in waves of 16: 7 more.
    expect(counts.turns).toBe(8);
    expect(counts.held).toBe(0);
    expect(scheduled.candidates).toEqual(alone.candidates);
  });

  it("honours iteration, time and abort budgets", async () => {
    const scope = new ScopePlanner("scope", new MoodWorld(), settings);
    const counted = await scope.plan(conversation, { candidates, seed: 2, budget: { iterations: 37 } });
    expect(counted.stats.simulations).toBe(37);
    expect(counted.stats.stopReason).toBe("iterations");
    const timed = await scope.plan(conversation, { candidates, seed: 2, budget: { timeMs: 20 } });
    expect(timed.stats.stopReason).toBe("time");
    // On a clock that advances 1 ms per read, whatever the machine's load: some waves fit in the budget, then it ends.
    let t = 0;
    const clock = vi.spyOn(performance, "now").mockImplementation(() => ++t);
    try {
      const stepped = await scope.plan(conversation, { candidates, seed: 2, budget: { timeMs: 50 } });
      expect(stepped.stats.stopReason).toBe("time");
      expect(stepped.stats.simulations).toBeGreaterThan(0);
    } finally {
      clock.mockRestore();
    }
    const controller = new AbortController();
    controller.abort();
    const aborted = await scope.plan(conversation, { candidates, seed: 2, budget: { signal: controller.signal } });
    expect(aborted.stats.stopReason).toBe("aborted");
    expect(aborted.stats.simulations).toBe(0);
    expect(candidates).toContain(aborted.reply);
  });

  it("on the charged clock, buys ⌊t·R/1000⌋ simulations with a time budget, however slow the world", async () => {
    class SlowWorld extends MoodWorld {
      override async step(...args: Parameters<MoodWorld["step"]>) {
        await new Promise((r) => setTimeout(r, 2));
        return super.step(...args);
      }
    }
    const sims = chargedSimulations(10);
    expect(sims).toBe(Math.floor((10 * SCOPE_REFERENCE_ROLLOUTS_PER_SECOND) / 1000));
    const fast = await new ScopePlanner("scope", new MoodWorld(), { ...settings, clock: "charged" }).plan(conversation, { candidates, seed: 3, budget: { timeMs: 10 } });
    const slow = await new ScopePlanner("scope", new SlowWorld(), { ...settings, clock: "charged" }).plan(conversation, { candidates, seed: 3, budget: { timeMs: 10 } });
    expect(fast.stats.simulations).toBe(sims);
    expect(slow.stats.simulations).toBe(sims);
    expect(slow.candidates.map((c) => [c.text, c.value, c.visits])).toEqual(fast.candidates.map((c) => [c.text, c.value, c.visits]));
    // An iteration budget below the charged count still wins.
    const both = await new ScopePlanner("scope", new MoodWorld(), settings).plan(conversation, { candidates, seed: 3, budget: { timeMs: 10, iterations: 7 }, settings: { clock: "charged" } });
    expect(both.stats.simulations).toBe(7);
    await expect(new ScopePlanner("scope", new MoodWorld(), settings).plan(conversation, { candidates, settings: { clock: "cpu" as never } })).rejects.toThrow(/setting "clock" must be "wall" or "charged"/);
  });

  it("rejects bad settings and conversations with a one-line reason", async () => {
    const scope = new ScopePlanner("scope", new MoodWorld(), settings);
    await expect(scope.plan(conversation, { candidates, budget: { iterations: 1 }, settings: { depth: 0 } })).rejects.toThrow(/depth must be a positive integer/);
    await expect(scope.plan(conversation, { candidates, budget: { iterations: 1 }, settings: { nope: 1 } as never })).rejects.toThrow(/unknown setting "nope"/);
    await expect(scope.plan({ turns: [{ speaker: "bot" as never, text: "hi" }] }, { candidates })).rejects.toThrow(/speaker must be "agent" or "user"/);
  });
});

describe("ScopePlanner traces", () => {
  it("returns its search tree in mcts-core's trace format when asked, and none otherwise", async () => {
    const scope = new ScopePlanner("scope", new MoodWorld(), settings);
    const plain = await scope.plan(conversation, { candidates, seed: 4, budget: { iterations: 200 } });
    expect(plain.trace).toBeUndefined();
    const traced = await scope.plan(conversation, { candidates, seed: 4, budget: { iterations: 200 }, trace: true });
    // Asking for the trace does not change the decision.
    expect(traced.candidates.map((c) => [c.text, c.value, c.visits])).toEqual(plain.candidates.map((c) => [c.text, c.value, c.visits]));
    const tree = traced.trace as SearchTrace;
    expect(tree.version).toBe(1);
    expect(tree.nodeCount).toBe(tree.nodes.length);
    expect(tree.nodeCount).toBe(traced.stats.counters!.nodes);
    const root = tree.nodes[0]!;
    expect(root.visits).toBe(200);
    expect(root.edges.map((e) => e.action)).toEqual(candidates);
    // Root edges carry the candidates' statistics; each child's parent and depth agree with the edge that lists it.
    for (const edge of root.edges) {
      const stats = traced.candidates.find((c) => c.text === edge.action)!;
      expect(edge.visits).toBe(stats.visits);
      expect(edge.q).toBeCloseTo(stats.value as number, 6);
      expect(edge.children.reduce((s, c) => s + tree.nodes[c]!.visits, 0)).toBe(edge.visits);
    }
    for (const node of tree.nodes.slice(1)) {
      expect(tree.nodes[node.parent!]!.depth).toBe(node.depth - 1);
      expect(tree.nodes[node.parent!]!.edges.some((e) => e.children.includes(node.id))).toBe(true);
    }
    const capped = await scope.plan(conversation, { candidates, seed: 4, budget: { iterations: 200 }, trace: { maxNodes: 10 } });
    const small = capped.trace as SearchTrace;
    expect(small.nodes).toHaveLength(10);
    expect(small.nodes.flatMap((n) => n.edges.flatMap((e) => e.children)).every((c) => c < 10)).toBe(true);
  });

  it("ends a timed plan within one world call of its budget even when a wave is slow", async () => {
    // Every transition call takes 15 ms, so one wave (expansion plus a rollout to depth 8) takes at least 120 ms.
    class SlowWorld extends MoodWorld {
      override async step(...args: Parameters<MoodWorld["step"]>) {
        await new Promise((r) => setTimeout(r, 15));
        return super.step(...args);
      }
    }
    const world = new SlowWorld();
    const scope = new ScopePlanner("scope", world, { depth: 8, batch: 16 });
    const timed = await scope.plan(conversation, { candidates, seed: 2, budget: { timeMs: 40 } });
    expect(timed.stats.stopReason).toBe("time");
    expect(timed.stats.simulations).toBe(16);
    // A whole wave would make 2 expansion calls and 2 per rollout level (7 levels); the rollouts were cut short.
    // (Counted in calls, not milliseconds, so the check holds under any load.)
    expect(world.calls).toBeLessThan(2 + 2 * 7);
  });
});
