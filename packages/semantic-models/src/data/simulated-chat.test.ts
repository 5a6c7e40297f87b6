import { OpenChatCorpusWorld } from "@foresight/llm-sim";
import { describe, expect, it } from "vitest";
import { simulatedChatSteps } from "./simulated-chat.js";

describe("simulated SCOPE steps (the mismatched chat world, real DailyDialog from the shared data folder)", () => {
  const world = OpenChatCorpusWorld.build({ trainHalf: 0 });

  it("answers every candidate of a context, continues with one of them, and is reproducible", () => {
    const { steps, groups } = simulatedChatSteps(world, 23, 5);
    expect(steps).toHaveLength(23);
    expect(groups).toHaveLength(23);
    // Steps of a group share the context and differ in the agent's reply; the human answers each.
    const first = steps.filter((_, i) => groups[i] === 0);
    expect(first.length).toBe(5);
    for (const step of first) {
      expect(step.dialogue.turns.slice(0, step.at)).toEqual(first[0]!.dialogue.turns.slice(0, first[0]!.at));
      expect(step.dialogue.turns[step.at]?.speaker).toBe("system");
      expect(step.dialogue.turns[step.at + 1]?.speaker).toBe("user");
    }
    expect(new Set(first.map((s) => s.dialogue.turns[s.at]!.text)).size).toBe(5);
    // The next context continues the conversation with one of the answered candidates.
    const second = steps[groups.indexOf(1)]!;
    const chosen = second.dialogue.turns.slice(second.at - 2, second.at);
    expect(first.some((s) => s.dialogue.turns[s.at]!.text === chosen[0]!.text && s.dialogue.turns[s.at + 1]!.text === chosen[1]!.text)).toBe(true);
    // Openers come from the world's train dialogues, never the held-out part.
    const openers = new Set(world.openers.map((o) => o.text));
    for (const s of steps) expect(openers.has(s.dialogue.turns[0]!.text)).toBe(true);
    const again = simulatedChatSteps(world, 23, 5);
    expect(again.steps.map((s) => s.dialogue.turns.map((t) => t.text))).toEqual(steps.map((s) => s.dialogue.turns.map((t) => t.text)));
    expect(simulatedChatSteps(world, 23, 6).steps.map((s) => s.dialogue.turns[0]!.text)).not.toEqual(steps.map((s) => s.dialogue.turns[0]!.text));
  });
});
