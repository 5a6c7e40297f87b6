import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer, type ForesightServer } from "./app.js";
import { OpenAIChatModel } from "@foresight/llm-sim";
import { testPlanners } from "./test-fixtures/planners.js";
import { startUpstream } from "./test-fixtures/upstream.js";

let server: ForesightServer;
let upstream: Awaited<ReturnType<typeof startUpstream>>;
let sessionId: string;
beforeAll(async () => {
  upstream = await startUpstream();
  // A deadline margin of seconds: on a loaded machine the loopback upstream may take longer than the default 250 ms,
  // and its 502 (or a plan's 504) would be about the machine, not about the request body under test.
  server = await buildServer(
    { logLevel: "silent", rateLimitPerMinute: 0, defaultBudgetMs: 20, defaultPlanner: "length", deadlineMarginMs: 10_000 },
    { planners: testPlanners, upstream: (model) => new OpenAIChatModel({ baseURL: upstream.url, model, apiKey: "sk-fuzz" }) },
  );
  sessionId = (await server.app.inject({ method: "POST", url: "/v1/sessions", payload: { planner: "length" } })).json().session.id;
});
afterAll(async () => {
  await server.close();
  await upstream.close();
});

const turn = fc.record({ speaker: fc.oneof(fc.constantFrom("agent", "user"), fc.string()), text: fc.oneof(fc.string(), fc.integer()), act: fc.option(fc.string(), { nil: undefined }) }, { requiredKeys: [] });
/** Usually a valid value (so requests get past validation and reach the planner and upstream), sometimes anything. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<U>) => fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: other, weight: 1 });
const validTurn = fc.record({ speaker: fc.constantFrom("agent", "user"), text: fc.string({ maxLength: 40 }) });

/** Plan requests near the real shape (so validation goes deep and valid ones plan) mixed with arbitrary JSON. */
const planBody = mostly(
  fc.record(
    {
      planner: mostly(fc.constantFrom("length", "stubborn", "stateless"), fc.oneof(fc.constantFrom("nope", ""), fc.string())),
      conversation: mostly(fc.record({ turns: fc.array(validTurn, { maxLength: 4 }), context: fc.dictionary(fc.string(), fc.jsonValue()) }, { requiredKeys: ["turns"] }), fc.oneof(fc.record({ turns: fc.array(turn, { maxLength: 4 }) }, { requiredKeys: [] }), fc.jsonValue())),
      candidates: mostly(fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 5 }), fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 70 })),
      budget: mostly(fc.record({ timeMs: fc.integer({ min: 1, max: 30 }), iterations: fc.integer({ min: 1, max: 50 }) }, { requiredKeys: [] }), fc.oneof(fc.record({ timeMs: fc.oneof(fc.integer({ min: -5, max: 30 }), fc.double()), iterations: fc.integer() }, { requiredKeys: [] }), fc.jsonValue())),
      seed: mostly(fc.nat(1000), fc.oneof(fc.integer(), fc.double(), fc.string())),
      settings: mostly(fc.constant({ sleepMs: 1 }), fc.dictionary(fc.string(), fc.jsonValue())),
      trace: mostly(fc.boolean(), fc.jsonValue()),
    },
    { requiredKeys: ["planner", "conversation"] },
  ),
  fc.jsonValue(),
);

/** Session turns near the real shape, for a session that exists. */
const turnsBody = mostly(
  fc.record(
    {
      turns: mostly(fc.array(validTurn, { maxLength: 3 }), fc.array(turn, { maxLength: 3 })),
      plan: mostly(fc.boolean(), fc.string()),
      candidates: mostly(fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 3 }), fc.array(fc.jsonValue(), { maxLength: 3 })),
      seed: fc.integer({ min: -2, max: 5 }),
      trace: mostly(fc.boolean(), fc.jsonValue()),
    },
    { requiredKeys: ["turns"] },
  ),
  fc.jsonValue(),
);
const message = mostly(
  fc.record({ role: fc.constantFrom("system", "developer", "user", "assistant"), content: fc.oneof(fc.string({ maxLength: 60 }), fc.constant(null), fc.array(fc.record({ type: fc.constant("text"), text: fc.string({ maxLength: 20 }) }), { maxLength: 3 })) }),
  fc.record({ role: fc.oneof(fc.constant("tool"), fc.string()), content: fc.oneof(fc.integer(), fc.array(fc.record({ type: fc.constantFrom("text", "image_url"), text: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: [] }), { maxLength: 3 })) }, { requiredKeys: [] }),
);
/** Chat completion requests near OpenAI's shape (the stub upstream answers the valid ones). */
const chatBody = mostly(
  fc.record(
    {
      model: mostly(fc.constantFrom("gpt-test", "foresight/length:gpt-test", "foresight/stubborn:gpt-test"), fc.oneof(fc.constantFrom("foresight/nope:gpt-test", "foresight/:x", ""), fc.string())),
      messages: mostly(fc.array(message, { minLength: 1, maxLength: 4 }), fc.jsonValue()),
      stream: mostly(fc.boolean(), fc.string()),
      n: mostly(fc.constant(1), fc.integer()),
      temperature: mostly(fc.double({ min: 0, max: 2, noNaN: true }), fc.double()),
      foresight: mostly(
        fc.record({ candidates: fc.integer({ min: 1, max: 6 }), budget: fc.record({ timeMs: fc.integer({ min: 1, max: 30 }) }), seed: fc.nat(9), trace: fc.boolean() }, { requiredKeys: [] }),
        fc.oneof(fc.record({ candidates: fc.integer(), budget: fc.jsonValue(), seed: fc.integer() }, { requiredKeys: [] }), fc.jsonValue()),
      ),
    },
    { requiredKeys: ["model", "messages"] },
  ),
  fc.jsonValue(),
);

describe("request fuzzing", () => {
  it("never answers a 5xx to any body on any POST route", async () => {
    const routes = fc.oneof(
      fc.tuple(fc.constantFrom("/v1/plan", "/v1/sessions", "/v1/sessions/x/turns"), planBody),
      fc.tuple(fc.constant("session"), turnsBody),
      fc.tuple(fc.constant("/v1/chat/completions"), chatBody),
    );
    await fc.assert(
      fc.asyncProperty(routes, async ([route, body]) => {
        const url = route === "session" ? `/v1/sessions/${sessionId}/turns` : route;
        const res = await server.app.inject({ method: "POST", url, payload: JSON.stringify(body), headers: { "content-type": "application/json" } });
        expect(res.statusCode, `${url} ${JSON.stringify(body)} → ${res.body}`).toBeLessThan(500);
        if (!String(res.headers["content-type"]).startsWith("text/event-stream")) expect(res.json()).toBeTypeOf("object");
      }),
      { numRuns: 400, seed: 7 },
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
