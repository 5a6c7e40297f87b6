import { GDP_ZERO_PERSUADEE_REACTIONS, GDP_ZERO_PERSUADER_ACTS, type Dialogue } from "@foresight/dialogue";
import { beforeAll, describe, expect, it } from "vitest";
import { fitReactionModels, REACTION_L2_GRID, reactionCvFold, type FittedReactionModels } from "./reaction-cv.js";
import { fitReactionModel, reactionDistribution, reactionExamples, type ReactionContext } from "./reaction-model.js";
import { PersuasionCorpusWorld } from "./world.js";

let world: PersuasionCorpusWorld;
let fitted: FittedReactionModels;
// Building the world fits its reaction models by cross-validation (~10 CPU-s); 180 s bounds a hang on a loaded machine.
beforeAll(() => {
  world = PersuasionCorpusWorld.build();
  fitted = fitReactionModels(world.train);
}, 180_000);

describe("fitReactionModels (model selection by cross-validation on the training dialogues)", () => {
  it("keeps, per kind, the grid's L2 with the best out-of-fold log-likelihood", () => {
    for (const [kind, selection] of Object.entries(fitted.selection)) {
      expect(Object.keys(selection.cvLogLikelihood).map(Number).sort((a, b) => a - b), kind).toEqual([...REACTION_L2_GRID].sort((a, b) => a - b));
      const best = Math.max(...Object.values(selection.cvLogLikelihood));
      expect(selection.cvLogLikelihood[String(selection.l2)], kind).toBe(best);
      expect(fitted.models[kind as keyof typeof fitted.models].l2).toBe(selection.l2);
    }
    // The words and memory models have a few dozen features per class: the lightest penalty overfits them out of fold.
    expect(fitted.selection.words.cvLogLikelihood["0.3"]).toBeLessThan(fitted.selection.words.cvLogLikelihood[String(fitted.selection.words.l2)]! - 0.02);
  });

  it("backs the memory model off toward the memoryless one on propositions, where its history features overfit", () => {
    const { memory, memoryless } = fitted.selection;
    expect(Object.values(memoryless.weights).every((w) => w === 1)).toBe(true);
    expect(fitted.models.memoryless.backoff).toBeUndefined();
    for (const w of Object.values(memory.weights)) expect(w >= 0 && w <= 1).toBe(true);
    expect(memory.weights["proposition of donation"]).toBeLessThan(1);
    expect(memory.cvLogLikelihoodWithBackoff).toBeGreaterThan(memory.cvLogLikelihood[String(memory.l2)]!);
    // The fitted model's distribution is that mixture of the plain fit and the memoryless model.
    const context: ReactionContext = { acts: ["greeting", "logical appeal", "proposition of donation"], reactions: ["neutral", "positive reaction"] };
    const [plain] = fitReactionModel(world.train, "memory", [memory.l2]);
    const w = memory.weights["proposition of donation"];
    const p = reactionDistribution(plain!, context);
    const q = reactionDistribution(fitted.models.memoryless, context);
    reactionDistribution(fitted.models.memory, context).forEach((value, i) => expect(value).toBeCloseTo(w * p[i]! + (1 - w) * q[i]!, 12));
    expect(reactionDistribution(fitted.models.memory, context).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it("is what the world uses, and reads no held-out dialogue", () => {
    expect(world.reactionModels).toBe(fitted.models);
    expect(world.reactionSelection).toBe(fitted.selection);
    const heldOut = new Set(world.test.map((d) => d.id));
    expect(fitted.models.words.examples).toBe(reactionExamples(world.train).length);
    expect(world.train.some((d) => heldOut.has(d.id))).toBe(false);
  });

  it("puts dialogues that share their opening in one fold, and says when there are too few dialogues", () => {
    const [a, b] = world.train as [Dialogue, Dialogue];
    const copy: Dialogue = { ...b, id: "copy", turns: [...a.turns.slice(0, 2), ...b.turns.slice(2)] };
    expect(reactionCvFold(copy)).toBe(reactionCvFold(a));
    const folds = new Set(world.train.map(reactionCvFold));
    expect(folds.size).toBe(5);
    expect(() => fitReactionModels(world.train.slice(0, 2))).toThrow(/^fitReactionModels: 2 training dialogues are too few for 5-fold cross-validation$/);
  });

  it("is memoised by the dialogues' ids and turns, whatever objects and array hold them", () => {
    expect(fitReactionModels([...world.train])).toBe(fitted);
    const some = world.train.slice(0, 15);
    const first = fitReactionModels(some);
    expect(fitReactionModels(some.map((d) => ({ ...d, turns: d.turns.map((t) => ({ ...t })) })))).toBe(first);
    const last = some[0]!.turns.length - 1;
    const changed = some.map((d, i) => (i === 0 ? { ...d, turns: d.turns.map((t, j) => (j === last ? { ...t, text: `${t.text} (changed)` } : t)) } : d));
    expect(fitReactionModels(changed)).not.toBe(first);
  });

  it("gives every act a distribution over the five reactions", () => {
    for (const act of GDP_ZERO_PERSUADER_ACTS) {
      const p = reactionDistribution(fitted.models.words, { acts: [act], reactions: [], text: "" });
      expect(p).toHaveLength(GDP_ZERO_PERSUADEE_REACTIONS.length);
      expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    }
  });
});
