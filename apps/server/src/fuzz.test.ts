import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer, type ForesightServer } from "./app.js";
import { testPlanners } from "./test-fixtures/planners.js";

let server: ForesightServer;
beforeAll(async () => {
  server = await buildServer({ logLevel: "silent", rateLimitPerMinute: 0, defaultBudgetMs: 20 }, { planners: testPlanners, upstream: () => undefined });
});
afterAll(() => server.close());

const turn = fc.record({ speaker: fc.oneof(fc.constantFrom("agent", "user"), fc.string()), text: fc.oneof(fc.string(), fc.integer()), act: fc.option(fc.string(), { nil: undefined }) }, { requiredKeys: [] });
/** Bodies near the real shape (so validation goes deep) mixed with arbitrary JSON. */
const planBody = fc.oneof(
  fc.record(
    {
      planner: fc.oneof(fc.constantFrom("length", "stubborn", "nope", ""), fc.string()),
      conversation: fc.oneof(fc.record({ turns: fc.array(turn, { maxLength: 4 }), context: fc.dictionary(fc.string(), fc.jsonValue()) }, { requiredKeys: [] }), fc.jsonValue()),
      candidates: fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 70 }),
      budget: fc.oneof(fc.record({ timeMs: fc.oneof(fc.integer({ min: -5, max: 30 }), fc.double()), iterations: fc.integer() }, { requiredKeys: [] }), fc.jsonValue()),
      seed: fc.oneof(fc.integer(), fc.double(), fc.string()),
      settings: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.constant({ sleepMs: 1 })),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
);

describe("request fuzzing", () => {
  it("never answers a 5xx to any body on any POST route", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("/v1/plan", "/v1/sessions", "/v1/sessions/x/turns", "/v1/chat/completions"), planBody, async (url, body) => {
        const res = await server.app.inject({ method: "POST", url, payload: JSON.stringify(body), headers: { "content-type": "application/json" } });
        expect(res.statusCode, `${url} ${JSON.stringify(body)} → ${res.body}`).toBeLessThan(500);
        expect(res.json()).toBeTypeOf("object");
      }),
      { numRuns: 300, seed: 7 },
    );
  });
  it("answers non-JSON and odd content types with 4xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded"), async (payload, type) => {
        const res = await server.app.inject({ method: "POST", url: "/v1/plan", payload, headers: { "content-type": type } });
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
      }),
      { numRuns: 100, seed: 8 },
    );
  });
});
