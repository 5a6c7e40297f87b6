import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { ChatChoice, ChatModel, ChatRequest, ChatResponse } from "../chat.js";
import { ChatModelError } from "../errors.js";

/** The default cache folder, relative to the working directory (git-ignored). */
export const DEFAULT_CACHE_DIR = ".foresight-cache/llm";

/** How the disk cache behaves: read and write, only read (never store), or replay only (a miss is an error). */
export type CacheMode = "read-write" | "read-only" | "replay-only";

/** Options for {@link withDiskCache}. */
export interface DiskCacheOptions {
  /** Folder of the cache (default {@link DEFAULT_CACHE_DIR}). */
  dir?: string;
  mode?: CacheMode;
  /**
   * What an identical request made again in the same run gets: "fresh" (the next sample indices, so a planner
   * that asks twice gets two draws, and a re-run in the same order replays them) or "same" (samples from 0 again).
   * Default: "same" for temperature 0, otherwise "fresh".
   */
  repeatedRequests?: "fresh" | "same";
  /** Called for every sample looked up. */
  onLookup?: (event: { key: string; hit: boolean; sampleIndex: number }) => void;
}

/** Serialises a value as JSON with object keys sorted and `undefined` members dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
}

/** The cache key of one sample of a request: sha256 of the model id, messages, parameters (not n/signal/role/turn) and sample index. */
export function cacheKey(modelId: string, request: ChatRequest, sampleIndex: number): string {
  const { n: _n, signal: _signal, role: _role, turn: _turn, messages, ...parameters } = request;
  const material = canonicalJson({ model: modelId, messages, parameters, sample: sampleIndex });
  return createHash("sha256").update(material).digest("hex");
}

const TokenLogprobSchema = z.object({
  token: z.string(),
  logprob: z.number(),
  topLogprobs: z.array(z.object({ token: z.string(), logprob: z.number() })).optional(),
});

const CacheEntrySchema = z.object({
  version: z.literal(1),
  model: z.string(),
  choice: z.object({
    text: z.string(),
    finishReason: z.enum(["stop", "length", "content_filter", "tool_calls", "unknown"]),
    logprobs: z.array(TokenLogprobSchema).optional(),
  }),
  promptTokens: z.number(),
  completionTokens: z.number(),
});
type CacheEntry = z.infer<typeof CacheEntrySchema>;

function entryPath(dir: string, key: string): string {
  return join(dir, key.slice(0, 2), `${key}.json`);
}

async function readEntry(dir: string, key: string): Promise<CacheEntry | undefined> {
  const path = entryPath(dir, key);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`corrupt LLM cache entry ${path}: not JSON (delete the file to regenerate it)`, { cause: error });
  }
  const parsed = CacheEntrySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`corrupt LLM cache entry ${path}: field ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

async function writeEntry(dir: string, key: string, entry: CacheEntry): Promise<void> {
  const path = entryPath(dir, key);
  await mkdir(join(dir, key.slice(0, 2)), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(entry)}\n`, "utf8");
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * A content-addressed response cache on disk. Each sample index of a request is stored on its own, so an
 * n>1 request re-run with the same n replays exactly, and a larger n only generates the missing samples.
 * An identical request repeated within one run gets the next sample indices (see `repeatedRequests`), so
 * repeated draws stay distinct and replay in order. Writes are atomic (temp file + rename). In "replay-only"
 * mode a miss throws a "cache-miss" error, so an experiment can be replayed offline without touching the endpoint.
 */
export function withDiskCache(model: ChatModel, options: DiskCacheOptions = {}): ChatModel {
  const dir = options.dir ?? DEFAULT_CACHE_DIR;
  const mode = options.mode ?? "read-write";
  const occurrences = new Map<string, number>();
  return {
    id: model.id,
    async complete(request: ChatRequest): Promise<ChatResponse> {
      const n = request.n ?? 1;
      const repeated = options.repeatedRequests ?? (request.temperature === 0 ? "same" : "fresh");
      let offset = 0;
      let reserved: string | undefined;
      if (repeated === "fresh") {
        reserved = cacheKey(model.id, request, 0);
        offset = occurrences.get(reserved) ?? 0;
        occurrences.set(reserved, offset + n);
      }
      try {
        const keys = Array.from({ length: n }, (_, index) => cacheKey(model.id, request, offset + index));
        const entries = await Promise.all(keys.map((key) => readEntry(dir, key)));
        entries.forEach((entry, index) => options.onLookup?.({ key: keys[index] as string, hit: entry !== undefined, sampleIndex: offset + index }));
        const missing = entries.flatMap((entry, index) => (entry === undefined ? [index] : []));
        if (missing.length > 0 && mode === "replay-only") {
          throw new ChatModelError("cache-miss", `LLM cache in ${dir} has no response for ${missing.length} of ${n} samples (replay-only mode)`);
        }
        let promptTokens = 0;
        let completionTokens = 0;
        let modelName = entries.find((entry) => entry !== undefined)?.model ?? model.id;
        if (missing.length > 0) {
          const fresh = await model.complete({ ...request, n: missing.length });
          if (fresh.choices.length < missing.length) {
            throw new ChatModelError("malformed-response", `model ${model.id} returned ${fresh.choices.length} choices for n=${missing.length}`);
          }
          modelName = fresh.model;
          promptTokens = fresh.usage.promptTokens;
          completionTokens = fresh.usage.completionTokens;
          const share = fresh.usage.completionTokens / missing.length;
          const writes: Promise<void>[] = [];
          missing.forEach((sampleIndex, position) => {
            const choice = fresh.choices[position] as ChatChoice;
            const entry: CacheEntry = { version: 1, model: fresh.model, choice, promptTokens: fresh.usage.promptTokens, completionTokens: share };
            entries[sampleIndex] = entry;
            // An empty completion is returned but never stored, so a re-run asks again instead of replaying it.
            if (mode === "read-write" && choice.text !== "") writes.push(writeEntry(dir, keys[sampleIndex] as string, entry));
          });
          await Promise.all(writes);
        } else {
          promptTokens = entries[0]?.promptTokens ?? 0;
          completionTokens = entries.reduce((sum, entry) => sum + (entry?.completionTokens ?? 0), 0);
        }
        const choices = entries.map((entry) => structuredClone((entry as CacheEntry).choice));
        const response: ChatResponse = {
          model: modelName,
          choices,
          usage: { promptTokens, completionTokens: Math.round(completionTokens) },
        };
        if (missing.length === 0) response.cached = true;
        return response;
      } catch (error) {
        // A failed request gives its sample indices back (unless an identical request took later ones meanwhile),
        // so the caller's retry uses the same indices and a re-run replays in the same order.
        if (reserved !== undefined && occurrences.get(reserved) === offset + n) occurrences.set(reserved, offset);
        throw error;
      }
    },
  };
}
