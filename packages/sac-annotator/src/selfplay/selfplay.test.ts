import { describe, expect, it } from "vitest";
import { createRng } from "@foresight/dialogue";
import { ScriptedChatModel } from "@foresight/llm-sim/testing";
import { dpoPairs, negativesOf } from "./dpo.js";
import { TrajectorySchema, type SeedSituation } from "./schema.js";
import { parseSacMessage } from "../chain/serialize.js";
import { steerByPrefill } from "../steer.js";
import { SELF_PLAY_DEFAULTS, parseSelection, selfPlay } from "./selfplay.js";

const situation: SeedSituation = { id: "lonely", situation: "You moved to a new city and feel lonely.", opening: "I don't know anyone here yet." };

function agentModel(): ScriptedChatModel {
  let round = 0;
  return new ScriptedChatModel({
    id: "agent",
    respond: (request) => {
      round++;
      return Array.from({ length: request.n ?? 1 }, (_, index) => `⟦a_motivation=comfort⟧ ⟦a_emotion=warm⟧ ⟦a_topic⟧\nreply ${round}.${index}`);
    },
  });
}

describe("self-play with rejection sampling", () => {
  it("keeps the selector's pick and the rest as negatives; the user and selector never see tags", async () => {
    const agent = agentModel();
    const user = new ScriptedChatModel({ id: "user", respond: (_, call) => `User: follow-up ${call}` });
    const selector = new ScriptedChatModel({ id: "selector", script: ['{"best": 2, "reason": "warmest"}', "Best: [3]"] });
    const trajectory = await selfPlay(situation, { agent, user, selector, candidates: 3, agentTurns: 2 });
    expect(TrajectorySchema.parse(trajectory)).toEqual(trajectory);
    expect(trajectory.status).toBe("complete");
    expect(trajectory.turns.map((turn) => turn.user)).toEqual(["I don't know anyone here yet.", "follow-up 0"]);
    expect(trajectory.turns.map((turn) => turn.reply?.text)).toEqual(["reply 1.1", "reply 2.2"]);
    expect(agent.requests[0]?.n).toBe(3);
    expect(agent.requests[1]?.messages.map((message) => message.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(agent.requests[1]?.messages[2]?.content).toContain("⟦a_motivation=comfort⟧");
    expect(JSON.stringify(user.requests)).not.toContain("⟦");
    // The user model's roles alternate, starting with a user message (strict chat templates reject anything else).
    expect(user.requests[0]?.messages.map((message) => message.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(JSON.stringify(selector.requests)).not.toContain("⟦");
    expect(selector.requests[0]?.messages[1]?.content).toContain("[2] reply 1.1");
    expect(negativesOf(trajectory.turns[0]!).map((raw) => raw.slice(-9))).toEqual(["reply 1.0", "reply 1.2"]);
  });

  it("uses SAGE's defaults: 16 candidates, 12 agent turns, T 1.1, top-k 100, repetition penalty 1.1", async () => {
    const agent = agentModel();
    const trajectory = await selfPlay(situation, { agent, user: new ScriptedChatModel({ respond: () => "go on" }), selector: new ScriptedChatModel({ respond: () => '{"best": 16}' }) });
    expect(SELF_PLAY_DEFAULTS).toEqual({ candidates: 16, agentTurns: 12, temperature: 1.1, topK: 100, repetitionPenalty: 1.1 });
    expect(trajectory.turns).toHaveLength(12);
    expect(agent.requests).toHaveLength(12);
    expect(agent.requests[0]).toMatchObject({ n: 16, temperature: 1.1, topK: 100, repetitionPenalty: 1.1 });
    expect(trajectory.turns.every((turn) => turn.rounds.length === 1 && turn.rounds[0]?.candidates.length === 16 && turn.reply?.text.endsWith(".15"))).toBe(true);
  });

  it("always keeps a candidate: an unreadable or out-of-range answer is asked again, then the first candidate is kept and flagged", async () => {
    const selector = new ScriptedChatModel({ id: "selector", script: ['{"best": 0, "reason": "all cold"}', '{"best": 2}', '{"best": "none"}', "garbage"] });
    const trajectory = await selfPlay(situation, {
      agent: agentModel(),
      user: new ScriptedChatModel({ respond: () => "ok" }),
      selector,
      candidates: 2,
      agentTurns: 2,
    });
    expect(trajectory.status).toBe("complete");
    expect(trajectory.turns.map((turn) => turn.rounds.map((round) => [round.chosen, round.fallback ?? false]))).toEqual([[[1, false]], [[0, true]]]);
    expect(trajectory.turns.map((turn) => turn.reply?.text)).toEqual(["reply 1.1", "reply 2.0"]);
    expect(trajectory.turns[1]?.rounds[0]?.reason).toBe("selector answer unreadable after 2 attempts; kept the first candidate");
    expect(selector.requests).toHaveLength(4);
    expect(selector.requests[0]?.messages[0]?.content).toContain("Always pick exactly one candidate");
    expect(negativesOf(trajectory.turns[0]!)).toHaveLength(1);
  });

  it("exports DPO pairs with a seeded random rejected reply", async () => {
    const run = () =>
      selfPlay(situation, {
        agent: agentModel(),
        user: new ScriptedChatModel({ respond: () => "tell me more" }),
        selector: new ScriptedChatModel({ respond: () => '{"best": 1}' }),
        candidates: 4,
        agentTurns: 3,
      });
    const trajectories = [await run(), { ...(await run()), id: "second" }];
    const pairs = dpoPairs(trajectories, createRng(11));
    expect(pairs).toHaveLength(6);
    expect(dpoPairs(trajectories, createRng(11))).toEqual(pairs);
    const rejectedChoices = new Set(pairs.map((pair) => pair.rejected[0]?.content.slice(-1)));
    expect(rejectedChoices.size).toBeGreaterThan(1);
    for (const pair of pairs) {
      expect(pair.chosen[0]?.content).not.toBe(pair.rejected[0]?.content);
      expect(pair.prompt.at(-1)?.role).toBe("user");
      expect(pair.prompt).toHaveLength(2 + 2 * pair.meta.turn);
    }
  });

  it("keeps the prefilled action header of a steered agent in the raw reply", async () => {
    const agent = new ScriptedChatModel({ id: "agent", respond: (request) => Array.from({ length: request.n ?? 1 }, (_, index) => `⟦a_topic=moving⟧\nmaybe join a club ${index}?`) });
    const trajectory = await selfPlay(situation, {
      agent,
      user: new ScriptedChatModel({ respond: () => "ok" }),
      selector: new ScriptedChatModel({ respond: () => '{"best": 2}' }),
      candidates: 2,
      agentTurns: 2,
      prepareAgentRequest: (request) => steerByPrefill(request, { userState: null, motivation: "encourage", emotion: "upbeat" }),
    });
    const reply = trajectory.turns[0]?.reply;
    expect(reply?.text).toBe("maybe join a club 1?");
    expect(parseSacMessage(reply?.raw ?? "")).toEqual({ userState: null, action: { motivation: "encourage", emotion: "upbeat", topics: ["moving"] }, text: "maybe join a club 1?" });
    // The agent sees its own full reply in the next turn's history, and DPO pairs carry it too.
    expect(agent.requests[1]?.messages[2]).toEqual({ role: "assistant", content: reply?.raw });
    const [pair] = dpoPairs([trajectory], createRng(1));
    expect(pair?.chosen[0]?.content).toBe(reply?.raw);
    expect(pair?.rejected[0]?.content).toMatch(/^⟦a_motivation=encourage⟧ ⟦a_emotion=upbeat⟧ ⟦a_topic=moving⟧\nmaybe join a club 0\?$/);
  });

  it("reads selector answers strictly", () => {
    expect(parseSelection('{"best": 3, "reason": "x"}', 3)).toEqual({ chosen: 2, reason: "x" });
    expect(parseSelection('{"best": "none"}', 3)).toBeUndefined();
    expect(parseSelection('{"best": 0}', 3)).toBeUndefined();
    expect(parseSelection('{"best": 4}', 3)).toBeUndefined();
    expect(parseSelection("I like the second one", 3)).toBeUndefined();
  });
});
