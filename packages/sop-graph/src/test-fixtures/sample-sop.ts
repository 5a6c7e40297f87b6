import { SopGraph } from "../index.js";

/** A small English SOP for tests: verify identity, then offer; the offer may be declined and retried. */
export function sampleSop(): SopGraph {
  return SopGraph.fromEdges(
    [
      ["Agent.Start", "Agent.VerifyIdentity"],
      ["Agent.VerifyIdentity", "User.IsCustomer"],
      ["Agent.VerifyIdentity", "User.WrongPerson"],
      ["User.WrongPerson", "Agent.PoliteEnd"],
      ["User.IsCustomer", "Agent.Offer"],
      ["Agent.Offer", "User.Accepts"],
      ["Agent.Offer", "User.Declines"],
      ["User.Declines", "Agent.Offer"],
      ["User.Accepts", "Agent.ConfirmOrder"],
      ["Agent.ConfirmOrder", "Agent.PoliteEnd"],
    ],
    { successMarks: ["Agent.ConfirmOrder"] },
  );
}
