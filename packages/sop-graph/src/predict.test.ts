import type { ChatModel, ChatRequest, ChatResponse } from "@foresight/llm-sim";
import { describe, expect, it } from "vitest";
import { loadSopdailTasks } from "@foresight/dialogue";
import { ENGLISH_NAMING, SOPDAIL_NAMING, SopPredictionError, extractSop, predictSop, sopdailTaskSpec, type SopTaskSpec } from "./index.js";

/** A ChatModel that answers from a script, in order, and records every request. */
class ScriptedChatModel implements ChatModel {
  readonly id = "scripted-test-model";
  readonly requests: ChatRequest[] = [];
  constructor(private readonly answers: string[]) {}

  async complete(request: ChatRequest): Promise<ChatResponse> {
    this.requests.push(request);
    const text = this.answers.shift();
    if (text === undefined) throw new Error("the script has no more answers");
    return { model: this.id, choices: [{ text, finishReason: "stop" }], usage: { promptTokens: 10, completionTokens: 5 } };
  }
}

const spec: SopTaskSpec = {
  agentIdentity: "Hotel front desk",
  agentGoal: "Check the guest in",
  successMarks: ["Agent.HandOverKey"],
  agentActions: ["Start", "AskName", "HandOverKey", "PoliteEnd", "Greet", "Empathize"],
  userStates: ["GivesName", "NoBooking", "Greet"],
  knowledge: { "check-in time": "from 14:00" },
  naming: ENGLISH_NAMING,
};

const goodJson = JSON.stringify({
  "Agent.Start": ["Agent.AskName"],
  "Agent.AskName": ["User.GivesName", "User.NoBooking"],
  "User.GivesName": ["Agent.HandOverKey"],
  "User.NoBooking": ["Agent.PoliteEnd"],
  "Agent.HandOverKey": ["Agent.PoliteEnd"],
  "Agent.PoliteEnd": [],
});

describe("extractSop", () => {
  it("reads fenced, wrapped and sloppy JSON, and mermaid as a fallback", () => {
    const fenced = extractSop(`Here you go:\n\`\`\`json\n{"adjacency_list": {"A.x": ["A.y",],}}\n\`\`\`\nDone.`);
    expect(fenced).toEqual({ kind: "adjacency", adjacencyList: { "A.x": ["A.y"] } });
    const bare = extractSop(`The SOP is {"sop": {"adjacency_list": {"a": ["b"]}}} as requested {not json}`);
    expect(bare).toEqual({ kind: "adjacency", adjacencyList: { a: ["b"] } });
    const mermaid = extractSop("```mermaid\ngraph TD\n  Agent.Start --> Agent.PoliteEnd\n```");
    expect(mermaid).toEqual({ kind: "mermaid", mermaid: "graph TD\n  Agent.Start --> Agent.PoliteEnd\n" });
    expect(() => extractSop("I cannot help with that.")).toThrow(/no JSON object or mermaid graph found/);
    expect(() => extractSop('{"a": "b"}')).toThrow(/field adjacency_list\.a/);
  });
});

describe("predictSop with a scripted model", () => {
  it("DAL: one call, names repaired onto the vocabulary, validated", async () => {
    const sloppy = [
      "```json",
      "{",
      '  "Start": ["AskName"],',
      '  "Agent.AskName": ["GivesName", "User.NoBooking"],',
      '  "GivesName": ["Agent.HandOverKey"],',
      '  "User.NoBooking": ["Agent.PoliteEnd"],',
      '  "Agent.HandOverKey": ["Agent.PoliteEnd"],',
      "}",
      "```",
    ].join("\n");
    const model = new ScriptedChatModel([sloppy]);
    const prediction = await predictSop(model, spec);
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]).toMatchObject({ temperature: 0.1, topP: 0.1 });
    const prompt = model.requests[0]?.messages.map((m) => m.content).join("\n") ?? "";
    expect(prompt).toContain("Agent.HandOverKey");
    expect(prompt).toContain("User.NoBooking");
    expect(prompt).toContain("check-in time: from 14:00");
    expect(prediction.ok).toBe(true);
    expect(prediction.method).toBe("dal");
    expect(prediction.attempts).toBe(1);
    expect(prediction.graph.hasEdge("Agent.Start", "Agent.AskName")).toBe(true);
    expect(prediction.graph.hasEdge("Agent.AskName", "User.GivesName")).toBe(true);
    expect(prediction.graph.successMarks).toEqual(["Agent.HandOverKey"]);
    const renames = prediction.issues.filter((i) => i.code === "renamed-node").map((i) => i.message);
    expect(renames).toEqual([
      'renamed "Start" to "Agent.Start"',
      'renamed "AskName" to "Agent.AskName"',
      'renamed "GivesName" to "User.GivesName"',
    ]);
    expect(prediction.issues.some((i) => i.code === "successor-only" && i.severity === "repaired")).toBe(true);
    expect(prediction.usage).toEqual({ promptTokens: 10, completionTokens: 5 });
    expect(prediction.fallbacks).toEqual({ renamedNodes: 3, unknownNodes: 0, mermaid: 0, repairs: 0 });
  });

  it("gives a SOPDAIL task's SOP vertices and profiles, and asks only for the edges", async () => {
    const task = loadSopdailTasks().find((t) => t.id === "bank-activate_bank_card")!;
    const taskSpec = sopdailTaskSpec(task);
    expect(taskSpec.vertices).toContain("代理.介绍激活活动");
    expect(taskSpec.vertices).not.toContain("代理.闲聊");
    const model = new ScriptedChatModel([JSON.stringify(task.sop.adjacencyList)]);
    const prediction = await predictSop(model, taskSpec);
    const prompt = model.requests[0]!.messages.map((m) => m.content).join("\n");
    expect(prompt).toContain("SOP Vertexes:");
    for (const vertex of taskSpec.vertices!) expect(prompt).toContain(JSON.stringify(vertex));
    expect(prompt).not.toContain("代理.闲聊");
    expect(prompt).toContain(`"agent_identity": ${JSON.stringify(task.agentIdentity)}`);
    expect(prompt).toContain("User Profile:");
    expect(prediction.ok).toBe(true);
    expect(prediction.graph.edgeCount).toBe(Object.values(task.sop.adjacencyList).flat().length);
    const offVertex = await predictSop(new ScriptedChatModel([JSON.stringify({ ...task.sop.adjacencyList, "代理.闲聊": ["代理.礼貌结束"] })]), taskSpec);
    expect(offVertex.fallbacks.unknownNodes).toBe(1);
  });

  it("TCoT: describes first, then translates its own description", async () => {
    const description = "1. Ask the guest's name. 2. If they give it, hand over the key; if no booking, end politely.";
    const model = new ScriptedChatModel([description, goodJson]);
    const prediction = await predictSop(model, spec, { method: "tcot" });
    expect(model.requests).toHaveLength(2);
    const second = model.requests[1]?.messages ?? [];
    expect(second.at(-1)?.content).toContain(`Task Knowledge:\n${description}`);
    expect(second.at(-1)?.content).toContain("translate the procedure");
    expect(prediction.description).toBe(description);
    expect(prediction.ok).toBe(true);
    expect(prediction.issues).toEqual([]);
    expect(prediction.graph.nodeCount).toBe(6);
  });

  it("re-asks with the reason when an answer cannot be read, and gives up after the attempts", async () => {
    const model = new ScriptedChatModel(["Sorry, here is prose only.", goodJson]);
    const prediction = await predictSop(model, spec, { attempts: 2 });
    expect(prediction.attempts).toBe(2);
    expect(prediction.answers).toHaveLength(2);
    expect(model.requests[1]?.messages.at(-1)?.content).toMatch(/could not be read \(model answer: no JSON object/);
    const failing = new ScriptedChatModel(["nothing", "still nothing"]);
    const error = await predictSop(failing, spec, { attempts: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SopPredictionError);
    expect((error as SopPredictionError).answers).toEqual(["nothing", "still nothing"]);
  });

  it("reports an invalid predicted SOP instead of hiding it", async () => {
    const broken = JSON.stringify({ "Agent.Start": ["Agent.AskName"], "Agent.AskName": ["User.GivesName"], "User.GivesName": ["User.NoBooking"] });
    const prediction = await predictSop(new ScriptedChatModel([broken]), spec);
    expect(prediction.ok).toBe(false);
    const codes = prediction.issues.filter((i) => i.severity === "error").map((i) => i.code);
    expect(codes).toEqual(["missing-sink", "user-after-user"]);
  });

  it("accepts mermaid answers and SOPDAIL's Chinese names", async () => {
    const chinese: SopTaskSpec = {
      agentIdentity: "值机业务员",
      agentGoal: "为客户值机",
      successMarks: ["代理.告知值机成功"],
      agentActions: ["开始", "核对身份", "告知值机成功", "礼貌结束"],
      userStates: ["身份信息正确", "身份信息错误"],
      naming: SOPDAIL_NAMING,
    };
    const answer = [
      "```mermaid",
      "graph TD",
      "  代理.开始 --> 代理.核对身份",
      "  代理.核对身份 -->|用户.身份信息正确| 代理.告知值机成功",
      "  代理.核对身份 -->|身份信息错误| 代理.礼貌结束",
      "  代理.告知值机成功 --> 代理.礼貌结束",
      "```",
    ].join("\n");
    const prediction = await predictSop(new ScriptedChatModel([answer]), chinese);
    expect(prediction.ok).toBe(true);
    expect(prediction.graph.hasEdge("用户.身份信息错误", "代理.礼貌结束")).toBe(true);
    expect(prediction.graph.nodeCount).toBe(6);
  });
});
