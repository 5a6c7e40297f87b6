import { SOPDAIL_SINK, SOPDAIL_START, createRng, loadSopdailTasks, sopdailNodeOf, splitSopdailNode, type Turn } from "@foresight/dialogue";
import { beforeAll, describe, expect, it } from "vitest";
import { CorpusSopAgent, CorpusSopPrior, CorpusSopStateClassifier, CorpusSopUser, CorpusSopValue } from "./roles.js";
import { fitUnaskedWeight, replayGoldOutcomes, userStateLikelihood } from "./fit-check.js";
import { OfflineSopRationalityJudge } from "./judge.js";
import { playSopEpisode, simulateSop } from "./simulate.js";
import { sopdailTaskSplit } from "./split.js";
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

  it("the user answers mostly with states that followed the action in the corpus, and depends on the history", async () => {
    const user = new CorpusSopUser(world, createRng(1));
    const seen = world.successors("代理.核对身份", "user");
    let inCorpus = 0;
    for (let i = 0; i < 50; i++) {
      const reply = await user.respond(history);
      if (seen.has(reply.reaction!)) inCorpus++;
      expect(reply.text.length).toBeGreaterThan(0);
    }
    expect(inCorpus).toBeGreaterThanOrEqual(45);
    // Same last agent action after different earlier nodes (both seen ≥ 5 times): different answer distributions.
    const contexts = new Map<string, Map<string, number>>();
    for (const d of world.train) {
      const seq = world.nodeSequence(d);
      for (let i = 2; i < seq.length; i++) {
        if (!world.agentNodes.includes(seq[i]!)) continue;
        const row = contexts.get(seq[i]!) ?? new Map<string, number>();
        row.set(seq[i - 1]!, (row.get(seq[i - 1]!) ?? 0) + 1);
        contexts.set(seq[i]!, row);
      }
    }
    let largest = 0;
    for (const [action, before] of contexts) {
      const common = [...before].filter(([, n]) => n >= 5).map(([node]) => node);
      for (const x of common) {
        for (const y of common) {
          const px = world.userDistribution([SOPDAIL_START, x, action]);
          const py = world.userDistribution([SOPDAIL_START, y, action]);
          const tv = [...px.keys()].reduce((sum, s) => sum + Math.abs(px.get(s)! - (py.get(s) ?? 0)), 0) / 2;
          largest = Math.max(largest, tv);
        }
      }
    }
    expect(largest).toBeGreaterThan(0.3);
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

describe("the SOPDAIL world fit from the dialogues", () => {
  it("splits the tasks once, deterministically, with a quarter held out", () => {
    const ids = loadSopdailTasks().map((t) => t.id);
    const split = sopdailTaskSplit(ids);
    expect(split).toEqual(sopdailTaskSplit([...ids].reverse()));
    expect(split.test).toHaveLength(10);
    expect(new Set([...split.train, ...split.test]).size).toBe(ids.length);
  });

  it("predicts held-out user moves better with history than from the last action alone", () => {
    const fit = userStateLikelihood(world);
    expect(fit.n).toBeGreaterThan(100);
    expect(fit.history).toBeGreaterThan(fit.lastAction);
  });

  it("weighs the user states an action did not ask by the fitted weight against the plain node model", () => {
    const plain = SopCorpusWorld.build({ unaskedWeight: 1 });
    const action = world.agentNodes.find((a) => world.askedBy(a).length > 0 && world.askedBy(a).length < world.userNodes.length)!;
    const asked = world.askedBy(action)[0]!;
    const unasked = world.userNodes.find((s) => !world.askedBy(action).includes(s))!;
    const history = [SOPDAIL_START, action];
    const weighted = world.userDistribution(history);
    const base = plain.userDistribution(history);
    expect([...weighted.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(weighted.get(unasked)! / weighted.get(asked)!).toBeCloseTo((world.unaskedWeight * base.get(unasked)!) / base.get(asked)!, 12);
    // off the SOP nothing was asked: the plain model's answer
    const proactive = world.agentNodes.find((a) => world.askedBy(a).length === 0)!;
    expect(world.userDistribution([SOPDAIL_START, proactive])).toEqual(plain.userDistribution([SOPDAIL_START, proactive]));
    const fit = fitUnaskedWeight([world], [0.3, 1, 2]);
    expect(fit.map((f) => f.weight).sort()).toEqual([0.3, 1, 2]);
    expect(fit[0]!.logLikelihood).toBeGreaterThanOrEqual(fit[2]!.logLikelihood);
    expect(() => SopCorpusWorld.build({ unaskedWeight: 0 })).toThrow(/unaskedWeight must be a positive number/);
  });

  it("earns success only the way the dialogues reach it, and held-out gold dialogues keep their outcome", async () => {
    const mark = world.task.successMarks[0]!;
    expect(world.earnsSuccess([SOPDAIL_START], mark)).toBe(false);
    const replay = replayGoldOutcomes(world);
    expect(replay.recorded).toBeGreaterThan(5);
    expect(replay.agree / replay.total).toBeGreaterThanOrEqual(0.95);
    const sayMarkFirst = await playSopEpisode(world, () => mark, { seed: 1, maxAgentTurns: 3 });
    expect(sayMarkFirst.success).toBe(false);
    const gold = world.test.find((d) => d.outcome?.success === true)!;
    const goldNodes = world.nodeSequence(gold);
    expect(world.pathEarnsSuccess(goldNodes)).toBe(true);
  });

  it("says which success marks are not nodes of the task's SOP", () => {
    expect(world.marksOffSop).toEqual([]);
    const sams = SopCorpusWorld.build({ task: "shopping-sams_club_member_day_invitation" });
    expect(sams.marksOffSop).toEqual(["用户.日期可行"]);
  });

  it("plays the same episode for the same seed", async () => {
    const policy = (nodes: readonly string[]) => [...world.agentDistribution(nodes)].sort((x, y) => y[1] - x[1])[0]![0];
    expect(await playSopEpisode(world, policy, { seed: 4 })).toEqual(await playSopEpisode(world, policy, { seed: 4 }));
    await expect(playSopEpisode(world, () => "代理.飞行", { seed: 4 })).rejects.toThrow(/not an action of task/);
  });

  it("keeps one turn per node when the world never voiced a node, so a planner reading the turns sees it", async () => {
    // the task lists 其他动作 (other action) but its training dialogues never say it; the node model still allows it
    const unvoiced = "代理.其他动作";
    expect(world.agentNodes).toContain(unvoiced);
    expect(world.nodePools.has(unvoiced)).toBe(false);
    const episode = await playSopEpisode(world, () => unvoiced, { seed: 4, maxAgentTurns: 3 });
    expect(episode.turns).toHaveLength(episode.nodes.length - 1);
    expect(episode.turns.map((t) => sopdailNodeOf(t))).toEqual(episode.nodes.slice(1));
    const said = episode.turns.filter((t) => t.state?.sopNode === unvoiced);
    expect(said).toHaveLength(3);
    expect(said.every((t) => t.speaker === "system" && t.text === "")).toBe(true);
    expect(world.nodesOfTurns(episode.turns)).toEqual(episode.nodes);
  });

  it("gives a user state the dialogues never voiced as a turn without words instead of failing the episode", () => {
    const user = new CorpusSopUser(world, createRng(1));
    const unvoiced = "用户.从未说过的状态"; // a user node with no utterance in the task's dialogues
    expect(world.nodePools.has(unvoiced)).toBe(false);
    user.nextState = () => unvoiced;
    expect(user.pickTurn([])).toMatchObject({ speaker: "user", text: "", state: { sopNode: unvoiced } });
  });

  it("judges with 0/1 votes like the LLM judge: SOP-compliant usual actions above off-SOP unusual ones", async () => {
    const nodes = world.nodeSequence(world.test[0]!).slice(0, 3);
    const prescribed = [...world.agentDistribution(nodes)].sort((x, y) => y[1] - x[1])[0]![0];
    const judge = new OfflineSopRationalityJudge(world, { allowedNext: () => [prescribed], samples: 5 });
    const good = await judge.evaluate([{ speaker: "system", text: "x", state: { sopNode: prescribed } }], { act: prescribed });
    expect(good.samples).toHaveLength(5);
    expect(good.samples.every((v) => v === 0 || v === 1)).toBe(true);
    expect(good.value).toBe(good.samples.reduce((a, b) => a + b, 0) / 5);
    const rare = [...world.agentDistribution(nodes)].sort((x, y) => x[1] - y[1])[0]![0];
    expect(judge.probability(nodes, prescribed)).toBeGreaterThan(judge.probability(nodes, rare));
    expect(judge.votes(nodes, rare)).toEqual(judge.votes(nodes, rare));
    await expect(judge.evaluate([])).rejects.toThrow(/needs options.act/);
  });
});
