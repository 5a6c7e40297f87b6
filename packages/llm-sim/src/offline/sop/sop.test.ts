import { SOPDAIL_SINK, createRng, sopdailNodeOf, splitSopdailNode, type Turn } from "@foresight/dialogue";
import { beforeAll, describe, expect, it } from "vitest";
import { CorpusSopAgent, CorpusSopPrior, CorpusSopStateClassifier, CorpusSopUser, CorpusSopValue } from "./roles.js";
import { simulateSop } from "./simulate.js";
import { SopCorpusWorld } from "./world.js";

let world: SopCorpusWorld;
beforeAll(() => {
  world = SopCorpusWorld.build();
});

describe("SopCorpusWorld", () => {
  it("builds the first task from its training dialogues only", () => {
    expect(world.task.id).toBe("airport-check_in");
    expect(world.train.length).toBeGreaterThan(50);
    const testIds = new Set(world.test.map((d) => d.id));
    expect(world.test.length).toBeGreaterThan(10);
    expect(world.utterances.some((u) => testIds.has(u.dialogueId))).toBe(false);
  });
});

describe("simulateSop", () => {
  it("is the same for the same seed and only visits the task's own nodes, each voiced by its side", () => {
    expect(simulateSop(world, { seed: 3 })).toEqual(simulateSop(world, { seed: 3 }));
    const allowed = new Set([...world.agentNodes, ...world.userNodes, SOPDAIL_SINK]);
    for (let seed = 0; seed < 30; seed++) {
      const { dialogue, outcome } = simulateSop(world, { seed });
      expect(dialogue.turns.length).toBeGreaterThan(2);
      for (const turn of dialogue.turns) {
        const node = sopdailNodeOf(turn)!;
        expect(allowed.has(node), node).toBe(true);
        expect(turn.speaker).toBe(splitSopdailNode(node)!.role === "agent" ? "system" : "user");
      }
      expect(outcome.success).toBe(outcome.path.some((node) => world.task.successMarks.includes(node)));
    }
  });

  it("answers agent actions with user states at the corpus rates (TV ≤ 0.1 where seen ≥ 60 times in 300 walks)", () => {
    const simulated = new Map<string, Map<string, number>>();
    for (let seed = 0; seed < 300; seed++) {
      const { path } = simulateSop(world, { seed }).outcome;
      for (let i = 1; i < path.length; i++) {
        if (splitSopdailNode(path[i - 1]!)?.role !== "agent" || splitSopdailNode(path[i]!)?.role !== "user") continue;
        const row = simulated.get(path[i - 1]!) ?? new Map<string, number>();
        row.set(path[i]!, (row.get(path[i]!) ?? 0) + 1);
        simulated.set(path[i - 1]!, row);
      }
    }
    let checked = 0;
    for (const [action, row] of simulated) {
      const n = [...row.values()].reduce((s, v) => s + v, 0);
      if (n < 60) continue;
      const corpus = world.successors(action, "user");
      const total = [...corpus.values()].reduce((s, v) => s + v, 0);
      const states = new Set([...row.keys(), ...corpus.keys()]);
      const tv = [...states].reduce((s, st) => s + Math.abs((row.get(st) ?? 0) / n - (corpus.get(st) ?? 0) / total), 0) / 2;
      expect(tv, action).toBeLessThan(0.1);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(2);
  });
});

describe("SOP roles", () => {
  const history: Turn[] = [{ speaker: "system", text: "好的，请您提供一下您的姓名和身份证号。", state: { sopNode: "代理.核对身份" } }];

  it("the user answers an agent action only with states that followed it in the corpus", async () => {
    const user = new CorpusSopUser(world, createRng(1));
    const seen = world.successors("代理.核对身份", "user");
    for (let i = 0; i < 20; i++) {
      const reply = await user.respond(history);
      expect(seen.has(reply.reaction!)).toBe(true);
      expect(reply.text.length).toBeGreaterThan(0);
    }
  });

  it("the agent voices an action with distinct real utterances of it", async () => {
    const agent = new CorpusSopAgent(world, createRng(2));
    const candidates = await agent.reply([{ speaker: "user", text: "我想办理值机。" }], "核对身份", 3);
    expect(candidates.length).toBeGreaterThan(1);
    expect(new Set(candidates.map((c) => c.text)).size).toBe(candidates.length);
    const texts = new Set(world.utterances.filter((u) => u.node === "代理.核对身份").map((u) => u.text));
    for (const c of candidates) expect(texts.has(c.text)).toBe(true);
    await expect(agent.reply([], "飞行", 1)).rejects.toThrow(/has no utterance/);
  });

  it("the prior puts most mass on the action the corpus took most often after the state", async () => {
    const state: Turn[] = [{ speaker: "user", text: "我想办理值机。", state: { sopNode: "用户.要求值机" } }];
    const result = await new CorpusSopPrior(world).prior(state);
    const counts = world.successors("用户.要求值机", "agent");
    const top = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    expect(result.acts[result.probabilities.indexOf(Math.max(...result.probabilities))]).toBe(top);
    expect(result.probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 10);
  });

  it("values success marks above the start and classifies held-out user turns better than the majority state", async () => {
    const value = new CorpusSopValue(world);
    const mark = world.task.successMarks[0]!;
    expect((await value.evaluate([], { act: mark })).value).toBeGreaterThan((await value.evaluate([])).value);
    const classifier = new CorpusSopStateClassifier(world);
    const userTurns = world.test.flatMap((d) => d.turns).filter((t) => t.speaker === "user" && world.userNodes.includes(sopdailNodeOf(t) ?? ""));
    let correct = 0;
    const counts = new Map<string, number>();
    for (const turn of userTurns) {
      const label = sopdailNodeOf(turn)!;
      counts.set(label, (counts.get(label) ?? 0) + 1);
      const guess = await classifier.classify([{ speaker: "user", text: turn.text }]);
      if (guess.label === label) correct++;
    }
    expect(correct / userTurns.length).toBeGreaterThan(Math.max(...counts.values()) / userTurns.length);
  });
});
