import { Writable } from "node:stream";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { OpenAIChatModel } from "@foresight/llm-sim";
import { buildServer, type ForesightServer } from "./app.js";
import { testPlanners } from "./test-fixtures/planners.js";
import { startUpstream, type UpstreamBehaviour } from "./test-fixtures/upstream.js";

const UPSTREAM_KEY = "sk-upstream-secret-0123456789";
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/**
 * The server in front of a scripted upstream, listening on an ephemeral port, with its log lines captured. The
 * default budget leaves seconds for the loopback upstream on a loaded machine (its deadline is budget + margin).
 */
async function proxy(script: UpstreamBehaviour[] = [], budgetMs = 5000) {
  const upstream = await startUpstream(script);
  const logs: string[] = [];
  const logStream = new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) });
  const server: ForesightServer = await buildServer(
    { logLevel: "info", rateLimitPerMinute: 0, defaultPlanner: "length", defaultBudgetMs: budgetMs, deadlineMarginMs: 200, authToken: "proxy-token-xyz" },
    { planners: testPlanners, upstream: (model) => new OpenAIChatModel({ baseURL: upstream.url, model, apiKey: UPSTREAM_KEY }), logStream },
  );
  await server.app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = server.app.server.address() as { port: number };
  cleanups.push(async () => {
    await server.close();
    await upstream.close();
  });
  const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: "proxy-token-xyz", maxRetries: 0 });
  return { client, upstream, logs, port };
}

const messages = [
  { role: "system" as const, content: "You are a friendly companion." },
  { role: "user" as const, content: "I just came back from Lisbon!" },
];

describe("OpenAI-compatible planning proxy", () => {
  it("plans among the upstream's candidates and answers in the standard format", async () => {
    const { client, upstream } = await proxy();
    const completion = await client.chat.completions.create({ model: "gpt-test", messages });
    expect(completion.choices[0]!.message.content).toBe("That sounds wonderful, tell me more about your trip!");
    expect(completion.object).toBe("chat.completion");
    const extension = (completion as unknown as { foresight: { planner: string; candidates: number; decision: { stats: { simulations: number } } } }).foresight;
    expect(extension.planner).toBe("length");
    expect(extension.candidates).toBe(5);
    expect(extension.decision.stats.simulations).toBe(12);
    expect((upstream.requests[0] as { n: number; model: string }).n).toBe(5);
    expect((upstream.requests[0] as { model: string }).model).toBe("gpt-test");
  });

  it("streams the planned reply as chat.completion.chunk events", async () => {
    const { client } = await proxy();
    const stream = await client.chat.completions.create({ model: "foresight/length:gpt-test", messages, stream: true });
    let text = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe("That sounds wonderful, tell me more about your trip!");
    expect(finish).toBe("stop");
  });

  it("retries upstream 5xx, 429 and malformed bodies within the deadline", async () => {
    // A budget with seconds of room for the backoffs on a loaded machine: the retries, not the deadline, are the point.
    const { client, upstream } = await proxy(["500-echo-headers", "429", "malformed"], 10_000);
    const completion = await client.chat.completions.create({ model: "gpt-test", messages });
    expect(completion.choices[0]!.message.content).toContain("tell me more");
    expect(upstream.requests).toHaveLength(4);
    expect((completion as unknown as { foresight: { upstreamRetries: number } }).foresight.upstreamRetries).toBe(3);
  });

  // The upstream never answers and its client waits 10 minutes, so only the deadline answers within the test's
  // timeout (no wall-clock bound here: a loaded machine may run late).
  it("answers 502 by the deadline when the upstream hangs, never leaking the upstream key", async () => {
    const { client, logs } = await proxy(["hang", "hang", "hang", "hang", "hang", "hang"], 200);
    const error = await client.chat.completions.create({ model: "gpt-test", messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect(JSON.stringify(error)).not.toContain(UPSTREAM_KEY);
    expect(logs.join("")).not.toContain(UPSTREAM_KEY);
  });

  it("never copies an upstream error body (which may echo the key) into its answer or logs", async () => {
    // Room for all 5 attempts before the deadline even on a loaded machine, so the answer is the upstream's last error.
    const { client, logs } = await proxy(["500-echo-headers", "500-echo-headers", "500-echo-headers", "500-echo-headers", "500-echo-headers"], 10_000);
    const error = (await client.chat.completions.create({ model: "gpt-test", messages }).catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    expect(JSON.stringify(error.error)).toContain("http (HTTP 500)");
    expect(JSON.stringify(error)).not.toContain(UPSTREAM_KEY);
    expect(logs.join("")).not.toContain(UPSTREAM_KEY);
    expect(logs.join("")).not.toContain("proxy-token-xyz");
  });

  it("recovers from a connection reset in the middle of the upstream body", async () => {
    const { client } = await proxy(["reset-mid-body"], 2000);
    const completion = await client.chat.completions.create({ model: "gpt-test", messages });
    expect(completion.choices[0]!.message.content).toContain("tell me more");
  });
});
