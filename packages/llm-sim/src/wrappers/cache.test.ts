import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ChatRequest } from "../chat.js";
import { ScriptedChatModel } from "../testing/index.js";
import { cacheKey, canonicalJson, withDiskCache } from "./cache.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "llm-cache-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const request: ChatRequest = { messages: [{ role: "user", content: "pick a number" }], temperature: 1, n: 3, role: "prior" };

function counting(): ScriptedChatModel {
  let counter = 0;
  return new ScriptedChatModel({
    id: "m",
    respond: (req) => ({ choices: Array.from({ length: req.n ?? 1 }, () => `answer ${counter++}`), usage: { promptTokens: 4, completionTokens: 2 * (req.n ?? 1) } }),
  });
}

describe("canonical JSON and keys", () => {
  it("sorts keys and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [1, "x"] } })).toBe('{"a":{"c":[1,"x"]},"b":1}');
  });

  it("ignores n, role, turn and signal but not parameters or the sample index", () => {
    const base = cacheKey("m", request, 0);
    expect(cacheKey("m", { ...request, n: 9, role: "value", turn: 3, signal: new AbortController().signal }, 0)).toBe(base);
    expect(cacheKey("m", { ...request, temperature: 0.5 }, 0)).not.toBe(base);
    expect(cacheKey("m", request, 1)).not.toBe(base);
    expect(cacheKey("other", request, 0)).not.toBe(base);
  });
});

describe("disk cache", () => {
  it("replays an n>1 request exactly and only generates missing samples", async () => {
    const model = counting();
    const first = await withDiskCache(model, { dir }).complete(request);
    expect(first.cached).toBeUndefined();
    const second = await withDiskCache(model, { dir }).complete(request);
    expect(second.cached).toBe(true);
    expect(second.choices.map((choice) => choice.text)).toEqual(first.choices.map((choice) => choice.text));
    expect(model.requests).toHaveLength(1);

    const larger = await withDiskCache(model, { dir }).complete({ ...request, n: 5 });
    expect(larger.choices.slice(0, 3).map((choice) => choice.text)).toEqual(first.choices.map((choice) => choice.text));
    expect(model.requests.at(-1)?.n).toBe(2);
    expect(larger.choices.slice(3).map((choice) => choice.text)).toEqual(["answer 3", "answer 4"]);
  });

  it("replays offline in replay-only mode and fails loudly on a miss", async () => {
    await withDiskCache(counting(), { dir }).complete(request);
    const offline = new ScriptedChatModel({ id: "m" });
    const replay = withDiskCache(offline, { dir, mode: "replay-only" });
    expect((await replay.complete(request)).choices).toHaveLength(3);
    await expect(replay.complete({ ...request, temperature: 0 })).rejects.toMatchObject({ kind: "cache-miss" });
    expect(offline.requests).toHaveLength(0);
  });

  it("leaves no temp files and names a corrupt entry", async () => {
    await withDiskCache(counting(), { dir }).complete({ ...request, n: 1 });
    const [shard] = await readdir(dir);
    const files = await readdir(join(dir, shard as string));
    expect(files.every((file) => file.endsWith(".json"))).toBe(true);
    await writeFile(join(dir, shard as string, files[0] as string), "{not json");
    await expect(withDiskCache(counting(), { dir }).complete({ ...request, n: 1 })).rejects.toThrow(/corrupt LLM cache entry .*\.json/);
  });

  it("does not write in read-only mode", async () => {
    const model = counting();
    await withDiskCache(model, { dir, mode: "read-only" }).complete(request);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe("repeated requests", () => {
  it("gives a repeated sampled request fresh draws and replays them in order in a new run", async () => {
    const model = counting();
    const run1 = withDiskCache(model, { dir });
    const first = await run1.complete({ ...request, n: 2 });
    const second = await run1.complete({ ...request, n: 2 });
    expect([...first.choices, ...second.choices].map((choice) => choice.text)).toEqual(["answer 0", "answer 1", "answer 2", "answer 3"]);
    const run2 = withDiskCache(new ScriptedChatModel({ id: "m" }), { dir, mode: "replay-only" });
    const replayed = [await run2.complete({ ...request, n: 2 }), await run2.complete({ ...request, n: 2 })];
    expect(replayed.flatMap((response) => response.choices.map((choice) => choice.text))).toEqual(["answer 0", "answer 1", "answer 2", "answer 3"]);
  });

  it("gives the sample indices of a failed request back, so its retry replays in a new run", async () => {
    const flaky = new ScriptedChatModel({ id: "m", script: [{ error: { status: 503 } }, ["kept 0", "kept 1"]] });
    const run1 = withDiskCache(flaky, { dir });
    await expect(run1.complete({ ...request, n: 2 })).rejects.toMatchObject({ status: 503 });
    const retried = await run1.complete({ ...request, n: 2 });
    expect(retried.choices.map((choice) => choice.text)).toEqual(["kept 0", "kept 1"]);
    const run2 = withDiskCache(new ScriptedChatModel({ id: "m" }), { dir, mode: "replay-only" });
    const replayed = await run2.complete({ ...request, n: 2 });
    expect(replayed.cached).toBe(true);
    expect(replayed.choices.map((choice) => choice.text)).toEqual(["kept 0", "kept 1"]);
  });

  it("reuses samples for temperature 0 or when asked to", async () => {
    const model = counting();
    const greedy = withDiskCache(model, { dir });
    await greedy.complete({ ...request, n: 1, temperature: 0 });
    expect((await greedy.complete({ ...request, n: 1, temperature: 0 })).cached).toBe(true);
    const same = withDiskCache(model, { dir, repeatedRequests: "same" });
    await same.complete({ ...request, n: 1 });
    expect((await same.complete({ ...request, n: 1 })).cached).toBe(true);
    expect(model.requests).toHaveLength(2);
  });
});
