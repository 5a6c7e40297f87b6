import type { Decision } from "@foresight/planners";
import { describe, expect, it } from "vitest";
import { TraceStore } from "./traces.js";

const decision = (reply: string): Decision => ({ planner: "p", reply, candidates: [], stats: { simulations: 1, modelCalls: 0, llmCalls: 0, tokens: 0, wallMs: 1, stopReason: "iterations" }, traceId: "p-1-abc" });
const conversation = { turns: [] };

describe("trace store", () => {
  it("keeps concurrent decisions that share a planner's trace id apart, and evicts the oldest beyond capacity", () => {
    const store = new TraceStore(2);
    const ids = ["first", "second", "third"].map((reply) => store.put(conversation, decision(reply)));
    expect(ids).toEqual(["p-1-abc", "p-1-abc-2", "p-1-abc-3"]);
    expect(store.get("p-1-abc")).toBeUndefined();
    expect(store.get("p-1-abc-2")!.decision).toMatchObject({ reply: "second", traceId: "p-1-abc-2" });
    expect(store.get("p-1-abc-3")!.decision.reply).toBe("third");
    expect(store.size).toBe(2);
  });
});
