import {
  GDP_ZERO_PERSUADEE_REACTIONS,
  GDP_ZERO_PERSUADER_ACTS,
  P4G_PERSUADEE_REACTION_TABLE,
  P4G_PERSUADER_ACT_TABLE,
  createRng,
  type GdpZeroPersuadeeReaction,
  type Turn,
} from "@foresight/dialogue";
import { beforeAll, describe, expect, it } from "vitest";
import { mainPersuaderAct } from "./corpus.js";
import { checkPersuasionWorld } from "./check.js";
import { CorpusPersuadee, CorpusPersuader, CorpusPersuaderPrior, CorpusReactionValue } from "./roles.js";
import { simulatePersuasion } from "./simulate.js";
import { PersuasionCorpusWorld } from "./world.js";

/** Total variation distance between two count tables over the reactions. */
function totalVariation(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  const sum = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((s, v) => s + v, 0);
  const [na, nb] = [sum(a), sum(b)];
  return GDP_ZERO_PERSUADEE_REACTIONS.reduce((s, r) => s + Math.abs((a.get(r) ?? 0) / na - (b.get(r) ?? 0) / nb), 0) / 2;
}

let world: PersuasionCorpusWorld;
// Building the world fits its reaction models by cross-validation (~10 CPU-s); 180 s bounds a hang on a loaded machine.
beforeAll(() => {
  world = PersuasionCorpusWorld.build();
}, 180_000);

describe("PersuasionCorpusWorld", () => {
  it("holds out whole dialogues: nothing it retrieves comes from the test split", () => {
    const testIds = new Set(world.test.map((d) => d.id));
    expect(world.test.length).toBeGreaterThan(30);
    expect(world.replies.length).toBeGreaterThan(1000);
    expect(world.replies.some((r) => testIds.has(r.dialogueId))).toBe(false);
    expect(world.persuaderTurns.some((t) => testIds.has(t.dialogueId))).toBe(false);
  });

  it("validates the donation value on held-out dialogues better than chance", () => {
    expect(world.validation.testDialogues).toBe(world.test.length);
    expect(world.validation.aucFullHistory).toBeGreaterThan(0.6);
    const intended = PersuasionCorpusWorld.build({ valueTarget: "intended" });
    expect(intended.validation.aucFullHistory).toBeGreaterThan(0.8);
  });
});

describe("simulatePersuasion", () => {
  it("gives the same dialogue for the same seed and another for another seed", () => {
    const a = simulatePersuasion(world, { seed: 5 });
    const b = simulatePersuasion(world, { seed: 5 });
    const c = simulatePersuasion(world, { seed: 6 });
    expect(b).toEqual(a);
    expect(c.dialogue.turns.map((t) => t.text)).not.toEqual(a.dialogue.turns.map((t) => t.text));
    expect(a.dialogue.turns).toHaveLength(20);
  });

  it("emits only the corpus' acts and GDP-Zero's acts and reactions, and events that match the reactions", () => {
    for (let seed = 0; seed < 20; seed++) {
      const { dialogue, outcome } = simulatePersuasion(world, { seed, maxTurns: 8 });
      dialogue.turns.forEach((turn, i) => {
        expect(turn.speaker).toBe(i % 2 === 0 ? "system" : "user");
        const table = turn.speaker === "system" ? P4G_PERSUADER_ACT_TABLE : P4G_PERSUADEE_REACTION_TABLE;
        for (const act of turn.acts ?? []) expect(Object.hasOwn(table, act.intent)).toBe(true);
        if (turn.speaker === "system") expect(GDP_ZERO_PERSUADER_ACTS).toContain(turn.state?.gdpZeroAct);
        else expect(GDP_ZERO_PERSUADEE_REACTIONS).toContain(turn.state?.reaction);
      });
      for (const event of outcome.events) {
        expect(dialogue.turns[event.turn]!.state?.reaction).toBe(event.kind === "donation" ? "donate" : "no donation");
      }
      expect(outcome.donationProbability).toBeGreaterThan(0);
      expect(outcome.donationProbability).toBeLessThan(1);
    }
  });

  it("answers each act with the reactions people gave after it in the corpus (TV ≤ 0.15 over 150 dialogues)", () => {
    const simulated = new Map<string, Map<GdpZeroPersuadeeReaction, number>>();
    for (let seed = 0; seed < 150; seed++) {
      const { dialogue } = simulatePersuasion(world, { seed });
      for (let i = 1; i < dialogue.turns.length; i += 2) {
        const act = dialogue.turns[i - 1]!.state!.gdpZeroAct as string;
        const reaction = dialogue.turns[i]!.state!.reaction as GdpZeroPersuadeeReaction;
        const row = simulated.get(act) ?? new Map();
        row.set(reaction, (row.get(reaction) ?? 0) + 1);
        simulated.set(act, row);
      }
    }
    let checked = 0;
    for (const [act, corpus] of world.reactionCounts()) {
      const row = simulated.get(act);
      expect(row, act).toBeDefined();
      const n = [...row!.values()].reduce((s, v) => s + v, 0);
      if (n < 80) continue;
      expect(totalVariation(corpus, row!), act).toBeLessThan(0.15);
      checked++;
    }
    // Most acts are common enough to be compared (so the bound cannot hold vacuously).
    expect(checked).toBeGreaterThanOrEqual(5);
  });
});

describe("CorpusPersuadee", () => {
  it("remembers: a proposition after appeals, a refusal or a stated donation draws what the corpus says it does", () => {
    const persuadee = new CorpusPersuadee(world, { rng: createRng(1), reactionModel: "memory" });
    const turn = (act: string): Turn => ({ speaker: "system", text: "", state: { gdpZeroAct: act } });
    const said = (reaction: string): Turn => ({ speaker: "user", text: "", state: { reaction } });
    const pDonate = (history: Turn[]) => persuadee.reactionProbabilities(history, "proposition of donation").get("donate")!;
    const afterActs = (act: string) => Array.from({ length: 7 }, () => [turn(act), said("neutral")]).flat();
    // The memoryless world gives the same answer whatever came before; this one does not.
    expect(pDonate(afterActs("logical appeal"))).not.toBeCloseTo(pDonate(afterActs("task related inquiry")), 2);
    const opening = [turn("greeting"), said("neutral"), turn("proposition of donation")];
    expect(pDonate([...opening, said("no donation")])).toBeLessThan(pDonate([...opening, said("neutral")]));
    expect(pDonate([...opening, said("donate")])).toBeGreaterThan(pDonate([...opening, said("positive reaction")]));
  });

  it("reads the persuader's words by default: the same act and history drawn different reactions by different words", () => {
    expect(world.reactionModel.kind).toBe("words");
    const persuadee = new CorpusPersuadee(world, { rng: createRng(1) });
    const opening: Turn[] = [{ speaker: "system", text: "Hello, how are you?", state: { gdpZeroAct: "greeting" } }, { speaker: "user", text: "Good", state: { reaction: "neutral" } }];
    const ask = (text: string) => persuadee.reactionProbabilities([...opening, { speaker: "system", text, state: { gdpZeroAct: "proposition of donation" } }]);
    const small = ask("Would you be willing to donate just $0.50 of your task payment to Save the Children?");
    const vague = ask("So what do you think about it?");
    expect(small.get("donate")).not.toBeCloseTo(vague.get("donate")!, 2);
    // The memory model hears only the act: the words change nothing.
    const memory = new CorpusPersuadee(world, { rng: createRng(1), reactionModel: "memory" });
    const askMemory = (text: string) => memory.reactionProbabilities([...opening, { speaker: "system", text, state: { gdpZeroAct: "proposition of donation" } }]);
    expect(askMemory("So what do you think about it?")).toEqual(askMemory("Would you like to donate $1?"));
    expect(() => new CorpusPersuadee(world, { rng: createRng(1), reactionModel: "psychic" as never })).toThrow(/reactionModel must be one of words, memory, memoryless/);
    expect(() => PersuasionCorpusWorld.build({ dialogues: world.train, persuadeeModel: "psychic" as never })).toThrow(/^PersuasionForGood world: persuadeeModel must be one of words, memory, memoryless, got "psychic"$/);
  });

  it("is checked on held-out dialogues: words beat memory beat memoryless in log-likelihood, the corpus donation rate ±5 points", () => {
    const check = checkPersuasionWorld(world, { replays: 3 });
    expect(check.persuadeeModel).toBe("words");
    expect(check.logLikelihood.words).toBeGreaterThan(check.logLikelihood.memory);
    expect(check.logLikelihood.memory).toBeGreaterThan(check.logLikelihood.memoryless);
    // Paired over held-out dialogues, the words model's gain is not noise.
    expect(check.logLikelihood.gains.wordsOverMemory.ci[0]).toBeGreaterThan(0);
    expect(check.logLikelihood.gains.wordsOverMemory.mean).toBeCloseTo(check.logLikelihood.words - check.logLikelihood.memory, 10);
    expect(Math.abs(check.donationRate.simulated - check.donationRate.corpus)).toBeLessThan(0.05);
    // Per act the world is as close to the held-out persuadees as the training persuadees themselves are.
    for (const [act, entry] of Object.entries(check.reactionTv)) expect(entry.tv, act).toBeLessThan(entry.trainVsHeldOut + 0.05);
    // Sampling alone keeps a perfect model's TV above zero, more so for acts with few held-out reactions.
    const { "emotion appeal": few, other: many } = check.reactionTv;
    expect(few.corpus).toBeLessThan(many.corpus);
    expect(few.samplingFloor).toBeGreaterThan(many.samplingFloor);
    expect(many.samplingFloor).toBeGreaterThan(0);
    // GDP-Zero's value question: after a stated donation a proposition draws a donation more often than before any
    // decision, in the held-out corpus and in the memory model the value role asks.
    const { afterStatedDonation: agreed, noDecision: open } = check.proposition;
    expect(agreed.reactions).toBeGreaterThan(10);
    expect(open.reactions).toBeGreaterThan(agreed.reactions);
    expect(agreed.corpusDonate).toBeGreaterThan(open.corpusDonate);
    expect(agreed.memoryDonate).toBeGreaterThan(open.memoryDonate);
  });

  it("reads the act from the history and replies with a real reply that followed that act", async () => {
    const persuadee = new CorpusPersuadee(world, { rng: createRng(2) });
    const history: Turn[] = [{ speaker: "system", text: "Would you like to donate some of your earnings to Save the Children?", acts: [{ intent: "proposition of donation" }] }];
    const reply = await persuadee.respond(history);
    const source = world.replies.find((r) => r.text === reply.text);
    expect(source?.persuaderAct).toBe("proposition of donation");
    expect(reply.reaction).toBe(source?.reaction);
    expect(reply.ended).toBe(false);
  });
});

describe("the corpus roles as a planner chains them (texts only)", () => {
  it("answers a persuader's text with replies that followed the act it was realised with", async () => {
    const persuader = new CorpusPersuader(world, { rng: createRng(21) });
    const persuadee = new CorpusPersuadee(world, { rng: createRng(22) });
    const opening: Turn[] = [{ speaker: "user", text: "Hi! I'm doing well, how about you?" }];
    let checked = 0;
    for (const act of GDP_ZERO_PERSUADER_ACTS) {
      for (const candidate of await persuader.reply(opening, act, 6)) {
        // No acts, no state: only what a planner that keeps texts would pass on.
        const history: Turn[] = [...opening, { speaker: "system", text: candidate.text }];
        expect(world.actOf(history[1]!), candidate.text).toBe(act);
        const reply = await persuadee.respond(history);
        const sources = world.replies.filter((r) => r.text === reply.text);
        expect(sources.some((r) => r.persuaderAct === act), `${act}: ${reply.text}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(6 * GDP_ZERO_PERSUADER_ACTS.length);
  });
});

describe("CorpusPersuader", () => {
  it("returns m distinct real utterances whose main act is the requested one", async () => {
    const persuader = new CorpusPersuader(world, { rng: createRng(3) });
    for (const act of GDP_ZERO_PERSUADER_ACTS) {
      const candidates = await persuader.reply([{ speaker: "user", text: "Hi! I'm doing well, how about you?" }], act, 4);
      expect(candidates).toHaveLength(4);
      expect(new Set(candidates.map((c) => c.text)).size).toBe(4);
      for (const candidate of candidates) {
        const turn = world.persuaderTurns.find((t) => t.text === candidate.text);
        expect(turn?.act, candidate.text).toBe(act);
        expect(candidate.act).toBe(act);
      }
    }
    await expect(persuader.reply([], "bribery", 1)).rejects.toThrow(/not a PersuasionForGood persuader act/);
  });

  it("realises turns whose corpus labels give back the requested act", () => {
    const persuader = new CorpusPersuader(world, { rng: createRng(4) });
    const turn = persuader.realizeTurn([], "credibility appeal");
    expect(mainPersuaderAct(turn)).toBe("credibility appeal");
  });
});

describe("CorpusPersuaderPrior", () => {
  it("opens with a greeting most often and samples first acts at the corpus rate (±0.05 over 2000 draws)", async () => {
    const prior = new CorpusPersuaderPrior(world);
    const result = await prior.prior([]);
    expect(result.method).toBe("corpus");
    expect(result.probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 10);
    expect(result.acts[result.probabilities.indexOf(Math.max(...result.probabilities))]).toBe("greeting");
    const firstActs = world.train.map((d) => mainPersuaderAct(d.turns.find((t) => t.speaker === "system")!));
    const corpusGreeting = firstActs.filter((a) => a === "greeting").length / firstActs.length;
    const rng = createRng(9);
    let greetings = 0;
    for (let i = 0; i < 2000; i++) if (prior.sample([], rng) === "greeting") greetings++;
    expect(Math.abs(greetings / 2000 - corpusGreeting)).toBeLessThan(0.05);
  });

  it("predicts held-out persuaders better than their act frequencies alone", () => {
    const unigram = PersuasionCorpusWorld.build({ priorOrder: 1 });
    const sequences = world.test.map((d) => d.turns.filter((t) => t.speaker === "system").map(mainPersuaderAct));
    expect(world.prior.crossEntropy(sequences)).toBeLessThan(unigram.prior.crossEntropy(sequences));
  });

  it("restricts and renormalises to the acts offered", async () => {
    const result = await new CorpusPersuaderPrior(world).prior([], { acts: ["logical appeal", "emotion appeal"] });
    expect(result.acts).toEqual(["logical appeal", "emotion appeal"]);
    expect(result.probabilities[0]! + result.probabilities[1]!).toBeCloseTo(1, 10);
  });
});

describe("CorpusReactionValue", () => {
  const ask: Turn = { speaker: "system", text: "Would you like to donate?", state: { gdpZeroAct: "proposition of donation" } };
  const reply = (reaction: string): Turn => ({ speaker: "user", text: reaction, state: { reaction } });

  it("ranks a stated donation above a positive reaction above a refusal, after any opening", () => {
    const value = new CorpusReactionValue(world, { rng: createRng(1), samples: 0 });
    const openings: Turn[][] = [[], [{ speaker: "system", text: "Hi", state: { gdpZeroAct: "greeting" } }, reply("neutral")]];
    for (const act of GDP_ZERO_PERSUADER_ACTS) openings.push([{ speaker: "system", text: act, state: { gdpZeroAct: act } }, reply("negative reaction")]);
    for (const opening of openings) {
      const donated = value.expectedValue([...opening, ask, reply("donate")]);
      const positive = value.expectedValue([...opening, ask, reply("positive reaction")]);
      const refused = value.expectedValue([...opening, ask, reply("no donation")]);
      expect(donated).toBeGreaterThan(positive);
      expect(positive).toBeGreaterThan(refused);
    }
  });

  it("samples l = 10 reactions to the donation question, each worth −1, −0.5, 0, 0.5 or 1", async () => {
    const value = new CorpusReactionValue(world, { rng: createRng(2) });
    const estimate = await value.evaluate([ask, reply("positive reaction")]);
    expect(estimate.samples).toHaveLength(10);
    for (const sample of estimate.samples) expect([-1, -0.5, 0, 0.5, 1]).toContain(sample);
    expect(estimate.value).toBeCloseTo(estimate.samples.reduce((s, v) => s + v, 0) / 10, 12);
    const withAct = await value.evaluate([ask, reply("neutral")], { act: "emotion appeal" });
    expect(withAct.samples).toHaveLength(10);
  });

  it("reads reactions from text alone by the nearest corpus replies", () => {
    expect(world.reactionOf({ speaker: "user", text: "I would like to donate $1 to Save the Children." })).toBe("donate");
  });
});
