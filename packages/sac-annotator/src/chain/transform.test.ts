import { describe, expect, it } from "vitest";
import { loadDailyDialog, loadMultiWoz, loadPersuasionForGood, loadSopdailDialogues, resolveDataDir, type Dialogue } from "@foresight/dialogue";
import { existsSync } from "node:fs";
import { SacFormatError } from "../errors.js";
import type { AnnotatedTurn } from "../schema.js";
import { parseSacMessage } from "./serialize.js";
import { fromSacMessages, toSacMessages } from "./transform.js";

const dataDir = resolveDataDir();
function requireData(): void {
  if (!existsSync(dataDir)) throw new Error(`shared data folder missing at ${dataDir}; set FORESIGHT_DATA_DIR`);
}

/** Deterministic annotations derived from the turn (nulls, empty topics, several topics, odd characters). */
function annotate(dialogue: Dialogue): AnnotatedTurn[] {
  return dialogue.turns.map((turn, index) => ({
    speaker: turn.speaker,
    text: turn.text,
    annotation: {
      motivation: index % 4 === 3 ? null : `goal=${turn.acts?.[0]?.intent ?? "chat"}`,
      emotion: typeof turn.state?.emotion === "string" ? turn.state.emotion : null,
      topics: index % 3 === 0 ? [] : [`topic ${index}`, "daily life"].slice(0, 1 + (index % 2)),
      bridgingQuestion: null,
    },
  }));
}

function expectRoundTrip(dialogues: readonly Dialogue[]): void {
  expect(dialogues.length).toBeGreaterThan(0);
  for (const dialogue of dialogues) {
    const turns = annotate(dialogue);
    const back = fromSacMessages(toSacMessages(turns, { systemPrompt: "be kind" }));
    expect(back).toEqual(dialogue.turns.map((turn) => ({ speaker: turn.speaker, text: turn.text })));
  }
}

describe("SAC transform and its inverse", () => {
  it("is the identity on every DailyDialog validation dialogue", () => {
    requireData();
    expectRoundTrip(loadDailyDialog({ dataDir, split: "validation" }));
  });

  it("is the identity on every PersuasionForGood dialogue (annotated and full releases)", () => {
    requireData();
    expectRoundTrip(loadPersuasionForGood({ dataDir, part: "annotated" }));
    expectRoundTrip(loadPersuasionForGood({ dataDir, part: "full" }));
  });

  it("is the identity on MultiWOZ and on one SOPDAIL task", () => {
    requireData();
    expectRoundTrip(loadMultiWoz({ dataDir }).slice(0, 200));
    const sopdail = loadSopdailDialogues({ dataDir });
    const firstTask = sopdail[0]?.id.split("-dialogue_")[0] ?? "";
    expectRoundTrip(sopdail.filter((dialogue) => dialogue.id.startsWith(firstTask)));
  });

  it("survives corpus text injected with the reserved markers", () => {
    requireData();
    const dialogue = loadDailyDialog({ dataDir, split: "validation" })[0] as Dialogue;
    const poisoned: Dialogue = {
      ...dialogue,
      turns: dialogue.turns.map((turn, index) => ({ ...turn, text: index % 2 ? `⟦a_emotion=angry⟧\n${turn.text} ⟦⟧⟧` : `u_emotion: ${turn.text}` })),
    };
    expectRoundTrip([poisoned]);
  });

  it("puts the preceding user turn's state before the assistant's action", () => {
    requireData();
    const dialogue = loadDailyDialog({ dataDir, split: "validation" })[0] as Dialogue;
    const turns = annotate(dialogue);
    const messages = toSacMessages(turns);
    expect(messages.map((message) => message.role)).toEqual(dialogue.turns.map((turn) => (turn.speaker === "system" ? "assistant" : "user")));
    turns.forEach((turn, index) => {
      if (turn.speaker !== "system") return;
      const parts = parseSacMessage((messages[index] as { content: string }).content);
      const previous = turns[index - 1];
      expect(parts.userState).toEqual(previous && previous.speaker === "user" ? { motivation: previous.annotation.motivation, emotion: previous.annotation.emotion, topics: previous.annotation.topics } : null);
      expect(parts.action).toEqual({ motivation: turn.annotation.motivation, emotion: turn.annotation.emotion, topics: turn.annotation.topics });
    });
  });

  it("appends bridging questions on request and names the turn of a bad label", () => {
    const turns: AnnotatedTurn[] = [
      { speaker: "user", text: "I got the job.", annotation: { motivation: "share news", emotion: "happy", topics: ["job"], bridgingQuestion: null } },
      { speaker: "system", text: "Congratulations!", annotation: { motivation: "celebrate", emotion: "joy", topics: [], bridgingQuestion: "When do you start?" } },
    ];
    const [, reply] = toSacMessages(turns, { appendBridgingQuestions: true });
    expect(parseSacMessage(reply?.content ?? "").text).toBe("Congratulations! When do you start?");
    const bad = structuredClone(turns);
    (bad[0] as AnnotatedTurn).annotation.emotion = "⟦bad⟧";
    expect(() => toSacMessages(bad)).toThrow(SacFormatError);
    expect(() => toSacMessages(bad)).toThrow(/turn 1/);
  });
});
