import type { DailyDialogEmotion, DailyDialogIntent, Dialogue } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { annotateDialogue } from "../annotate/annotate.js";
import { parseSacMessage } from "../chain/serialize.js";
import { judgePair } from "../judge/judge.js";
import { selectorUserMessage } from "../selfplay/prompts.js";
import { selfPlay } from "../selfplay/selfplay.js";
import { CorpusLabelAnnotator } from "./annotator.js";
import { SacCorpusWorld } from "./corpus.js";
import { EngagementJudge, engagementScore } from "./judge.js";
import { CorpusSacAgent, CorpusSacUser, RubricSelector } from "./roles.js";

type Line = [string, DailyDialogIntent, DailyDialogEmotion];

function dialogue(id: string, topic: string, lines: Line[]): Dialogue {
  return {
    id,
    domain: "open-chat",
    turns: lines.map(([text, intent, emotion], i) => ({ speaker: i % 2 === 0 ? "user" : "system", text, acts: [{ intent }], state: { emotion } })),
    metadata: { originalId: id, dataSplit: "train", topics: [topic] },
  };
}

const dialogues = [
  dialogue("d1", "Work", [
    ["I lost my job today.", "inform", "sadness"],
    ["Oh no, I am so sorry. What happened at the office, do you want to talk about it?", "question", "sadness"],
    ["They closed the whole department last week without any warning at all, and now I need to find something new quickly.", "inform", "sadness"],
    ["That sounds hard.", "inform", "no emotion"],
  ]),
  dialogue("d2", "Work", [
    ["I lost my job today.", "inform", "sadness"],
    ["Too bad.", "inform", "no emotion"],
    ["Yes.", "inform", "no emotion"],
  ]),
  dialogue("d3", "Relationship", [
    ["My sister is getting married!", "inform", "happiness"],
    ["Congratulations! When is the wedding?", "question", "happiness"],
    ["In June, at the lake house where we spent every summer as kids, and I am giving the speech.", "inform", "happiness"],
    ["How lovely.", "inform", "happiness"],
  ]),
  dialogue("d4", "Ordinary Life", [
    ["Shall we get lunch?", "directive", "no emotion"],
    ["Sure, let us go to the noodle place.", "commissive", "no emotion"],
  ]),
];

describe("offline SAGE roles", () => {
  const world = new SacCorpusWorld(dialogues);

  it("annotates with the corpus's own labels through the real annotation path, and refuses a dialogue it does not know", async () => {
    const annotator = new CorpusLabelAnnotator(dialogues);
    const outcome = await annotateDialogue(annotator, dialogues[0]!, { corpus: "dailydialog" });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.record.turns.map((turn) => [turn.annotation.motivation, turn.annotation.emotion, turn.annotation.topics])).toEqual([
      ["inform", "sadness", ["work"]],
      ["question", "sadness", ["work"]],
      ["inform", "sadness", ["work"]],
      ["inform", "neutral", ["work"]],
    ]);
    // d2 shares d1's opening: the annotator tells them apart by every turn.
    const second = await annotateDialogue(annotator, dialogues[1]!, { corpus: "dailydialog" });
    expect(second.ok && second.record.turns[1]?.annotation.emotion).toBe("neutral");
    const unknown = await annotateDialogue(annotator, dialogue("x", "Work", [["Never said.", "inform", "fear"]]), { corpus: "dailydialog", maxAttempts: 1 });
    expect(unknown.ok).toBe(false);
  });

  it("samples n SAC replies with corpus headers, the same for the same request, and never repeats what was said", async () => {
    const agent = new CorpusSacAgent(world, 1);
    const request = { messages: [{ role: "user" as const, content: "I lost my job today." }], n: 8, temperature: 1.1, topK: 100 };
    const first = await agent.complete(request);
    expect(first.choices).toHaveLength(8);
    expect((await agent.complete(request)).choices).toEqual(first.choices);
    for (const choice of first.choices) {
      const parsed = parseSacMessage(choice.text);
      expect(parsed.text).not.toBe("I lost my job today.");
      expect(parsed.userState).not.toBeNull();
      expect(parsed.action.motivation).toMatch(/^(inform|question|directive|commissive)$/);
    }
  });

  it("selects by the rubric: the reply that led to a long answer, coherent, ending with a question", async () => {
    const selector = new RubricSelector(world);
    const candidates = [{ raw: "Too bad.", text: "Too bad." }, { raw: "x", text: "Oh no, I am so sorry. What happened at the office, do you want to talk about it?" }];
    const answer = await selector.complete({ messages: [{ role: "system", content: "…" }, { role: "user", content: selectorUserMessage([{ role: "user", content: "I lost my job today." }], candidates) }] });
    expect(JSON.parse(answer.choices[0]!.text).best).toBe(2);
  });

  it("runs self-play end to end offline and judges by engagement in both orders", async () => {
    const play = (candidates: number) =>
      selfPlay({ id: "s", situation: "job loss", opening: "I lost my job today." }, { agent: new CorpusSacAgent(world, 2), user: new CorpusSacUser(world, 2), selector: new RubricSelector(world), candidates, agentTurns: 2 });
    const trajectory = await play(4);
    expect(trajectory.turns).toHaveLength(2);
    expect(trajectory.turns[1]?.user.length).toBeGreaterThan(0);
    expect(engagementScore("User: hi\nCompanion: hello\nUser: one two three\nCompanion: ok\nUser: four five")).toBe(2.5);
    const long = "User: hi\nCompanion: hello\nUser: one two three four five six";
    const short = "User: hi\nCompanion: hello\nUser: one";
    const verdict = await judgePair(new EngagementJudge(), "p", long, short);
    expect(verdict).toMatchObject({ aFirst: "first", bFirst: "second", outcome: "a" });
    expect((await judgePair(new EngagementJudge(), "q", short, short)).outcome).toBe("tie");
  });
});
