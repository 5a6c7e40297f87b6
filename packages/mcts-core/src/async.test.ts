import { describe, expect, it } from "vitest";
import { RandomMdp } from "./domains/random-mdp.js";
import { Mcts } from "./engine.js";
import type { GenerativeModel, StepResult } from "./types.js";

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The random MDP behind an asynchronous interface with latency, recording concurrency and batch sizes. */
function slowMdp(latencyMs: number) {
  const mdp = new RandomMdp({ branching: 4, depth: 8, seed: 3 });
  const stats = { inFlight: 0, maxInFlight: 0, batches: [] as number[], steps: 0, evaluations: 0 };
  const model: GenerativeModel<number, number> = {
    actions: async (s) => mdp.actions(s),
    step: async (s, a): Promise<StepResult<number>> => {
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      stats.steps++;
      const result = { ...mdp.step(s, a) };
      await delay(latencyMs);
      stats.inFlight--;
      return result;
    },
    evaluateBatch: async (states) => {
      stats.batches.push(states.length);
      stats.evaluations += states.length;
      await delay(latencyMs);
      return states.map((s) => (s % 97) / 97);
    },
  };
  return { mdp, model, stats };
}

describe("searchAsync", () => {
  it("keeps many simulations in flight and gathers leaf evaluations into batches", async () => {
    const { mdp, model, stats } = slowMdp(2);
    const engine = new Mcts(model, mdp.start, { seed: 1, concurrency: 8, batchSize: 4 });
    const result = await engine.searchAsync({ iterations: 64 });
    expect(result.iterations).toBe(64);
    expect(result.stopReason).toBe("iterations");
    expect(result.actions.reduce((s, a) => s + a.visits, 0)).toBe(64);
    expect(stats.maxInFlight).toBeGreaterThan(1);
    expect(stats.maxInFlight).toBeLessThanOrEqual(8);
    expect(Math.max(...stats.batches)).toBeGreaterThan(1);
    expect(Math.max(...stats.batches)).toBeLessThanOrEqual(4);
    expect(stats.evaluations).toBe(65);
    // Virtual losses are all released.
    expect(engine.tree.edgeVirtual.every((v) => v === 0)).toBe(true);
    expect(engine.tree.nodeVirtual.every((v) => v === 0)).toBe(true);
  });

  it("runs one simulation at a time by default", async () => {
    const { mdp, model, stats } = slowMdp(1);
    const engine = new Mcts(model, mdp.start, { seed: 1 });
    await engine.searchAsync({ iterations: 10 });
    expect(stats.maxInFlight).toBe(1);
    expect(Math.max(...stats.batches)).toBe(1);
  });

  it("stops at a wall-clock deadline with the best result so far", async () => {
    const { mdp, model } = slowMdp(10);
    const engine = new Mcts(model, mdp.start, { seed: 1, concurrency: 2 });
    const result = await engine.searchAsync({ iterations: 1_000_000, timeMs: 80 });
    expect(result.stopReason).toBe("time");
    expect(result.iterations).toBeLessThan(1_000_000);
    expect(result.actions.length).toBe(4);
    expect(engine.tree.edgeVirtual.every((v) => v === 0)).toBe(true);
  });

  it("stops when its AbortSignal aborts", async () => {
    const { mdp, model } = slowMdp(5);
    const controller = new AbortController();
    const engine = new Mcts(model, mdp.start, { seed: 1, concurrency: 3 });
    setTimeout(() => controller.abort(), 40);
    const result = await engine.searchAsync({ signal: controller.signal });
    expect(result.stopReason).toBe("aborted");
    const early = new Mcts(model, mdp.start, { seed: 1 });
    const aborted = new AbortController();
    aborted.abort();
    expect((await early.searchAsync({ signal: aborted.signal })).iterations).toBe(0);
  });

  it("stops on a caller-defined budget (e.g. model calls)", async () => {
    const { mdp, model, stats } = slowMdp(1);
    const engine = new Mcts(model, mdp.start, { seed: 1, concurrency: 4 });
    const result = await engine.searchAsync({ custom: { name: "steps", exhausted: () => stats.steps >= 30 } });
    expect(result.stopReason).toBe("custom");
    expect(stats.steps).toBeGreaterThanOrEqual(30);
    expect(stats.steps).toBeLessThan(30 + 4 * 8);
    const sync = new Mcts(new RandomMdp(), new RandomMdp().start, { seed: 2 });
    let calls = 0;
    const r = sync.search({ custom: { name: "calls", exhausted: () => ++calls > 25 } });
    expect(r.stopReason).toBe("custom");
    expect(r.iterations).toBe(25);
  });

  it("rejects with the model's error, and the synchronous search refuses promises", async () => {
    const failing: GenerativeModel<number, number> = {
      actions: () => [0, 1],
      step: async () => {
        throw new Error("LLM endpoint down");
      },
      evaluate: () => 0,
    };
    await expect(new Mcts(failing, 0, { concurrency: 2 }).searchAsync({ iterations: 5 })).rejects.toThrow("LLM endpoint down");
    expect(() => new Mcts(failing, 0).search({ iterations: 5 })).toThrow(/returned a promise; use searchAsync/);
    const badBatch: GenerativeModel<number, number> = { actions: () => [0], step: (s) => ({ state: s + 1, reward: 0, terminal: false }), evaluateBatch: () => [] };
    await expect(new Mcts(badBatch, 0).searchAsync({ iterations: 2 })).rejects.toThrow(/returned 0 values for 1 states/);
  });

  it("removes each simulation's virtual loss exactly once, even when another fails right after it finished", async () => {
    // One simulation's step succeeds and another's fails on the same tick, a few microtasks apart either way, so
    // the failure also lands between the first one's backup and its bookkeeping.
    for (let lead = 0; lead < 5; lead++) {
      for (let lag = 0; lag < 5; lag++) {
        let open: () => void = () => {};
        const gate = new Promise<void>((resolve) => {
          open = resolve;
        });
        let calls = 0;
        const model: GenerativeModel<number, number> = {
          actions: () => [0, 1],
          step: async (s): Promise<StepResult<number>> => {
            const call = calls++;
            await gate;
            for (let i = 0; i < (call === 1 ? lag : lead); i++) await null;
            if (call === 1) throw new Error("LLM endpoint down");
            return { state: s + 1, reward: 0, terminal: true };
          },
          evaluate: () => 0,
        };
        const engine = new Mcts(model, 0, { concurrency: 2 });
        const search = engine.searchAsync({ iterations: 2 });
        setTimeout(open, 0);
        await expect(search).rejects.toThrow("LLM endpoint down");
        expect(calls).toBe(2);
        expect(Array.from(engine.tree.edgeVirtual.subarray(0, 2)), `lead ${lead}, lag ${lag}`).toEqual([0, 0]);
        expect(engine.tree.nodeVirtual[0], `lead ${lead}, lag ${lag}`).toBe(0);
      }
    }
  });

  it("never credits a reused realization slot with returns meant for the evicted one", async () => {
    const mdp = new RandomMdp({ branching: 2, depth: 6, seed: 8 });
    const model: GenerativeModel<number, number> = {
      actions: (s) => mdp.actions(s),
      step: async (s, a, rng) => {
        await delay(rng.int(3));
        return { ...mdp.step(s, a + 2 * rng.int(8)) };
      },
      evaluate: (s) => ((s >>> 5) % 100) / 100,
    };
    const engine = new Mcts(model, mdp.start, { seed: 9, concurrency: 16, loop: { kind: "open", cache: { kind: "topValue", capacity: 1, temperature: 0.2 } } });
    await engine.searchAsync({ iterations: 400 });
    const trace = engine.trace();
    let realizations = 0;
    for (const node of trace.nodes) {
      for (const r of node.realizations!) {
        // A realization's visits are its evaluation when generated plus the node's visits that went through it.
        expect(r.visits).toBeLessThanOrEqual(node.visits + 1);
        realizations++;
      }
    }
    expect(realizations).toBeGreaterThan(10);
    expect(engine.tree.realCapacity).toBeLessThanOrEqual(2 ** Math.ceil(Math.log2(engine.realizationCount + 16 + 1)));
  });

  it("runs SMCTS-TOD's settings with batched steps and survives a deadline mid-flight", async () => {
    const mdp = new RandomMdp({ branching: 3, depth: 6, seed: 10 });
    const model: GenerativeModel<number, number> = {
      actions: (s) => mdp.actions(s),
      prior: async (s, actions) => actions.map((a) => 1 + ((s + a) % 3)),
      step: () => {
        throw new Error("stepBatch is preferred");
      },
      stepBatch: async (requests, rng) => {
        await delay(2);
        return requests.map((q) => ({ ...mdp.step(q.state, q.action + 3 * rng.int(4)) }));
      },
      evaluateBatch: async (states) => {
        await delay(3);
        return states.map((s) => ((s >>> 5) % 100) / 100);
      },
    };
    const score = async (state: number) => ((state >>> 5) % 50) / 50;
    const engine = new Mcts(model, mdp.start, {
      seed: 11,
      concurrency: 8,
      selection: { kind: "puct", c: 1.5 },
      maxDepth: 4,
      loop: { kind: "open", priorPerRealization: true, cache: { kind: "topValue", capacity: 4, temperature: 0.5, score: (s) => score(s) } },
      expansion: { candidates: 3, score: (c) => score(c.state) },
    });
    const first = await engine.searchAsync({ iterations: 100_000, timeMs: 80 });
    expect(first.stopReason).toBe("time");
    expect(engine.tree.edgeVirtual.every((v) => v === 0)).toBe(true);
    expect(engine.tree.nodeVirtual.every((v) => v === 0)).toBe(true);
    const second = await engine.searchAsync({ iterations: 64 });
    expect(second.iterations).toBe(64);
    expect(second.realization).toBeDefined();
    // (A realization's visits: its evaluation when generated, plus the node's visits that went through it.)
    for (const node of engine.trace().nodes) for (const r of node.realizations!) expect(r.visits).toBeLessThanOrEqual(node.visits + 1);
  });
});

describe("searchAsync with lockstep", () => {
  /**
   * The random MDP as an LLM-like model (open loop, sampled steps) whose every call answers after a delay drawn
   * from its own seeded generator, so `delaySeed` changes which call answers first and nothing else. Records the
   * requests in the order they are made.
   */
  function jitteryModel(delaySeed: number, batched: boolean) {
    const mdp = new RandomMdp({ branching: 3, depth: 6, seed: 4 });
    let jitter = delaySeed;
    const nextDelay = () => {
      jitter = (Math.imul(jitter, 1664525) + 1013904223) >>> 0;
      return jitter % 6;
    };
    const requests: string[] = [];
    const value = (s: number) => ((s >>> 5) % 100) / 100;
    const model: GenerativeModel<number, number> = {
      actions: (s) => mdp.actions(s),
      step: async (s, a, rng) => {
        const sample = rng.int(4);
        requests.push(`step ${s} ${a} ${sample}`);
        await delay(nextDelay());
        return { ...mdp.step(s, a + 3 * sample) };
      },
      evaluate: async (s) => {
        requests.push(`evaluate ${s}`);
        await delay(nextDelay());
        return value(s);
      },
    };
    if (batched) {
      model.evaluateBatch = async (states) => {
        requests.push(`evaluateBatch ${states.join(",")}`);
        await delay(nextDelay());
        return states.map(value);
      };
    }
    return { mdp, model, requests };
  }

  async function run(delaySeed: number, lockstep: boolean, batched = false) {
    const { mdp, model, requests } = jitteryModel(delaySeed, batched);
    const engine = new Mcts(model, mdp.start, { seed: 5, concurrency: 4, lockstep, loop: { kind: "open", cache: { kind: "uniform", k: 2 } } });
    const result = await engine.searchAsync({ iterations: 40 });
    expect(result.iterations).toBe(40);
    expect(engine.tree.edgeVirtual.every((v) => v === 0)).toBe(true);
    return { action: result.action, actions: result.actions, tree: engine.trace(), requests };
  }

  it("asks the same requests and builds the same tree whatever order the answers come in", async () => {
    for (const batched of [false, true]) {
      const reference = await run(1, true, batched);
      for (const delaySeed of [2, 3]) {
        const other = await run(delaySeed, true, batched);
        expect(other.requests, `batched ${batched}, delays ${delaySeed}`).toEqual(reference.requests);
        expect(other.action).toBe(reference.action);
        expect(other.actions).toEqual(reference.actions);
        expect(other.tree).toEqual(reference.tree);
      }
    }
  });

  it("is what makes the search independent of answer timing", async () => {
    const runs = [await run(1, false), await run(2, false), await run(3, false)];
    // Without lockstep the first answer back resumes its simulation first, so the requests differ.
    expect(runs.some((r) => JSON.stringify(r.requests) !== JSON.stringify(runs[0]!.requests))).toBe(true);
  });

  it("matches the sequential search with concurrency 1", async () => {
    const { mdp, model } = jitteryModel(1, false);
    const options = { seed: 5, loop: { kind: "open", cache: { kind: "uniform", k: 2 } } } as const;
    const plain = new Mcts(model, mdp.start, options);
    const lockstep = new Mcts(jitteryModel(2, false).model, mdp.start, { ...options, lockstep: true });
    await plain.searchAsync({ iterations: 20 });
    await lockstep.searchAsync({ iterations: 20 });
    expect(lockstep.trace()).toEqual(plain.trace());
  });

  it("rejects with the model's error and stops at a deadline, virtual losses released", async () => {
    let calls = 0;
    const failing: GenerativeModel<number, number> = {
      actions: () => [0, 1, 2],
      step: async (s) => {
        await delay(calls++ % 3);
        if (calls > 6) throw new Error("LLM endpoint down");
        return { state: s + 1, reward: 0, terminal: s > 3 };
      },
      evaluate: async () => 0,
    };
    const engine = new Mcts(failing, 0, { concurrency: 3, lockstep: true });
    await expect(engine.searchAsync({ iterations: 50 })).rejects.toThrow("LLM endpoint down");
    expect(engine.tree.edgeVirtual.every((v) => v === 0)).toBe(true);
    const { mdp, model } = jitteryModel(1, false);
    const timed = new Mcts(model, mdp.start, { seed: 5, concurrency: 4, lockstep: true });
    const result = await timed.searchAsync({ iterations: 1_000_000, timeMs: 60 });
    expect(result.stopReason).toBe("time");
    expect(timed.tree.edgeVirtual.every((v) => v === 0)).toBe(true);
    expect(timed.tree.nodeVirtual.every((v) => v === 0)).toBe(true);
  });

  it("rejects a lockstep that is not a boolean", () => {
    const mdp = new RandomMdp();
    expect(() => new Mcts(mdp, mdp.start, { lockstep: "yes" as unknown as boolean })).toThrow(/lockstep: must be true or false/);
  });
});
