import { createRng, type Turn } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { openChatPack, persuasionPack, todPack } from "../packs/index.js";
import { ScriptedChatModel } from "../testing/index.js";
import { UsageLedger } from "../wrappers/accounting.js";
import { LlmSystemRole } from "./system.js";
import { LlmUserSimulator, parseUserOutput } from "./user.js";

const history: Turn[] = [
  { speaker: "system", text: "Hello! How are you today?", acts: [{ intent: "greeting" }] },
  { speaker: "user", text: "Good, thanks.", acts: [{ intent: "neutral" }] },
];

describe("LlmSystemRole", () => {
  it("conditions every turn on the act's natural-language form", async () => {
    const model = new ScriptedChatModel({ respond: () => "Sure." });
    const role = new LlmSystemRole({ model, rng: createRng(1), pack: persuasionPack });
    await role.reply(history, "credibility appeal", 1);
    const later: Turn[] = [...history, { speaker: "system", text: "They help millions.", acts: [{ intent: "credibility appeal" }] }, { speaker: "user", text: "Hm." }];
    await role.reply(later, "emotion appeal", 1);
    const [first, second] = model.requests.map((request) => request.messages.at(-1)?.content ?? "");
    expect(first).toContain("The Persuader establishes credibility of Save the Children by citing its impact.");
    expect(second).toContain("The Persuader uses an emotion appeal to convince the Persuadee.");
    expect(second).toContain("Persuader [credibility appeal]: They help millions.");
    expect(model.requests[0]?.role).toBe("system");
  });

  it("returns m de-duplicated, cleaned candidates and counts empty ones", async () => {
    const model = new ScriptedChatModel({
      script: [["Persuader: Children need you!", "children need you", '"Every dollar helps."', "   ", "Persuader [emotion appeal]: Imagine a hungry child.\nPersuadee: ok"]],
    });
    const ledger = new UsageLedger();
    const role = new LlmSystemRole({ model, rng: createRng(1), pack: persuasionPack, ledger });
    const candidates = await role.reply(history, "emotion appeal", 5);
    expect(candidates.map((candidate) => candidate.text)).toEqual(["Children need you!", "Every dollar helps.", "Imagine a hungry child."]);
    expect(candidates.every((candidate) => candidate.act === "emotion appeal" && !candidate.fallback)).toBe(true);
    expect(model.requests[0]?.n).toBe(5);
    expect(ledger.snapshot().byRole.system).toMatchObject({ parseAttempts: 5, parseFailures: 1 });
  });

  it("falls back to the pack's reply when nothing is usable, and accepts acts the pack does not know", async () => {
    const model = new ScriptedChatModel({ script: [["", "  "]] });
    const role = new LlmSystemRole({ model, rng: createRng(1), pack: openChatPack });
    const candidates = await role.reply([], { label: "tell a joke", description: "The Assistant tells a light joke." }, 2);
    expect(candidates).toEqual([{ text: openChatPack.fallbackReplies.system, act: "tell a joke", fallback: true }]);
    expect(model.requests[0]?.messages.at(-1)?.content).toContain("The Assistant tells a light joke.");
    await expect(role.reply([], "x", 0)).rejects.toThrow(RangeError);
  });
});

describe("LlmUserSimulator", () => {
  it("reads the persuadee's reaction label", async () => {
    const model = new ScriptedChatModel({ script: ["Persuadee: [Positive-Reaction] That sounds lovely."] });
    const user = new LlmUserSimulator({ model, rng: createRng(1), pack: persuasionPack });
    const reply = await user.respond(history);
    expect(reply).toEqual({ text: "That sounds lovely.", reaction: "positive reaction", ended: false, fallback: false });
    expect(model.requests[0]?.messages[0]?.content).toContain("no donation, negative reaction, neutral, positive reaction, donate");
  });

  it("falls back to the default reaction and counts it", async () => {
    const model = new ScriptedChatModel({ script: ["I guess so."] });
    const ledger = new UsageLedger();
    const user = new LlmUserSimulator({ model, rng: createRng(1), pack: persuasionPack, ledger });
    expect(await user.respond(history)).toMatchObject({ text: "I guess so.", reaction: "neutral", fallback: true });
    expect(ledger.parseFailureRate("user")).toBe(1);
  });

  it("plays a TOD persona with a goal block and detects <END>", async () => {
    const model = new ScriptedChatModel({ script: ["Thanks, that's all I need. Bye! <END>"] });
    const user = new LlmUserSimulator({ model, rng: createRng(1), pack: todPack, persona: "less-cooperative", goal: "- hotel: find one with area = east" });
    const reply = await user.respond([{ speaker: "system", text: "Booked, reference ABC123." }]);
    expect(reply).toEqual({ text: "Thanks, that's all I need. Bye!", ended: true, fallback: false });
    const system = model.requests[0]?.messages[0]?.content ?? "";
    expect(system).toContain("less cooperative user");
    expect(system).toContain("- hotel: find one with area = east");
    expect(system).toContain("<END>");
    expect(() => new LlmUserSimulator({ model, rng: createRng(1), pack: todPack, persona: "grumpy" })).toThrow(/no persona "grumpy"/);
  });

  it("plays SCOPE's simulated human", async () => {
    const model = new ScriptedChatModel({ script: ["Human: honestly I'm more into hiking"] });
    const user = new LlmUserSimulator({ model, rng: createRng(1), pack: openChatPack });
    expect(await user.respond([{ speaker: "system", text: "Do you like movies?" }])).toEqual({ text: "honestly I'm more into hiking", ended: false, fallback: false });
    expect(model.requests[0]?.messages[0]?.content).toMatch(/^Pretend you are a human/);
  });

  it("parses reactions written as a leading label", () => {
    expect(parseUserOutput(persuasionPack, "donate: ok, $1 it is").reply).toMatchObject({ reaction: "donate", text: "ok, $1 it is", fallback: false });
    expect(parseUserOutput(persuasionPack, "").reply).toMatchObject({ text: "I see.", fallback: true });
  });

  it("forgives a real model's spellings of the reaction and flags only what it cannot read", () => {
    const read = (raw: string) => parseUserOutput(persuasionPack, raw);
    expect(read("[positive] That sounds nice.").reply).toMatchObject({ reaction: "positive reaction", text: "That sounds nice.", fallback: false });
    expect(read("[donation] Sure, $1.").reply).toMatchObject({ reaction: "donate", fallback: false });
    expect(read("(positive reaction) I like kids.").reply).toMatchObject({ reaction: "positive reaction", text: "I like kids.", fallback: false });
    expect(read("Persuadee: [Negative Reaction] Not sure.").reply).toMatchObject({ reaction: "negative reaction", fallback: false });
    expect(read("**no donation** I'd rather not.").reply).toMatchObject({ reaction: "no donation", text: "I'd rather not.", fallback: false });
    // Unreadable: the default reaction, flagged and counted as a failure.
    const unreadable = read("Hmm, maybe later.");
    expect(unreadable.reply).toMatchObject({ reaction: "neutral", fallback: true });
    expect(unreadable.reactionFallback).toBe(true);
    expect(unreadable.failures).toBe(1);
  });
});
