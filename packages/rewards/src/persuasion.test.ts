import type { Dialogue } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import {
  donationEvents,
  donationOutcomeReward,
  extractDonationAmount,
  parseReactionLabel,
  reactionReward,
  reactionValueEstimate,
} from "./persuasion.js";

const dialogue: Dialogue = {
  id: "p1",
  domain: "persuasion",
  turns: [
    { speaker: "system", text: "Would you donate?", acts: [{ intent: "proposition-of-donation" }] },
    { speaker: "user", text: "Sure, I will give $1.", acts: [{ intent: "agree-donation" }] },
    { speaker: "system", text: "Thank you!", acts: [{ intent: "thank" }] },
    { speaker: "user", text: "Actually no, sorry.", acts: [{ intent: "disagree-donation" }] },
    { speaker: "user", text: "It sounds nice.", acts: [{ intent: "positive-reaction-to-donation" }] },
  ],
  outcome: { donated: true, persuadeeDonation: 0.5, persuadeeIntendedDonation: 1, persuaderDonation: null, persuaderIntendedDonation: null },
};

describe("persuasion rewards", () => {
  it("scores reactions on GDP-Zero's −1 … 1 scale and averages sampled reactions", () => {
    expect(reactionReward(dialogue.turns[1]!)).toBe(1);
    expect(reactionReward(dialogue.turns[3]!)).toBe(-1);
    expect(reactionReward(dialogue.turns[4]!)).toBe(0.5);
    expect(reactionValueEstimate(["donate", "neutral", "no donation", "positive reaction"])).toBe(0.125);
    expect(() => reactionValueEstimate([])).toThrow(/no sampled reactions/);
  });

  it("reads a reaction label out of free text", () => {
    expect(parseReactionLabel("The persuadee shows a Negative Reaction.")).toBe("negative reaction");
    expect(parseReactionLabel("no donation")).toBe("no donation");
    expect(parseReactionLabel("They will donate.")).toBe("donate");
    expect(parseReactionLabel("unclear")).toBeUndefined();
  });

  it("extracts stated donation amounts", () => {
    expect(extractDonationAmount("I'll donate $0.50 today")).toBe(0.5);
    expect(extractDonationAmount("maybe 50 cents")).toBe(0.5);
    expect(extractDonationAmount("I'd say 0.5 of it")).toBeUndefined();
    expect(extractDonationAmount("two dollars then")).toBe(2);
    expect(extractDonationAmount("2 dollars, not $5")).toBe(2);
    expect(extractDonationAmount("I will think about it")).toBeUndefined();
  });

  it("lists donation events and reads the outcome", () => {
    expect(donationEvents(dialogue)).toEqual([
      { turnIndex: 1, reaction: "donate", amount: 1 },
      { turnIndex: 3, reaction: "no donation" },
    ]);
    expect(donationOutcomeReward(dialogue)).toBe(1);
    expect(donationOutcomeReward(dialogue, "amount")).toBe(0.5);
    expect(() => donationOutcomeReward({ id: "x" })).toThrow(/has no PersuasionForGood outcome/);
  });
});
