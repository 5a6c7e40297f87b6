import { DAILYDIALOG_EMOTIONS, DAILYDIALOG_INTENTS, createRng, type DailyDialogIntent, type Dialogue, type Turn } from "@foresight/dialogue";
import { beforeAll, describe, expect, it } from "vitest";
import { jaccard } from "../text/sample.js";
import { tokenize } from "../text/tokenize.js";
import { CorpusCandidateGenerator, CorpusChatPartner } from "./roles.js";
import { simulateOpenChat } from "./simulate.js";
import { chatUtterances, OpenChatCorpusWorld } from "./world.js";

let world: OpenChatCorpusWorld;
beforeAll(() => {
  world = OpenChatCorpusWorld.build();
});

function intentTable(pairs: readonly [DailyDialogIntent, DailyDialogIntent][]): Map<DailyDialogIntent, Map<DailyDialogIntent, number>> {
  const table = new Map<DailyDialogIntent, Map<DailyDialogIntent, number>>();
  for (const [before, after] of pairs) {
    const row = table.get(before) ?? new Map();
    row.set(after, (row.get(after) ?? 0) + 1);
    table.set(before, row);
  }
  return table;
}

function tv(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  const total = (m: ReadonlyMap<string, number>) => [...m.values()].reduce((s, v) => s + v, 0);
  return DAILYDIALOG_INTENTS.reduce((s, i) => s + Math.abs((a.get(i) ?? 0) / total(a) - (b.get(i) ?? 0) / total(b)), 0) / 2;
}

describe("OpenChatCorpusWorld", () => {
  it("indexes every answering utterance of the training dialogues and none of the held-out ones", () => {
    const testIds = new Set(world.test.map((d) => d.id));
    expect(world.test.length).toBeGreaterThan(500);
    expect(world.utterances.length).toBe(world.train.reduce((s, d) => s + d.turns.length - 1, 0));
    expect(world.utterances.some((u) => testIds.has(u.dialogueId))).toBe(false);
  });

  it("keeps DailyDialog's copies of one dialogue (other ids, other spacing) out of the held-out part", () => {
    const words = (dialogue: Dialogue) => dialogue.turns.map((turn) => tokenize(turn.text).join(" "));
    const trainWhole = new Set(world.train.map((d) => words(d).join("\n")));
    const trainOpenings = new Set(world.train.map((d) => words(d).slice(0, 3).join("\n")));
    expect(world.test.filter((d) => trainWhole.has(words(d).join("\n")))).toEqual([]);
    expect(world.test.filter((d) => trainOpenings.has(words(d).slice(0, 3).join("\n")))).toEqual([]);
    // The corpus does hold such copies: the split has something to keep apart.
    const all = [...world.train, ...world.test];
    expect(new Set(all.map((d) => words(d).join("\n"))).size).toBeLessThan(all.length - 100);
  });
});

describe("CorpusChatPartner", () => {
  it("replies differently to different things said, with what people said after similar words", () => {
    const partner = new CorpusChatPartner(world, { rng: createRng(1) });
    const name = partner.pick([{ speaker: "system", text: "Hello, what's your name?" }], createRng(5));
    const weather = partner.pick([{ speaker: "system", text: "What will the weather be like tomorrow? Will it rain?" }], createRng(5));
    expect(name.text).not.toBe(weather.text);
    const source = world.utterances.find((u) => u.dialogueId === weather.source.dialogueId && u.turn === weather.source.turn)!;
    expect(tokenize(source.previousText).some((t) => ["weather", "rain", "tomorrow"].includes(t))).toBe(true);
  });

  it("on held-out contexts, answers each intent with the intents people used after it (TV ≤ 0.1)", () => {
    const partner = new CorpusChatPartner(world, { rng: createRng(2) });
    const rng = createRng("held-out");
    const contexts = chatUtterances(world.test);
    const simulated: [DailyDialogIntent, DailyDialogIntent][] = [];
    const corpus: [DailyDialogIntent, DailyDialogIntent][] = [];
    const byKey = new Map(contexts.map((u) => [`${u.dialogueId}#${u.turn}`, u]));
    for (let i = 0; i < 500; i++) {
      const u = contexts[rng.int(contexts.length)]!;
      const previous = byKey.get(`${u.dialogueId}#${u.turn - 1}`);
      if (!previous) continue;
      const history: Turn[] = [];
      if (u.beforePreviousText) history.push({ speaker: "user", text: u.beforePreviousText });
      history.push({ speaker: "system", text: u.previousText, acts: [{ intent: u.previousIntent }] });
      simulated.push([previous.intent, partner.pick(history, rng).intent]);
      corpus.push([previous.intent, u.intent]);
    }
    const train = chatUtterances(world.train);
    const trainByKey = new Map(train.map((u) => [`${u.dialogueId}#${u.turn}`, u]));
    const trainPairs = train.flatMap((u): [DailyDialogIntent, DailyDialogIntent][] => {
      const previous = trainByKey.get(`${u.dialogueId}#${u.turn - 1}`);
      return previous ? [[previous.intent, u.intent]] : [];
    });
    const sim = intentTable(simulated);
    const reference = intentTable(trainPairs);
    for (const intent of ["inform", "question"] as const) {
      expect(tv(sim.get(intent)!, reference.get(intent)!), intent).toBeLessThan(0.1);
    }
    expect(corpus.length).toBe(simulated.length);
  });
});

describe("CorpusCandidateGenerator", () => {
  const history: Turn[] = [{ speaker: "user", text: "Do you want to go to the movies tonight?" }];

  it("gives m distinct real utterances, more diverse than the m most relevant", async () => {
    const generator = new CorpusCandidateGenerator(world, { rng: createRng(3) });
    const candidates = await generator.reply(history, "any", 5);
    expect(candidates).toHaveLength(5);
    expect(new Set(candidates.map((c) => c.text)).size).toBe(5);
    const texts = new Set(world.utterances.map((u) => u.text));
    for (const c of candidates) expect(texts.has(c.text)).toBe(true);
    const redundancy = (items: string[]) => {
      const sets = items.map((t) => new Set(tokenize(t)));
      let sum = 0;
      let n = 0;
      for (let i = 0; i < sets.length; i++) for (let j = i + 1; j < sets.length; j++, n++) sum += jaccard(sets[i]!, sets[j]!);
      return sum / n;
    };
    const plain = new CorpusCandidateGenerator(world, { rng: createRng(3), lambda: 1 }).candidates(history, 5);
    expect(redundancy(candidates.map((c) => c.text))).toBeLessThanOrEqual(redundancy(plain.map((c) => c.text)));
  });

  it("restricts candidates to a DailyDialog intent given as the act", async () => {
    const generator = new CorpusCandidateGenerator(world, { rng: createRng(4) });
    for (const c of await generator.reply(history, "question", 4)) expect(c.act).toBe("question");
    const questions = generator.candidates(history, 4, "question");
    expect(questions.every((c) => c.intent === "question")).toBe(true);
  });
});

describe("odd input", () => {
  it("opens an empty chat with m distinct real openers, and still gives m candidates for words the corpus never saw", async () => {
    const generator = new CorpusCandidateGenerator(world, { rng: createRng(6) });
    const openers = new Set(world.openers.map((o) => o.text));
    const first = await generator.reply([], "any", 5);
    expect(first).toHaveLength(5);
    expect(new Set(first.map((c) => c.text)).size).toBe(5);
    for (const c of first) expect(openers.has(c.text)).toBe(true);
    const questions = generator.candidates([], 3, "question");
    expect(questions).toHaveLength(3);
    expect(questions.every((c) => c.intent === "question")).toBe(true);
    const gibberish = generator.candidates([{ speaker: "user", text: "zxqv blorptang" }], 4);
    expect(new Set(gibberish.map((c) => c.text)).size).toBe(4);
    const partner = new CorpusChatPartner(world, { rng: createRng(7) });
    expect(openers.has(partner.pick([]).text)).toBe(true);
    await expect(generator.reply([], "any", 0)).rejects.toThrow(/positive integer/);
  });
});

describe("simulateOpenChat", () => {
  it("is the same for the same seed and only carries DailyDialog intents and emotions", () => {
    const a = simulateOpenChat(world, { seed: 1 });
    expect(simulateOpenChat(world, { seed: 1 })).toEqual(a);
    expect(simulateOpenChat(world, { seed: 2 }).dialogue.turns[0]!.text).not.toBe(a.dialogue.turns[0]!.text);
    for (let seed = 0; seed < 5; seed++) {
      const { dialogue, outcome } = simulateOpenChat(world, { seed, maxTurns: 6 });
      expect(dialogue.turns).toHaveLength(6);
      for (const turn of dialogue.turns) {
        expect(DAILYDIALOG_INTENTS).toContain(turn.acts?.[0]?.intent);
        expect(DAILYDIALOG_EMOTIONS).toContain(turn.state?.emotion);
      }
      expect(outcome.partnerTokens).toBeGreaterThan(0);
    }
  });
});
