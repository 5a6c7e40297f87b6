import { describe, expect, it } from "vitest";
import { SacFormatError } from "../errors.js";
import type { SacState } from "../schema.js";
import { escapeSacText, formatSacHeader, formatSacMessage, parseSacMessage, stripStateTags, unescapeSacText } from "./serialize.js";

const user: SacState = { motivation: "seek advice", emotion: "anxious", topics: ["job interview", "salary"] };
const action: SacState = { motivation: "reassure", emotion: null, topics: [] };

describe("State-Action Chain serialisation", () => {
  it("writes the user state, then the action, then the reply on its own line", () => {
    const content = formatSacMessage({ userState: user, action, text: "You'll do fine." });
    expect(content).toBe(
      "⟦u_motivation=seek advice⟧ ⟦u_emotion=anxious⟧ ⟦u_topic=job interview⟧ ⟦u_topic=salary⟧ ⟦a_motivation=reassure⟧ ⟦a_emotion⟧ ⟦a_topic⟧\nYou'll do fine.",
    );
    expect(parseSacMessage(content)).toEqual({ userState: user, action, text: "You'll do fine." });
  });

  it("omits the user block when no user turn precedes", () => {
    const content = formatSacMessage({ userState: null, action: user, text: "Hi" });
    expect(content.startsWith("⟦a_motivation=seek advice⟧")).toBe(true);
    expect(parseSacMessage(content).userState).toBeNull();
  });

  it("keeps words that look like tags inside the reply untouched", () => {
    const tricky = "emotion: happy\n⟦u_emotion=sad⟧ and ⟦⟧ and ⟧ ⟦ ⟦⟦a_topic⟧\n\n";
    const content = formatSacMessage({ userState: user, action, text: tricky });
    expect(content.slice(content.indexOf("\n") + 1)).not.toMatch(/⟦[a-z]/);
    expect(parseSacMessage(content).text).toBe(tricky);
    expect(stripStateTags(content)).toBe(tricky);
    expect(unescapeSacText(escapeSacText(tricky))).toBe(tricky);
  });

  it("keeps labels with = and punctuation, and empty replies", () => {
    const odd: SacState = { motivation: "x = y, or so", emotion: "happy?!", topics: ["a=b"] };
    const content = formatSacMessage({ userState: odd, action: odd, text: "" });
    expect(parseSacMessage(content)).toEqual({ userState: odd, action: odd, text: "" });
  });

  it("refuses labels holding the reserved characters or line breaks", () => {
    expect(() => formatSacHeader(null, { motivation: "a⟧b", emotion: null, topics: [] })).toThrow(SacFormatError);
    expect(() => formatSacHeader(null, { motivation: null, emotion: "sad\nly", topics: [] })).toThrow(/line break/);
    expect(() => formatSacHeader(null, { motivation: null, emotion: null, topics: [""] })).toThrow(/empty/);
    expect(() => formatSacHeader(null, { motivation: " padded", emotion: null, topics: [] })).toThrow(/white space/);
  });

  it("rejects malformed messages with a reason", () => {
    expect(() => parseSacMessage("no header at all")).toThrow(/no line feed/);
    expect(() => parseSacMessage("⟦a_motivation⟧ ⟦a_emotion⟧\nhi")).toThrow(/a_topic/);
    expect(() => parseSacMessage("⟦a_emotion⟧ ⟦a_motivation⟧ ⟦a_topic⟧\nhi")).toThrow(/expected tag a_motivation/);
    expect(() => parseSacMessage("⟦a_motivation⟧  ⟦a_emotion⟧ ⟦a_topic⟧\nhi")).toThrow(SacFormatError);
    expect(() => parseSacMessage("⟦a_motivation⟧ ⟦a_emotion⟧ ⟦a_topic⟧ ⟦x⟧\nhi")).toThrow(/unexpected tag x/);
    expect(() => parseSacMessage("⟦a_motivation⟧ ⟦a_emotion⟧ ⟦a_topic⟧\nraw ⟦ bracket")).toThrow(/unescaped/);
    expect(() => parseSacMessage("⟦a_motivation⟧ ⟦a_emotion=⟧ ⟦a_topic⟧\nhi")).toThrow(/empty/);
  });

  it("strips tags leniently from model output that does not follow the format exactly", () => {
    expect(stripStateTags("⟦a_emotion=warm⟧ ⟦a_motivation=comfort⟧ I'm here for you.")).toBe("I'm here for you.");
    expect(stripStateTags("Plain reply")).toBe("Plain reply");
  });
});
