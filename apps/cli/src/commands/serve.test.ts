import { spawn } from "node:child_process";
import { request } from "node:http";
import { createServer } from "node:net";
import type {} from "@foresight/vitest-config/redis-global-setup"; // types inject("redisUrl")
import { describe, expect, inject, it } from "vitest";
import { runCapturing as run } from "../test-fixtures/run-cli.js";

/** One request on a connection of its own (so node's cluster hands successive requests to different workers). */
function call(url: string, method: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, headers: body === undefined ? {} : { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on("error", reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe("foresight serve", () => {
  it("says in one line that the port is in use, without a stack trace", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as { port: number };
    try {
      const result = await run(["serve", "--port", String(port)]);
      expect(result.code).toBe(1);
      expect(result.err).toBe(`foresight serve: port ${port} on 127.0.0.1 is already in use; stop what holds it or pick another with --port (0 = any free port)`);
    } finally {
      holder.close();
    }
  });

  it("refuses several workers without Redis, whose sessions they could not share", async () => {
    const result = await run(["serve", "--workers", "2"]);
    expect(result.code).toBe(2);
    expect(result.err).toContain("--workers above 1 needs --redis URL");
  });

  it("runs N workers on one port that share sessions through Redis, and stops them all on SIGTERM", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "serve", "--port", "0", "--workers", "2", "--redis", inject("redisUrl"), "--planner", "chat-random"], { stdio: ["ignore", "ignore", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let stderr = "";
        child.stderr!.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
          const match = /2 workers listening on (http:\/\/\S+)/.exec(stderr);
          if (match) resolve(match[1]!);
        });
        void exited.then((code) => reject(new Error(`serve exited (code ${code}) before listening: ${stderr}`)));
      });
      for (let i = 0; i < 600 && (await call(`${base}/readyz`, "GET")).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
      const created = await call(`${base}/v1/sessions`, "POST", { planner: "chat-random" });
      expect(created.status).toBe(201);
      const id = (created.json.session as { id: string }).id;
      // Each turn on a new connection: the workers take turns, and each finds the session the other one wrote.
      for (let turn = 1; turn <= 4; turn++) {
        const res = await call(`${base}/v1/sessions/${id}/turns`, "POST", { turns: [{ speaker: "user", text: `message ${turn}` }], candidates: ["Tell me more.", "I see."], seed: turn });
        expect(res.status, JSON.stringify(res.json)).toBe(200);
        expect(res.json.session).toMatchObject({ turns: turn, version: turn });
      }
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  }, 120_000);
});
