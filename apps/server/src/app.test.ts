import { afterEach, describe, expect, it, vi } from "vitest";
import { buildServer, type ForesightServer } from "./app.js";
import type { ServerConfigInput } from "./config.js";
import { openGate, seen, testPlanners } from "./test-fixtures/planners.js";

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

/** Waits (up to 20 s: a loaded machine) until the server's plan slots hold `running` plans and `queued` waiting ones. */
async function slotsReach(running: number, queued: number): Promise<void> {
  await vi.waitFor(() => expect([server!.context.slots.inFlight, server!.context.slots.queued]).toEqual([running, queued]), { timeout: 20_000, interval: 5 });
}

describe("planning server", () => {
  it("plans a turn, keeps its trace and serves the viewer", async () => {
    const { app } = await start();
    const res = await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "length", conversation, seed: 1, trace: true } });
    expect(res.statusCode).toBe(200);
    const { decision } = res.json();
    expect(decision.reply).toBe("tell me more about that");
    expect(decision.trace).toBeUndefined();
    const trace = await app.inject({ url: `/v1/traces/${decision.traceId}` });
    expect(trace.statusCode).toBe(200);
    expect(trace.json().tree.nodes).toHaveLength(4);
    // Without `trace: true` the planner is not asked for its tree (it costs time); the decision is still kept.
    const plain = (await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "length", conversation, seed: 1 } })).json().decision;
    expect((await app.inject({ url: `/v1/traces/${plain.traceId}` })).json()).toMatchObject({ tree: null, decision: { reply: plain.reply } });
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
    expect(unknown.json().error.message).toContain("known: length, stubborn, stateless");
    const setting = await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "length", conversation, settings: { depht: 3 } } });
    expect(setting.statusCode).toBe(400);
    expect(setting.json().error.field).toBe("settings.depht");
    const malformed = await app.inject({ method: "POST", url: "/v1/plan", headers: { "content-type": "application/json" }, payload: "{not json" });
    expect(malformed.statusCode).toBe(400);
  });

  it("ends a plan by its deadline even when the planner ignores its budget", async () => {
    const { app } = await start({ deadlineMarginMs: 100 });
    // The planner waits at a gate that opens only after the answer: without the deadline this would never answer.
    const res = await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "stubborn", conversation, budget: { timeMs: 100 }, settings: { gate: "ignored-deadline" } } });
    openGate("ignored-deadline");
    expect(res.statusCode).toBe(504);
    expect(res.json().error.type).toBe("deadline_exceeded");
  });

  it("queues plans beyond the running cap, answers 429 with Retry-After beyond the queue, and counts budgets from arrival", async () => {
    const { app } = await start({ maxRunningPlans: 2, maxQueuedPlans: 1 });
    // The plans wait at a gate the test opens, so the slots stay taken however slow the machine is.
    const held = { planner: "length", conversation, budget: { timeMs: 20_000 }, settings: { gate: "queue" } };
    const sent = performance.now();
    const admitted = [0, 1, 2].map(() => app.inject({ method: "POST", url: "/v1/plan", payload: held }));
    await slotsReach(2, 1);
    const queuedBy = performance.now(); // the two running plans started, and the queued one arrived, by now
    const busy = await app.inject({ method: "POST", url: "/v1/plan", payload: held });
    expect(busy.statusCode).toBe(429);
    expect(busy.headers["retry-after"]).toBe("1");
    expect(busy.json().error.type).toBe("busy");
    await new Promise((r) => setTimeout(r, 300));
    const openedAt = performance.now();
    openGate("queue");
    const results = await Promise.all(admitted);
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    // Budgets count from arrival: the queued plan's wait (at least openedAt − queuedBy ≥ 300 ms) came out of its
    // 20 s; the running ones lost at most the time from sending to running (1 ms: float rounding of the clocks).
    const [, second, last] = results.map((r) => r.json().decision.stats.counters.budgetMs as number).sort((a, b) => b - a);
    expect(second).toBeGreaterThanOrEqual(20_000 - (queuedBy - sent) - 1);
    expect(last).toBeLessThanOrEqual(20_000 - (openedAt - queuedBy) + 1);
  });

  it("answers 429 when a queued plan's budget runs out before a slot frees", async () => {
    const { app } = await start({ maxRunningPlans: 1, maxQueuedPlans: 4 });
    // The slot stays taken until the short plan has its answer (the long plan waits at a gate the test opens).
    const long = app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "length", conversation, budget: { timeMs: 20_000 }, settings: { gate: "slot-held" } } });
    await slotsReach(1, 0);
    const short = await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "length", conversation, budget: { timeMs: 50 } } });
    openGate("slot-held");
    expect(short.statusCode).toBe(429);
    expect(short.json().error.message).toContain("no plan slot freed within");
    expect((await long).statusCode).toBe(200);
    expect(server!.context.slots.queued).toBe(0);
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

  it("keeps a session's own planner across turns and advances its tree with observe", async () => {
    const { app } = await start();
    seen.observed.length = 0;
    const createsBefore = seen.creates;
    const created = await app.inject({ method: "POST", url: "/v1/sessions", payload: { planner: "length" } });
    expect(created.statusCode).toBe(201);
    const id = created.json().session.id;
    const other = (await app.inject({ method: "POST", url: "/v1/sessions", payload: { planner: "length" } })).json().session.id;
    // One instance per session, and no shared instance that sessions would never use.
    expect(seen.creates).toBe(createsBefore + 2);
    const turn = (session: string, turns: { speaker: string; text: string }[]) => app.inject({ method: "POST", url: `/v1/sessions/${session}/turns`, payload: { turns, seed: 2 } });
    const first = await turn(id, [{ speaker: "user", text: "hello" }]);
    expect(first.statusCode).toBe(200);
    expect(first.json().decision.reply).toBeDefined();
    const second = await turn(id, [{ speaker: "agent", text: first.json().decision.reply }, { speaker: "user", text: "and then?" }]);
    expect(second.statusCode).toBe(200);
    expect(second.json().session.turns).toBe(3);
    expect(seen.observed).toEqual([1, 2]);
    // The same instance planned both turns and carried the observed turns over (tree reuse) …
    const [a, b] = [first, second].map((r) => r.json().decision.stats.counters);
    expect(b.instance).toBe(a.instance);
    expect(b.carriedTurns).toBe(3);
    // … while another session's tree lives in an instance of its own.
    const elsewhere = (await turn(other, [{ speaker: "user", text: "hi" }])).json().decision.stats.counters;
    expect(elsewhere.instance).not.toBe(a.instance);
    expect(elsewhere.carriedTurns).toBe(1);
    expect((await app.inject({ method: "DELETE", url: `/v1/sessions/${id}` })).statusCode).toBe(204);
    expect((await app.inject({ method: "POST", url: `/v1/sessions/${id}/turns`, payload: { turns: [] } })).statusCode).toBe(404);
  });

  it("serves sessions of a planner without observe from its one shared, stateless instance", async () => {
    const { app } = await start();
    const shared = (await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "stateless", conversation } })).json().decision.stats.counters.instance;
    const createsBefore = seen.creates;
    const sessions = await Promise.all([0, 1].map(async () => (await app.inject({ method: "POST", url: "/v1/sessions", payload: { planner: "stateless", settings: { sleepMs: 1 } } })).json().session.id as string));
    const decisions = [];
    for (const id of sessions) {
      const first = await app.inject({ method: "POST", url: `/v1/sessions/${id}/turns`, payload: { turns: [{ speaker: "user", text: "hello" }] } });
      const second = await app.inject({ method: "POST", url: `/v1/sessions/${id}/turns`, payload: { turns: [{ speaker: "agent", text: "hi" }, { speaker: "user", text: "so?" }] } });
      expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
      decisions.push(first.json().decision, second.json().decision);
    }
    expect(seen.creates).toBe(createsBefore);
    expect(decisions.map((d) => d.stats.counters.instance)).toEqual([shared, shared, shared, shared]);
    expect(server!.context.live.size).toBe(0);
    // A session's settings still reach every plan (they are passed per call, not baked into the shared instance).
    const bad = (await app.inject({ method: "POST", url: "/v1/sessions", payload: { planner: "stateless", settings: { depht: 1 } } })).json().session.id;
    const refused = await app.inject({ method: "POST", url: `/v1/sessions/${bad}/turns`, payload: { turns: [{ speaker: "user", text: "x" }] } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.field).toBe("settings.depht");
  });

  it("makes the instance that shows a planner is stateless its shared one (no instance is loaded twice)", async () => {
    const { app } = await start();
    const createsBefore = seen.creates;
    const id = (await app.inject({ method: "POST", url: "/v1/sessions", payload: { planner: "stateless" } })).json().session.id as string;
    const turn = (await app.inject({ method: "POST", url: `/v1/sessions/${id}/turns`, payload: { turns: [{ speaker: "user", text: "hello" }] } })).json().decision;
    const plan = (await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "stateless", conversation } })).json().decision;
    expect(seen.creates).toBe(createsBefore + 1);
    expect(plan.stats.counters.instance).toBe(turn.stats.counters.instance);
  });

  it("serves an OpenAPI document, readiness and Prometheus metrics", async () => {
    const { app } = await start();
    await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "length", conversation } });
    const doc = (await app.inject({ url: "/openapi.json" })).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/v1/plan"].post.requestBody.content["application/json"].schema.properties.planner).toBeDefined();
    const ready = await app.inject({ url: "/readyz" });
    expect(ready.json()).toMatchObject({ status: "ready", planners: ["length", "stubborn", "stateless"] });
    const metrics = (await app.inject({ url: "/metrics" })).body;
    expect(metrics).toMatch(/foresight_planner_simulations_total\{planner="length"\} 12/);
    expect(metrics).toContain('foresight_http_requests_total{route="/v1/plan",method="POST",status="200"} 1');
    expect(metrics).toContain("foresight_plans_queued 0");
  });

  it("answers /readyz only once the warm-up has run, with the planner's configured settings", async () => {
    const plansBefore = seen.plans;
    // The warm-up's plans wait at a gate the test opens, so the server is still warming up when it is asked.
    const { app, ready } = await start({ warmPlanners: ["length"], plannerSettings: { length: { sleepMs: 200, gate: "warm-up" } } });
    expect((await app.inject({ url: "/readyz" })).json()).toMatchObject({ warmingUp: true }); // not listening yet
    expect(seen.plans).toBe(plansBefore);
    await app.listen({ port: 0, host: "127.0.0.1" });
    const warming = await app.inject({ url: "/readyz" });
    openGate("warm-up");
    expect(warming.statusCode).toBe(503);
    expect(warming.json()).toMatchObject({ status: "not ready", warmingUp: true });
    await ready;
    expect((await app.inject({ url: "/readyz" })).json()).toMatchObject({ status: "ready", warmingUp: false });
    expect(seen.plans - plansBefore).toBe(3);
    // The configured settings reach the shared instance: a plan sleeps the configured 200 ms (timers never fire early).
    const res = await app.inject({ method: "POST", url: "/v1/plan", payload: { planner: "length", conversation, budget: { timeMs: 5000 } } });
    expect(res.json().decision.stats.wallMs).toBeGreaterThanOrEqual(190);
    await expect(start({ warmPlanners: ["nope"] })).rejects.toThrow('server setting warmPlanners: unknown planner "nope"');
  });

  it("drains an in-flight plan and a queued one on graceful shutdown", async () => {
    const { app, close } = await start({ maxRunningPlans: 1 });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address() as { port: number };
    const plan = () => fetch(`http://127.0.0.1:${address.port}/v1/plan`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ planner: "length", conversation, budget: { timeMs: 20_000 }, settings: { gate: "drain" } }) });
    const pending = [plan(), plan()];
    // Close once one plan runs and the other waits (both held at a gate), then let them finish.
    await slotsReach(1, 1);
    const closing = close();
    openGate("drain");
    await closing;
    server = undefined;
    const answers = await Promise.all(pending);
    expect(answers.map((res) => res.status)).toEqual([200, 200]);
    // Both ran to their end: neither was told to stop by the shutdown.
    expect((await Promise.all(answers.map((res) => res.json()))).map((body) => body.decision.stats.stopReason)).toEqual(["iterations", "iterations"]);
  });
});
