import { describe, expect, it } from "vitest";
import { parseBinary } from "./values.js";
import { parseSopChoice } from "./sop.js";

describe("ChatSOP's rationality judge answers", () => {
  it("reads the paper's analysis-then-conclusion format by its last conclusion", () => {
    const paper =
      "Analysis: According to the task knowledge, the objective of the agent's task is to invite users to participate in credit card activation event. " +
      "The agent action chosen is IntroduceActivationActivity, which aligns with the task objective. Therefore, it is consistent with the above handling process " +
      "and the best action within the optional agent actions.\nTherefore, the answer is: 1";
    expect(parseBinary(paper)).toBe(1);
    expect(parseBinary("Analysis: skipping the identity check is not rational: 0 steps were verified.\nTherefore, the answer is: 0")).toBe(0);
    expect(parseBinary("Analysis: an answer is: 1 would ignore the refusal.\nTherefore, the answer is: **0**")).toBe(0);
    expect(parseBinary("分析：用户已经同意。因此，答案是：1")).toBe(1);
    expect(parseBinary('Therefore, the answer is: "1".')).toBe(1);
  });

  it("does not read other numbers after 'the answer' as the verdict", () => {
    expect(parseBinary("Analysis: the answer is: 12 steps long, which is fine")).toBeUndefined();
  });
});

describe("parseSopChoice", () => {
  const actions = ["代理.核对身份", "代理.介绍激活活动", "代理.礼貌结束"];

  it("takes the node after the last answer marker, with or without its prefix", () => {
    const text = "Analysis: the user confirmed, so 核对身份 is done; next is to introduce the activity.\nTherefore, the best agent action is: 介绍激活活动";
    expect(parseSopChoice(text, actions, "action")).toEqual({ node: "代理.介绍激活活动", method: "marked", fallback: false });
    expect(parseSopChoice("User State: 是本人\nAgent Action: 代理.礼貌结束\nAgent Response: 再见", actions, "action")).toMatchObject({ node: "代理.礼貌结束", fallback: false });
    expect(parseSopChoice("User State: 是本人\nAgent Action: 介绍激活活动", ["用户.是本人", "用户.非本人"], "state")).toMatchObject({ node: "用户.是本人", fallback: false });
  });

  it("accepts English aliases and counts a whole-output search as a fallback", () => {
    expect(parseSopChoice("Agent Action: VerifyIdentity", actions, "action", { VerifyIdentity: "代理.核对身份" })).toMatchObject({ node: "代理.核对身份", fallback: false });
    expect(parseSopChoice("I would 礼貌结束 here.", actions, "action")).toMatchObject({ node: "代理.礼貌结束", fallback: true });
    expect(parseSopChoice("no idea", actions, "action")).toBeUndefined();
  });
});
