import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type {} from "@foresight/vitest-config/redis-global-setup"; // types inject("redisUrl")
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

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
  it("continues a conversation across instances, refuses a stale concurrent update, and deletes everywhere", async () => {
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

    // Two turns at once, one per instance, both from version 2: the first write wins, the other is refused (409)
    // instead of overwriting it, and the stored conversation has the winner's turn only.
    // Each plans for 2 s between reading version 2 and writing, so both read it even when one instance starts late under load.
    const turn = (text: string) => ({ turns: [{ speaker: "agent", text: "Oh no!" }, { speaker: "user", text }], candidates, seed: 3, budget: { timeMs: 2000 } });
    const [fromA, fromB] = await Promise.all([call(a, "POST", `/v1/sessions/${id}/turns`, turn("from A")), call(b, "POST", `/v1/sessions/${id}/turns`, turn("from B"))]);
    expect([fromA.status, fromB.status].sort()).toEqual([200, 409]);
    const loser = fromA.status === 409 ? fromA : fromB;
    expect(loser.json.error).toMatchObject({ type: "conflict", field: "id" });
    const after = (await call(b, "GET", `/v1/sessions/${id}`)).json;
    expect(after.session).toMatchObject({ turns: 7, version: 3 });
    expect(after.conversation.turns.at(-1)!.text).toBe(fromA.status === 200 ? "from A" : "from B");

    // Deleted on A: gone on B too.
    expect((await call(a, "DELETE", `/v1/sessions/${id}`)).status).toBe(204);
    expect((await call(b, "GET", `/v1/sessions/${id}`)).status).toBe(404);
    const late = await call(b, "POST", `/v1/sessions/${id}/turns`, { turns: [{ speaker: "user", text: "still there?" }] });
    expect(late.status).toBe(404);
    expect(late.json.error.type).toBe("not_found");
  });
});
