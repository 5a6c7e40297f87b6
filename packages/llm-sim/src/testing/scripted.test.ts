import { describe, expect, it } from "vitest";
import { ScriptedChatModel, logprobsFor } from "./index.js";

describe("ScriptedChatModel", () => {
  it("answers from the queue, then the function, and records requests", async () => {
    const model = new ScriptedChatModel({ script: ["one", ["a", "b"]], respond: (request, call) => `call ${call} n=${request.n ?? 1}` });
    expect((await model.complete({ messages: [{ role: "user", content: "x" }] })).choices[0]?.text).toBe("one");
    const two = await model.complete({ messages: [{ role: "user", content: "y" }], n: 2 });
    expect(two.choices.map((choice) => choice.text)).toEqual(["a", "b"]);
    expect((await model.complete({ messages: [], n: 3 })).choices.map((choice) => choice.text)).toEqual(["call 2 n=3", "call 2 n=3", "call 2 n=3"]);
    expect(model.requests.map((request) => request.messages[0]?.content)).toEqual(["x", "y", undefined]);
  });

  it("fails clearly when the script is exhausted or too short for n", async () => {
    const model = new ScriptedChatModel({ script: [["a", "b"]] });
    await expect(model.complete({ messages: [], n: 3 })).rejects.toThrow(/2 choices but the request asked for n=3/);
    await expect(model.complete({ messages: [] })).rejects.toThrow(/script exhausted/);
  });

  it("simulates HTTP errors with Retry-After and returns logprobs", async () => {
    const model = new ScriptedChatModel({
      script: [{ error: { status: 429, retryAfterSeconds: 2 } }, { choices: [{ text: "B", logprobs: logprobsFor("B", { A: 0.25, B: 0.75 }) }] }],
    });
    await expect(model.complete({ messages: [] })).rejects.toMatchObject({ kind: "http", status: 429, retryAfterMs: 2000 });
    const answer = await model.complete({ messages: [], logprobs: true, topLogprobs: 2 });
    expect(answer.choices[0]?.logprobs?.[0]?.topLogprobs?.map((top) => top.token)).toEqual(["A", "B"]);
    expect(Math.exp(answer.choices[0]?.logprobs?.[0]?.logprob ?? 0)).toBeCloseTo(0.75);
  });
});
