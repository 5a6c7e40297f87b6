import { describe, expect, it } from "vitest";
import { hashedFeatures, type HashedFeatureConfig, type TurnCountCache } from "./features.js";

describe("hashedFeatures", () => {
  const config: HashedFeatureConfig = { buckets: 97, bigrams: true, turnDecay: 0.7, maxTurns: 4 };

  it("gives the same vectors with a turn cache shared across contexts as without one", () => {
    const history = ["hello there", "hi, how are you today?", "fine, thanks. and you?"];
    const contexts = [history, ...["good, good", "hello there", "fine, thanks. and you?", ""].map((reply) => [...history, reply]), ["hello there", "hello there"], ["x"]];
    const cache: TurnCountCache = new Map();
    const cached = contexts.map((context) => hashedFeatures(context, config, cache));
    expect(cached).toEqual(contexts.map((context) => hashedFeatures(context, config)));
    // Each distinct text was counted once.
    expect(cache.size).toBe(new Set(contexts.flatMap((context) => context.slice(-config.maxTurns))).size);
  });
});
