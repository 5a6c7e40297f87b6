import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { linkedSignal } from "./deadline.js";

describe("linkedSignal", () => {
  it("aborts with the first source's reason and leaves no listener on a long-lived source once disposed", () => {
    const shutdown = new AbortController();
    for (let i = 0; i < 1000; i++) {
      const request = new AbortController();
      const linked = linkedSignal([request.signal, shutdown.signal]);
      if (i === 0) {
        request.abort(new Error("client gone"));
        expect(linked.signal.aborted).toBe(true);
        expect((linked.signal.reason as Error).message).toBe("client gone");
      }
      linked.dispose();
    }
    expect(getEventListeners(shutdown.signal, "abort")).toHaveLength(0);
    const live = linkedSignal([shutdown.signal]);
    shutdown.abort(new Error("closing"));
    expect((live.signal.reason as Error).message).toBe("closing");
    expect(linkedSignal([shutdown.signal]).signal.aborted).toBe(true);
    // `abort` ends the linked signal alone (a plan's time budget), leaving its sources be.
    const request = new AbortController();
    const own = linkedSignal([request.signal]);
    own.abort(new Error("time budget reached"));
    expect((own.signal.reason as Error).message).toBe("time budget reached");
    expect(request.signal.aborted).toBe(false);
  });
});
