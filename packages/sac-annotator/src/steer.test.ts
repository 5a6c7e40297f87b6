import { describe, expect, it } from "vitest";
import { parseSacMessage } from "./chain/serialize.js";
import { SacFormatError } from "./errors.js";
import { actionPrefix, logitBiasFor, steerByInstruction, steerByPrefill, withLogitBias } from "./steer.js";

const userState = { motivation: "vent", emotion: "sad", topics: ["work"] };

describe("steering", () => {
  it("builds a whole header when the full action and the user state are known", () => {
    const prefix = actionPrefix({ userState, motivation: "cheer up", emotion: "humor", topics: ["work"] });
    expect(parseSacMessage(`${prefix}Ha, Mondays!`)).toEqual({ userState, action: { motivation: "cheer up", emotion: "humor", topics: ["work"] }, text: "Ha, Mondays!" });
  });

  it("builds a partial prefix the model continues", () => {
    const prefix = actionPrefix({ userState, motivation: "cheer up", emotion: "humor" });
    expect(prefix).toBe("⟦u_motivation=vent⟧ ⟦u_emotion=sad⟧ ⟦u_topic=work⟧ ⟦a_motivation=cheer up⟧ ⟦a_emotion=humor⟧ ");
    const completed = `${prefix}⟦a_topic⟧\nHa!`;
    expect(parseSacMessage(completed).action).toEqual({ motivation: "cheer up", emotion: "humor", topics: [] });
    expect(actionPrefix({ userState: null, motivation: "greet" })).toBe("⟦a_motivation=greet⟧ ");
  });

  it("refuses prefixes that break the tag order or carry reserved characters", () => {
    expect(() => actionPrefix({ userState, emotion: "humor" })).toThrow(/needs a motivation/);
    expect(() => actionPrefix({ motivation: "greet" })).toThrow(/user state/);
    expect(() => actionPrefix({ userState, motivation: "a⟧" })).toThrow(SacFormatError);
  });

  it("adds the prefix as a final assistant message, or an instruction", () => {
    const request = { messages: [{ role: "user" as const, content: "hi" }] };
    const prefilled = steerByPrefill(request, { userState: null, motivation: "greet" });
    expect(prefilled.messages.at(-1)).toEqual({ role: "assistant", content: "⟦a_motivation=greet⟧ " });
    expect(request.messages).toHaveLength(1);
    const instructed = steerByInstruction(request, { emotion: "humor" });
    expect(instructed.messages.at(-1)?.content).toContain('a_emotion = "humor"');
    expect(steerByInstruction(request, {})).toBe(request);
  });

  it("maps labels to logit biases through the caller's tokenizer", () => {
    const tokenize = (text: string) => (text.startsWith(" ") ? [7, 8] : [text.length]);
    expect(logitBiasFor(["humor", "joke"], tokenize, 500)).toEqual({ "5": 100, "4": 100, "7": 100, "8": 100 });
    expect(withLogitBias({ messages: [], logitBias: { "1": -5 } }, { "2": 3 }).logitBias).toEqual({ "1": -5, "2": 3 });
    expect(() => logitBiasFor(["x"], () => [-1], 1)).toThrow(RangeError);
  });
});
