import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type {} from "@foresight/vitest-config/redis-global-setup"; // types inject("redisUrl")
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { buildServer } from "./app.js";
import { openGate, testPlanners } from "./test-fixtures/planners.js";

const redisUrl = inject("redisUrl");
const children: ChildProcess[] = [];

/** Starts one server process on a free port against the test's Redis; resolves with its base URL. */
function startInstance(): Promise<string> {
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "test-fixtures/instance.ts"), redisUrl], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const match = /listening (http:\/\/\S+)\n/.exec(buffer);
      if (match) resolve(match[1]!);
    });
    child.on("exit", (code) => reject(new Error(`server instance exited before listening (exit code ${code})`)));
  });
}

/** The parts of the API's answers these tests read. */
interface ApiBody {
  status: string;
  session: { id: string; planner: string; turns: number; version: number };
  conversation: { turns: { speaker: string; text: string }[] };
  decision: { planner: string; reply: string; stats: { simulations: number } };
  error: { type: string; field?: string };
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: ApiBody }> {
  const res = await fetch(base + path, { method, ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as ApiBody };
}

let a: string;
let b: string;
beforeAll(async () => {
  [a, b] = await Promise.all([startInstance(), startInstance()]);
}, 180_000);
afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
          child.once("exit", () => (clearTimeout(force), resolve()));
          child.kill("SIGTERM");
        }),
    ),
  );
});

// The agent proposes its candidate replies (as a deployed agent would), so no plan waits for the offline candidate
// generator's corpus to load.
const candidates = ["Oh no, what happened then?", "That must have been scary.", "Did you at least get some good photos?", "I see.", "Mountains are nice."];

describe("sessions shared by two server processes through Redis", () => {
  it("continues a conversation across instances and deletes everywhere", async () => {
    expect(a).not.toBe(b);
    for (const base of [a, b]) expect((await call(base, "GET", "/readyz")).json).toMatchObject({ status: "ready" });

    // Created on A with the real SCOPE planner.
    const created = await call(a, "POST", "/v1/sessions", { planner: "scope", turns: [{ speaker: "user", text: "I just got back from a trip to the mountains." }] });
    expect(created.status).toBe(201);
    const id = created.json.session.id as string;
    expect(created.json.session).toMatchObject({ planner: "scope", turns: 1, version: 0 });

    // A turn on B: B has no live planner for it, rebuilds one from the stored conversation and plans.
    const onB = await call(b, "POST", `/v1/sessions/${id}/turns`, { turns: [{ speaker: "agent", text: "That sounds lovely!" }, { speaker: "user", text: "It was, but the weather turned bad on the second day." }], candidates, seed: 1, budget: { iterations: 64, timeMs: 20_000 } });
    expect(onB.status).toBe(200);
    expect(onB.json.session).toMatchObject({ id, turns: 3, version: 1 });
    expect(onB.json.decision.planner).toBe("scope");
    expect(onB.json.decision.stats, JSON.stringify(onB.json.decision.stats)).toMatchObject({ simulations: 64 });
    expect(candidates).toContain(onB.json.decision.reply);

    // A sees B's turns, and continues the same conversation.
    const seenOnA = await call(a, "GET", `/v1/sessions/${id}`);
    expect(seenOnA.json.conversation.turns.map((t) => t.text)).toEqual(["I just got back from a trip to the mountains.", "That sounds lovely!", "It was, but the weather turned bad on the second day."]);
    const onA = await call(a, "POST", `/v1/sessions/${id}/turns`, { turns: [{ speaker: "agent", text: onB.json.decision.reply }, { speaker: "user", text: "We had to hike down in the rain." }], candidates, seed: 2, budget: { iterations: 64, timeMs: 20_000 } });
    expect(onA.status).toBe(200);
    expect(onA.json.session).toMatchObject({ turns: 5, version: 2 });
    expect((await call(b, "GET", `/v1/sessions/${id}`)).json.session).toMatchObject({ turns: 5, version: 2 });

    // Deleted on A: gone on B too.
    expect((await call(a, "DELETE", `/v1/sessions/${id}`)).status).toBe(204);
    expect((await call(b, "GET", `/v1/sessions/${id}`)).status).toBe(404);
    const late = await call(b, "POST", `/v1/sessions/${id}/turns`, { turns: [{ speaker: "user", text: "still there?" }] });
    expect(late.status).toBe(404);
    expect(late.json.error.type).toBe("not_found");
  });

  it("refuses a stale concurrent update (409): of two turns from the same version, the first write wins", async () => {
    const servers = await Promise.all([0, 1].map(() => buildServer({ logLevel: "silent", rateLimitPerMinute: 0, sessionStore: "redis", redisUrl, warmPlanners: [] }, { planners: testPlanners, upstream: () => undefined })));
    try {
      const [one, two] = servers.map((server) => server.app) as [(typeof servers)[0]["app"], (typeof servers)[0]["app"]];
      // Each turn's plan waits at a gate the test opens once both have read the session: both then write from the
      // same version, whatever the machine's load.
      const created = await one.inject({ method: "POST", url: "/v1/sessions", payload: { planner: "length", settings: { gate: "both-read" } } });
      const id = created.json().session.id as string;
      const turn = (app: typeof one, text: string) => app.inject({ method: "POST", url: `/v1/sessions/${id}/turns`, payload: { turns: [{ speaker: "user", text }] } });
      const pending = [turn(one, "from one"), turn(two, "from two")];
      await vi.waitFor(() => expect(servers.map((server) => server.context.slots.inFlight)).toEqual([1, 1]), { timeout: 20_000, interval: 5 });
      openGate("both-read");
      const answers = await Promise.all(pending);
      expect(answers.map((res) => res.statusCode).sort()).toEqual([200, 409]);
      const winner = answers.find((res) => res.statusCode === 200)!;
      expect(answers.find((res) => res.statusCode === 409)!.json().error).toMatchObject({ type: "conflict", field: "id" });
      const stored = (await two.inject({ url: `/v1/sessions/${id}` })).json();
      expect(stored.session.version).toBe(winner.json().session.version);
      expect(stored.conversation.turns.map((t: { text: string }) => t.text)).toEqual([winner === answers[0] ? "from one" : "from two"]);
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
  });
});
