import { afterEach, describe, expect, it } from "vitest";
import { buildServer, type ForesightServer } from "./app.js";
import type { ServerConfigInput } from "./config.js";
import { seen, testPlanners } from "./test-fixtures/planners.js";

let server: ForesightServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(config: ServerConfigInput = {}) {
  server = await buildServer({ logLevel: "silent", rateLimitPerMinute: 0, ...config }, { planners: testPlanners, upstream: () => undefined });
  return server;
}

const conversation = { turns: [{ speaker: "user", text: "hi, how are you?" }] };

describe("planning server", () => {
  it("plans a turn, keeps its trace and serves the viewer", async () => {
    const { app } = await start();
    const res = await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "length", conversation, seed: 1 } });
    expect(res.statusCode).toBe(200);
    const { decision } = res.json();
    expect(decision.reply).toBe("tell me more about that");
    expect(decision.trace).toBeUndefined();
    const trace = await app.inject({ url: `/v1/traces/${decision.traceId}` });
    expect(trace.statusCode).toBe(200);
    expect(trace.json().tree.nodes).toHaveLength(4);
    const viewer = await app.inject({ url: "/viewer" });
    expect(viewer.headers["content-type"]).toContain("text/html");
    expect(viewer.body).toContain("/v1/traces/");
  });

  it("names the failing field of a bad request and the known planners of an unknown one", async () => {
    const { app } = await start();
    const bad = await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "length", conversation: { turns: [{ speaker: "bot", text: "x" }] } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe("conversation.turns.0.speaker");
    const unknown = await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "nope", conversation } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toContain("known: length, stubborn");
    const setting = await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "length", conversation, settings: { depht: 3 } } });
    expect(setting.statusCode).toBe(400);
    expect(setting.json().error.field).toBe("settings.depht");
    const malformed = await app.inject({ method: "POST", url: "/v1/plan", headers: { "content-type": "application/json" }, payload: "{not json" });
    expect(malformed.statusCode).toBe(400);
  });

  it("ends a plan by its deadline even when the planner ignores its budget", async () => {
    const { app } = await start({ deadlineMarginMs: 100 });
    const started = Date.now();
    const res = await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "stubborn", conversation, budget: { timeMs: 100 }, settings: { sleepMs: 5000 } } });
    expect(res.statusCode).toBe(504);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("answers 429 with Retry-After when every plan slot is taken", async () => {
    const { app } = await start({ maxConcurrentPlans: 2 });
    const slow = { planner: "length", conversation, budget: { timeMs: 400 }, settings: { sleepMs: 400 } };
    const results = await Promise.all([0, 1, 2, 3].map(() => app.inject({ method: "POST", url: "/v1/plan", payload: slow })));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, 200, 429, 429]);
    expect(results.find((r) => r.statusCode === 429)!.headers["retry-after"]).toBe("1");
  });

  it("requires the bearer token on the API but not on health, and limits the rate per key", async () => {
    const { app } = await start({ authToken: "s3cret-token-123", rateLimitPerMinute: 3 });
    expect((await app.inject({ url: "/healthz" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/v1/planners" })).statusCode).toBe(401);
    expect((await app.inject({ url: "/v1/planners", headers: { authorization: "Bearer wrong-token-000" } })).statusCode).toBe(401);
    const auth = { authorization: "Bearer s3cret-token-123" };
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await app.inject({ url: "/v1/planners", headers: auth })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
  });

  it("refuses bodies over the limit with 413", async () => {
    const { app } = await start({ bodyLimit: 2048 });
    const res = await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "length", conversation: { turns: [{ speaker: "user", text: "x".repeat(5000) }] } } });
    expect(res.statusCode).toBe(413);
  });

  it("keeps a session's planner across turns and advances it with observe", async () => {
    const { app } = await start();
    seen.observed.length = 0;
    const created = await app.inject({ method: "POST", url: "/v1/sessions", payload: { planner: "length" } });
    expect(created.statusCode).toBe(201);
    const id = created.json().session.id;
    const first = await app.inject({ method: "POST", url: `/v1/sessions/${id}/turns`, payload: { turns: [{ speaker: "user", text: "hello" }], seed: 2 } });
    expect(first.statusCode).toBe(200);
    expect(first.json().decision.reply).toBeDefined();
    const second = await app.inject({ method: "POST", url: `/v1/sessions/${id}/turns`, payload: { turns: [{ speaker: "agent", text: first.json().decision.reply }, { speaker: "user", text: "and then?" }] } });
    expect(second.statusCode).toBe(200);
    expect(second.json().session.turns).toBe(3);
    expect(seen.observed).toEqual([1, 2]);
    expect((await app.inject({ method: "DELETE", url: `/v1/sessions/${id}` })).statusCode).toBe(204);
    expect((await app.inject({ method: "POST", url: `/v1/sessions/${id}/turns`, payload: { turns: [] } })).statusCode).toBe(404);
  });

  it("serves an OpenAPI document, readiness and Prometheus metrics", async () => {
    const { app } = await start();
    await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "length", conversation } });
    const doc = (await app.inject({ url: "/openapi.json" })).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/v1/plan"].post.requestBody.content["application/json"].schema.properties.planner).toBeDefined();
    const ready = await app.inject({ url: "/readyz" });
    expect(ready.json()).toMatchObject({ status: "ready", planners: ["length", "stubborn"] });
    const metrics = (await app.inject({ url: "/metrics" })).body;
    expect(metrics).toMatch(/foresight_planner_simulations_total\{planner="length"\} 12/);
    expect(metrics).toContain('foresight_http_requests_total{route="/v1/plan",method="POST",status="200"} 1');
  });

  it("drains an in-flight plan on graceful shutdown", async () => {
    const { app, close } = await start();
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address() as { port: number };
    const pending = fetch(`http://127.0.0.1:${address.port}/v1/plan`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ planner: "length", conversation, budget: { timeMs: 300 }, settings: { sleepMs: 300 } }) });
    // Close only once the plan is running (under load the request may take a while to arrive).
    for (let i = 0; i < 500 && server!.context.slots.inFlight === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server!.context.slots.inFlight).toBe(1);
    await close();
    server = undefined;
    const res = await pending;
    expect(res.status).toBe(200);
  });
});
