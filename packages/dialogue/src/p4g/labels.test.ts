import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { requireCorpusDir, resolveDataDir } from "../core/data-dir.js";
import {
  GDP_ZERO_PERSUADEE_REACTIONS,
  GDP_ZERO_PERSUADER_ACTS,
  P4G_PERSUADEE_REACTION_TABLE,
  P4G_PERSUADER_ACT_TABLE,
  UnknownP4gLabelError,
  gdpZeroActsOfTurn,
  gdpZeroReactionOfLabels,
  gdpZeroReactionOfTurn,
  gdpZeroReactionValue,
  toGdpZeroPersuadeeReaction,
  toGdpZeroPersuaderAct,
} from "./labels.js";

/** Distinct non-empty values of some columns of the raw annotated CSV, read independently of the loader. */
function distinctLabels(columns: readonly string[]): Set<string> {
  const file = join(requireCorpusDir(resolveDataDir(), "p4g"), "annotated_dialog.csv");
  const records = parse(readFileSync(file, "utf8"), { columns: true }) as Record<string, string>[];
  const labels = new Set<string>();
  for (const record of records) {
    for (const column of columns) {
      const value = record[column]?.trim();
      if (value) labels.add(value);
    }
  }
  return labels;
}

describe("GDP-Zero act mapping", () => {
  it("maps every persuader label of the annotated file", () => {
    const labels = distinctLabels(["er_label_1", "er_label_2"]);
    expect(labels.size).toBe(28);
    for (const label of labels) expect(GDP_ZERO_PERSUADER_ACTS).toContain(toGdpZeroPersuaderAct(label));
    // The table has no entries the file lacks, so it documents exactly the corpus' vocabulary.
    expect(new Set(Object.keys(P4G_PERSUADER_ACT_TABLE))).toEqual(labels);
  });

  it("maps every persuadee label of the annotated file", () => {
    const labels = distinctLabels(["ee_label_1", "ee_label_2"]);
    expect(labels.size).toBe(23);
    for (const label of labels) expect(GDP_ZERO_PERSUADEE_REACTIONS).toContain(toGdpZeroPersuadeeReaction(label));
    expect(new Set(Object.keys(P4G_PERSUADEE_REACTION_TABLE))).toEqual(labels);
  });

  it("uses every GDP-Zero act and reaction", () => {
    expect(new Set(Object.values(P4G_PERSUADER_ACT_TABLE))).toEqual(new Set(GDP_ZERO_PERSUADER_ACTS));
    expect(new Set(Object.values(P4G_PERSUADEE_REACTION_TABLE))).toEqual(new Set(GDP_ZERO_PERSUADEE_REACTIONS));
  });

  it("maps persuader labels as GDP-Zero does", () => {
    const expected: Record<string, string> = {
      "logical-appeal": "logical appeal",
      "emotion-appeal": "emotion appeal",
      "credibility-appeal": "credibility appeal",
      "task-related-inquiry": "task related inquiry",
      "personal-related-inquiry": "task related inquiry",
      "source-related-inquiry": "task related inquiry",
      "non-personal-Task-related-inquiry": "task related inquiry",
      "proposition-of-donation": "proposition of donation",
      greeting: "greeting",
      "foot-in-the-door": "other",
      "self-modeling": "other",
      "personal-story": "other",
      "donation-information": "other",
      "ask-not-donate-reason": "other",
      "ask-donation-amount": "proposition of donation",
      "comment-partner": "other",
      thank: "other",
      "you-are-welcome": "other",
      closing: "other",
      "praise-user": "other",
      acknowledgement: "other",
      other: "other",
    };
    for (const [label, act] of Object.entries(expected)) expect(toGdpZeroPersuaderAct(label), label).toBe(act);
  });

  it("separates refusals from negative reactions for the persuadee", () => {
    const expected: Record<string, string> = {
      "agree-donation": "donate",
      "provide-donation-amount": "donate",
      "confirm-donation": "donate",
      "disagree-donation": "no donation",
      "disagree-donation-more": "negative reaction",
      "negative-reaction-to-donation": "negative reaction",
      "positive-reaction-to-donation": "positive reaction",
      "neutral-reaction-to-donation": "neutral",
      "ask-org-info": "neutral",
      "ask-donation-procedure": "neutral",
      greeting: "neutral",
      other: "neutral",
    };
    for (const [label, reaction] of Object.entries(expected)) expect(toGdpZeroPersuadeeReaction(label), label).toBe(reaction);
  });

  it("throws a clear error naming an unknown label", () => {
    expect(() => toGdpZeroPersuaderAct("agree-donation")).toThrow(/unknown PersuasionForGood persuader label "agree-donation"/);
    expect(() => toGdpZeroPersuadeeReaction("Credibility-Appeal")).toThrow(UnknownP4gLabelError);
    expect(() => toGdpZeroPersuadeeReaction("toString")).toThrow(/persuadee label "toString"/);
  });

  it("scores reactions from −1 to 1", () => {
    expect(GDP_ZERO_PERSUADEE_REACTIONS.map(gdpZeroReactionValue)).toEqual([-1, -0.5, 0, 0.5, 1]);
  });
});

describe("turn-level reaction and acts", () => {
  it("prefers stated outcomes over polar reactions over neutral", () => {
    expect(gdpZeroReactionOfLabels(["positive-reaction-to-donation", "agree-donation", "ask-donation-procedure"])).toBe("donate");
    expect(gdpZeroReactionOfLabels(["acknowledgement", "negative-reaction-to-donation", "ask-org-info"])).toBe("negative reaction");
    expect(gdpZeroReactionOfLabels(["disagree-donation", "positive-reaction-to-donation"])).toBe("no donation");
    expect(gdpZeroReactionOfLabels(["greeting", "ask-org-info"])).toBe("neutral");
    expect(gdpZeroReactionOfLabels([])).toBe("neutral");
  });

  it("lets the last of equally decisive labels win", () => {
    expect(gdpZeroReactionOfLabels(["agree-donation", "disagree-donation"])).toBe("no donation");
    expect(gdpZeroReactionOfLabels(["disagree-donation", "provide-donation-amount"])).toBe("donate");
    expect(gdpZeroReactionOfLabels(["negative-reaction-to-donation", "positive-reaction-to-donation"])).toBe("positive reaction");
  });

  it("reads a turn's sentence labels, and rejects the wrong side", () => {
    const persuadee = {
      speaker: "user" as const,
      segments: [
        { text: "Sounds good.", acts: [{ intent: "positive-reaction-to-donation" }] },
        { text: "I will give $1.", acts: [{ intent: "provide-donation-amount" }] },
      ],
    };
    expect(gdpZeroReactionOfTurn(persuadee)).toBe("donate");
    expect(gdpZeroReactionOfTurn({ speaker: "user", acts: [{ intent: "disagree-donation" }] })).toBe("no donation");
    expect(() => gdpZeroReactionOfTurn({ speaker: "system", acts: [] })).toThrow(/persuader/);
    const persuader = { speaker: "system" as const, acts: [{ intent: "greeting" }, { intent: "thank" }, { intent: "closing" }] };
    expect(gdpZeroActsOfTurn(persuader)).toEqual(["greeting", "other"]);
    expect(() => gdpZeroActsOfTurn({ speaker: "user", acts: [] })).toThrow(/persuadee/);
  });
});
