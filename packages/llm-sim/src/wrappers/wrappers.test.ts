import { createRng } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import type { ChatModel, ChatRequest, ChatResponse } from "../chat.js";
import { ChatModelError, isRetryableError, parseRetryAfter } from "../errors.js";
import { FakeClock, ScriptedChatModel } from "../testing/index.js";
import { UsageLedger, withAccounting } from "./accounting.js";
import { Semaphore, withConcurrencyLimit } from "./concurrency.js";
import { withInFlightDeduplication } from "./dedup.js";
import { backoffDelay, withRetry, type RetryEvent } from "./retry.js";
import { withMaxChoices } from "./split.js";
import { buildChatModel } from "./stack.js";
import { withTimeout } from "./timeout.js";
import { withTracing, type ChatTraceEvent } from "./trace.js";

const hello: ChatRequest = { messages: [{ role: "user", content: "hello there" }] };

describe("retry", () => {
  it("retries 429 and 5xx, honours Retry-After and succeeds", async () => {
    const model = new ScriptedChatModel({
      script: [{ error: { status: 429, retryAfterSeconds: 7 } }, { error: { status: 503 } }, "fine"],
    });
    const clock = new FakeClock();
    const events: RetryEvent[] = [];
    const retrying = withRetry(model, { clock, baseDelayMs: 100, rng: createRng(1), onRetry: (event) => events.push(event) });
    const response = await retrying.complete(hello);
    expect(response.choices[0]?.text).toBe("fine");
    expect(model.requests).toHaveLength(3);
    expect(clock.sleeps[0]).toBe(7000);
    expect(clock.sleeps[1]).toBeGreaterThanOrEqual(100);
    expect(clock.sleeps[1]).toBeLessThanOrEqual(200);
    expect(events.map((event) => event.attempt)).toEqual([1, 2]);
  });

  it("does not retry other 4xx", async () => {
    const model = new ScriptedChatModel({ script: [{ error: { status: 400, message: "bad request" } }, "never"] });
    const clock = new FakeClock();
    await expect(withRetry(model, { clock }).complete(hello)).rejects.toMatchObject({ kind: "http", status: 400 });
    expect(model.requests).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("retries timeouts, network errors and 408, then gives up after maxRetries", async () => {
    const model = new ScriptedChatModel({
      script: [{ error: { kind: "timeout" } }, { error: { kind: "network" } }, { error: { status: 408 } }, { error: { status: 500 } }],
    });
    const clock = new FakeClock();
    await expect(withRetry(model, { clock, maxRetries: 3 }).complete(hello)).rejects.toMatchObject({ status: 500 });
    expect(model.requests).toHaveLength(4);
    expect(clock.sleeps).toHaveLength(3);
  });

  it("fails instead of waiting longer than maxRetryAfterMs", async () => {
    const model = new ScriptedChatModel({ script: [{ error: { status: 429, retryAfterSeconds: 3600 } }, "late"] });
    await expect(withRetry(model, { clock: new FakeClock(), maxRetryAfterMs: 60_000 }).complete(hello)).rejects.toMatchObject({ status: 429 });
    const refused = await withRetry(new ScriptedChatModel({ script: [{ error: { status: 429, retryAfterSeconds: 3600 } }] }), { clock: new FakeClock(), maxRetryAfterMs: 60_000 })
      .complete(hello)
      .catch((error: unknown) => error);
    expect((refused as Error).message).toMatch(/not retried: the server asked to wait 3600 s, beyond the 60 s cap of maxRetryAfterMs/);
  });

  it("draws the same jitter for the same seed", () => {
    const a = [1, 2, 3, 4].map((attempt) => backoffDelay(attempt, 100, 1000, createRng(9)));
    const b = [1, 2, 3, 4].map((attempt) => backoffDelay(attempt, 100, 1000, createRng(9)));
    expect(a).toEqual(b);
    expect(backoffDelay(10, 100, 1000, createRng(2))).toBeLessThanOrEqual(1000);
  });

  it("classifies errors", () => {
    expect(isRetryableError(new ChatModelError("http", "x", { status: 429 }))).toBe(true);
    expect(isRetryableError(new ChatModelError("http", "x", { status: 502 }))).toBe(true);
    expect(isRetryableError(new ChatModelError("http", "x", { status: 404 }))).toBe(false);
    expect(isRetryableError(new ChatModelError("malformed-response", "x"))).toBe(false);
    expect(isRetryableError(new ChatModelError("aborted", "x"))).toBe(false);
    expect(isRetryableError(new Error("x"))).toBe(false);
  });

  it("parses Retry-After seconds, dates and retry-after-ms", () => {
    const headers = (values: Record<string, string>) => (name: string) => values[name];
    expect(parseRetryAfter(headers({ "retry-after": "3" }))).toBe(3000);
    expect(parseRetryAfter(headers({ "retry-after-ms": "250", "retry-after": "3" }))).toBe(250);
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter(headers({ "retry-after": "Wed, 01 Jan 2025 00:00:10 GMT" }), now)).toBe(10_000);
    expect(parseRetryAfter(headers({ "retry-after": "soon" }))).toBeUndefined();
    expect(parseRetryAfter(headers({}))).toBeUndefined();
  });
});

describe("timeout and abort", () => {
  it("turns a slow call into a retryable timeout error", async () => {
    const model = new ScriptedChatModel({ script: [{ choices: ["slow"], delayMs: 60_000 }] });
    const error = await withTimeout(model, 20).complete(hello).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ChatModelError);
    expect((error as ChatModelError).kind).toBe("timeout");
    expect(isRetryableError(error)).toBe(true);
  });

  it("retries a timed-out attempt and succeeds on the next", async () => {
    const model = new ScriptedChatModel({ script: [{ choices: ["slow"], delayMs: 60_000 }, "quick"] });
    const stacked = withRetry(withTimeout(model, 20), { clock: new FakeClock() });
    expect((await stacked.complete(hello)).choices[0]?.text).toBe("quick");
  });

  it("passes the caller's abort down and does not retry it", async () => {
    const model = new ScriptedChatModel({ respond: () => ({ choices: ["slow"], delayMs: 60_000 }) });
    const controller = new AbortController();
    const stacked = withRetry(withTimeout(model, 30_000), { clock: new FakeClock() });
    const pending = stacked.complete({ ...hello, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ kind: "aborted" });
    expect(model.requests).toHaveLength(1);
  });
});

describe("timeout with a model that ignores its signal", () => {
  const deaf: ChatModel = { id: "deaf", complete: () => new Promise<ChatResponse>(() => undefined) };

  it("still fails on time with a retryable timeout", async () => {
    await expect(withTimeout(deaf, 20).complete(hello)).rejects.toMatchObject({ kind: "timeout" });
  });

  it("still honours the caller's abort and frees the concurrency slot", async () => {
    const answering = new ScriptedChatModel({ script: ["free"] });
    const started: string[] = [];
    const deafToStuck: ChatModel = {
      id: "deaf-to-stuck",
      complete: (request) => {
        const content = request.messages[0]?.content ?? "";
        started.push(content);
        return content === "stuck" ? deaf.complete(request) : answering.complete(request);
      },
    };
    const limited = withConcurrencyLimit(withTimeout(deafToStuck, 60_000), 1);
    const controller = new AbortController();
    const pending = limited.complete({ messages: [{ role: "user", content: "stuck" }], signal: controller.signal });
    const queued = limited.complete(hello);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(started).toEqual(["stuck"]);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ kind: "aborted" });
    expect((await queued).choices[0]?.text).toBe("free");
  });
});

describe("concurrency limit", () => {
  it("never runs more than the limit at once and finishes every call", async () => {
    let active = 0;
    let peak = 0;
    const model = new ScriptedChatModel({
      respond: async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 1));
        active--;
        return "ok";
      },
    });
    const limited = withConcurrencyLimit(model, 3);
    const results = await Promise.all(Array.from({ length: 10 }, () => limited.complete(hello)));
    expect(results).toHaveLength(10);
    expect(peak).toBe(3);
  });

  it("removes an aborted waiter from the queue", async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    expect(semaphore.waiting).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ kind: "aborted" });
    expect(semaphore.waiting).toBe(0);
    release();
    expect(semaphore.inFlight).toBe(0);
  });
});

describe("accounting and tracing", () => {
  it("books calls, tokens and failures per role and per turn", async () => {
    const model = new ScriptedChatModel({
      script: [
        { choices: ["a", "b"], usage: { promptTokens: 10, completionTokens: 4 } },
        { choices: ["c"], usage: { promptTokens: 5, completionTokens: 1 }, cached: true },
        { error: { status: 400 } },
      ],
    });
    const ledger = new UsageLedger();
    const clock = new FakeClock();
    const accounted = withAccounting(model, ledger, clock);
    ledger.setTurn(1);
    await accounted.complete({ ...hello, n: 2, role: "prior" });
    await accounted.complete({ ...hello, role: "system", turn: 7 });
    await expect(accounted.complete({ ...hello, role: "system" })).rejects.toThrow();
    ledger.recordParse("prior", 2, 1);
    const snapshot = ledger.snapshot();
    expect(snapshot.total).toMatchObject({ calls: 2, cachedCalls: 1, failedCalls: 1, completions: 3, promptTokens: 10, completionTokens: 4 });
    expect(snapshot.byRole.prior).toMatchObject({ calls: 1, completions: 2, parseAttempts: 2, parseFailures: 1 });
    expect(snapshot.byRole.system).toMatchObject({ calls: 1, failedCalls: 1, cachedCalls: 1 });
    expect(snapshot.byTurn["1"]).toMatchObject({ calls: 1, failedCalls: 1 });
    expect(snapshot.byTurn["7"]).toMatchObject({ calls: 1, cachedCalls: 1 });
    expect(ledger.parseFailureRate("prior")).toBe(0.5);
  });

  it("emits request, response and error events", async () => {
    const model = new ScriptedChatModel({ script: ["x", { error: { status: 500 } }] });
    const events: ChatTraceEvent[] = [];
    const traced = withTracing(model, (event) => events.push(event), new FakeClock());
    await traced.complete({ ...hello, role: "judge" });
    await expect(traced.complete(hello)).rejects.toThrow();
    expect(events.map((event) => event.type)).toEqual(["request", "response", "request", "error"]);
    expect(events[1]).toMatchObject({ callId: 0, role: "judge", choices: 1 });
    expect(events[3]).toMatchObject({ callId: 1, kind: "http", status: 500 });
  });
});

describe("split and stack", () => {
  it("splits n into chunks and keeps the order", async () => {
    let counter = 0;
    const model = new ScriptedChatModel({ respond: (request) => Array.from({ length: request.n ?? 1 }, () => `s${counter++}`) });
    const split = withMaxChoices(model, 2);
    const response = await split.complete({ ...hello, n: 5 });
    expect(response.choices.map((choice) => choice.text)).toHaveLength(5);
    expect(model.requests.map((request) => request.n)).toEqual([2, 2, 1]);
  });

  it("composes retry, accounting and tracing", async () => {
    const model = new ScriptedChatModel({ script: [{ error: { status: 429, retryAfterSeconds: 1 } }, "done"] });
    const ledger = new UsageLedger();
    const clock = new FakeClock();
    const events: ChatTraceEvent[] = [];
    const stacked = buildChatModel(model, { ledger, clock, trace: (event) => events.push(event), concurrency: 2, timeoutMs: 5_000 });
    const response = await stacked.complete({ ...hello, role: "user" });
    expect(response.choices[0]?.text).toBe("done");
    expect(clock.sleeps).toEqual([1000]);
    expect(ledger.snapshot().byRole.user?.calls).toBe(1);
    expect(events.map((event) => event.type)).toEqual(["request", "response"]);
  });
});

describe("in-flight de-duplication", () => {
  it("shares one call among identical temperature-0 requests; an aborted first caller does not fail the others", async () => {
    const model = new ScriptedChatModel({ respond: () => ({ choices: ["same"], delayMs: 30 }) });
    const shared = withInFlightDeduplication(model);
    const request = { ...hello, temperature: 0 };
    const first = new AbortController();
    const leader = shared.complete({ ...request, signal: first.signal });
    const followers = [shared.complete(request), shared.complete(request)];
    first.abort();
    await expect(leader).rejects.toMatchObject({ kind: "aborted" });
    const answers = await Promise.all(followers);
    expect(answers.map((answer) => answer.choices[0]?.text)).toEqual(["same", "same"]);
    expect(answers.filter((answer) => answer.cached)).toHaveLength(1);
    expect(model.requests).toHaveLength(2);
  });
});
