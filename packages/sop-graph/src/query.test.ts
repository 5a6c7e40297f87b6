import { describe, expect, it } from "vitest";
import {
  allowedNextActions,
  allowedNextActionsFrom,
  checkCompliance,
  expansionActions,
  isControllable,
  isProactive,
  isSuccessMark,
  isTerminal,
  localSubgraph,
  locate,
  proactiveActions,
  summarizeCompliance,
} from "./index.js";
import { sampleSop } from "./test-fixtures/sample-sop.js";

describe("planner queries", () => {
  it("locates a dialogue by its last on-SOP node", () => {
    const graph = sampleSop();
    expect(locate(graph, [])).toEqual({ node: "Agent.Start", index: -1, offSop: [] });
    expect(locate(graph, ["Agent.Greet", "User.Hello", "Agent.VerifyIdentity", "User.DidNotUnderstand", "Agent.Empathize"])).toEqual({
      node: "Agent.VerifyIdentity",
      index: 2,
      offSop: ["User.DidNotUnderstand", "Agent.Empathize"],
    });
  });

  it("lists the agent actions the SOP allows next", () => {
    const graph = sampleSop();
    expect(allowedNextActions(graph, [])).toEqual(["Agent.VerifyIdentity"]);
    expect(allowedNextActionsFrom(graph, "Agent.VerifyIdentity")).toEqual(["Agent.Offer", "Agent.PoliteEnd"]);
    expect(allowedNextActions(graph, ["Agent.VerifyIdentity", "User.WrongPerson"])).toEqual(["Agent.PoliteEnd"]);
    expect(allowedNextActionsFrom(graph, "Agent.ConfirmOrder")).toEqual(["Agent.PoliteEnd"]);
    expect(allowedNextActionsFrom(graph, "Agent.PoliteEnd")).toEqual([]);
  });

  it("takes the two-level local subgraph as SGM's expansion set", () => {
    const graph = sampleSop();
    const local = localSubgraph(graph, "Agent.VerifyIdentity");
    expect(local.levels).toEqual([["Agent.VerifyIdentity"], ["User.IsCustomer", "User.WrongPerson"], ["Agent.Offer", "Agent.PoliteEnd"]]);
    expect(local.actions).toEqual(["Agent.Offer", "Agent.PoliteEnd"]);
    expect(local.edges).toHaveLength(4);
    const fromUser = localSubgraph(graph, "User.IsCustomer");
    expect(fromUser.levels).toEqual([["User.IsCustomer"], ["Agent.Offer"], ["User.Accepts", "User.Declines"]]);
    const proactive = proactiveActions(graph, ["Agent.Greet", "Agent.Offer", "Agent.Empathize", "User.Complain"]);
    expect(proactive).toEqual(["Agent.Greet", "Agent.Empathize"]);
    expect(expansionActions(graph, "User.IsCustomer", proactive)).toEqual(["Agent.Offer", "Agent.Greet", "Agent.Empathize"]);
  });

  it("keeps a step the SOP repeats in the expansion set: the offer may be made again after a decline", () => {
    const graph = sampleSop();
    expect(allowedNextActionsFrom(graph, "Agent.Offer")).toEqual(["Agent.ConfirmOrder", "Agent.Offer"]);
    const local = localSubgraph(graph, "Agent.Offer");
    expect(local.levels).toEqual([["Agent.Offer"], ["User.Accepts", "User.Declines"], ["Agent.ConfirmOrder"]]);
    expect(local.actions).toEqual(["Agent.ConfirmOrder", "Agent.Offer"]);
    expect(expansionActions(graph, "Agent.Offer", ["Agent.Empathize"])).toEqual(["Agent.ConfirmOrder", "Agent.Offer", "Agent.Empathize"]);
    // one level only: the way back through User.Declines is two edges long
    expect(localSubgraph(graph, "Agent.Offer", 1).actions).toEqual([]);
  });

  it("classifies actions and nodes", () => {
    const graph = sampleSop();
    expect(isControllable(graph, "Agent.Offer")).toBe(true);
    expect(isProactive(graph, "Agent.Offer")).toBe(false);
    expect(isProactive(graph, "Agent.Empathize")).toBe(true);
    expect(isControllable(graph, "User.Accepts")).toBe(false);
    expect(isTerminal(graph, "Agent.PoliteEnd")).toBe(true);
    expect(isTerminal(graph, "Agent.Offer")).toBe(false);
    expect(isSuccessMark(graph, "Agent.ConfirmOrder")).toBe(true);
    expect(isSuccessMark(graph, "Agent.Offer")).toBe(false);
  });
});

describe("SOP compliance", () => {
  it("accepts a dialogue that follows the SOP, skipping proactive detours", () => {
    const result = checkCompliance(sampleSop(), [
      "Agent.Greet",
      "User.Hello",
      "Agent.VerifyIdentity",
      "User.IsCustomer",
      "Agent.Offer",
      "User.Declines",
      "Agent.Empathize",
      "Agent.Offer",
      "User.Accepts",
      "Agent.ConfirmOrder",
      "Agent.PoliteEnd",
    ]);
    expect(result.compliant).toBe(true);
    expect(result.strictlyCompliant).toBe(true);
    expect(result.offSop).toBe(3);
    expect(result.reachedSink).toBe(true);
    expect(result.transitions[0]).toEqual({ index: 2, from: "Agent.Start", to: "Agent.VerifyIdentity", kind: "edge" });
  });

  it("classifies relaxed steps and names the violating transition", () => {
    const graph = sampleSop();
    const result = checkCompliance(graph, [
      "Agent.VerifyIdentity",
      "Agent.Offer", // the user's reply was off the SOP
      "Agent.Offer", // offered again
      "User.Declines",
      "User.Accepts", // changed their mind
      "Agent.PoliteEnd", // skipped confirming the order: violation
    ]);
    expect(result.transitions.map((t) => t.kind)).toEqual([
      "edge",
      "implicit-user-state",
      "repeat",
      "edge",
      "revised-user-state",
      "violation",
    ]);
    expect(result.violations).toEqual([{ index: 5, from: "User.Accepts", to: "Agent.PoliteEnd", kind: "violation" }]);
    expect(result.compliant).toBe(false);
    // skipping the confirmation was the agent's step
    expect(result.agentViolations).toEqual(result.violations);
    expect(result.agentCompliant).toBe(false);
    const edgesOnly = checkCompliance(graph, ["Agent.VerifyIdentity", "Agent.Offer"], {
      allowImplicit: false,
      allowRepeat: false,
      allowRevisedUserState: false,
    });
    expect(edgesOnly.violations.map((t) => t.kind)).toEqual(["implicit-user-state"]);
    const summary = summarizeCompliance([result, edgesOnly]);
    expect(summary).toMatchObject({ dialogues: 2, compliant: 0, strictlyCompliant: 0, agentCompliant: 0, transitions: 8 });
    expect(summary.byKind.violation).toBe(1);
  });

  it("accepts a user state answering an SOP step realised under an off-SOP label", () => {
    const graph = sampleSop();
    const greeted = checkCompliance(graph, ["Agent.Greet", "User.IsCustomer", "Agent.Offer"]);
    expect(greeted.transitions.map((t) => t.kind)).toEqual(["implicit-agent-action", "edge"]);
    // without an agent turn in between, jumping to the user's answer is a violation
    expect(checkCompliance(graph, ["User.IsCustomer"]).transitions.map((t) => t.kind)).toEqual(["violation"]);
  });

  it("accepts the user's new answer to an SOP step already taken after a proactive detour, not a skipped step", () => {
    const graph = sampleSop();
    const offered = ["Agent.VerifyIdentity", "User.IsCustomer", "Agent.Offer", "User.Declines"];
    // Declined, reassured off the SOP, then answered the identity check made before anew: nothing omitted.
    const won = checkCompliance(graph, [...offered, "Agent.RelieveDoubts", "User.IsCustomer", "Agent.Offer"]);
    expect(won.transitions.map((t) => t.kind)).toEqual(["edge", "edge", "edge", "edge", "revised-user-state", "edge"]);
    expect(won.compliant).toBe(true);
    expect(checkCompliance(graph, [...offered, "User.IsCustomer"]).compliant).toBe(false);
    // Without the detour, wrong person → accepts shares no predecessor: still a violation.
    const wrong = ["Agent.VerifyIdentity", "User.WrongPerson"];
    const unasked = checkCompliance(graph, [...wrong, "User.Accepts"]);
    expect(unasked.violations.map((t) => t.to)).toEqual(["User.Accepts"]);
    // the user answered what was not asked: the path breaks, the agent's steps do not
    expect(unasked.agentViolations).toEqual([]);
    expect(unasked.agentCompliant).toBe(true);
    expect(summarizeCompliance([unasked]).agentComplianceRate).toBe(1);
    // A detour to an answer of a step never taken (the offer) skips it: a violation.
    const skipped = checkCompliance(graph, [...wrong, "Agent.RelieveDoubts", "User.Accepts", "Agent.ConfirmOrder"]);
    expect(skipped.violations.map((t) => [t.from, t.to])).toEqual([["User.WrongPerson", "User.Accepts"]]);
    expect(checkCompliance(graph, [...offered, "Agent.RelieveDoubts", "User.IsCustomer"], { allowRevisedUserState: false }).compliant).toBe(false);
  });
});
