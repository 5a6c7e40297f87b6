import { createHash } from "node:crypto";
import { join } from "node:path";
import { buildChatModel, ChatModelError, DEFAULT_CACHE_DIR, withDiskCache, type ChatModel } from "@foresight/llm-sim";
import type { EpisodeSpec, Suite } from "../suites/types.js";
import { episodeKey } from "./episodes.js";

/**
 * The LLM of a live or replayed bench run. Every episode gets its own view of the response cache (a folder of its
 * own, and its own count of repeated requests), so what an episode is answered does not depend on which episodes
 * ran before it in the same process: a run played in parallel, sharded or on queue workers replays byte for byte,
 * and the caches of several machines can be copied together.
 */
export interface LiveLlm {
  /** The model id, recorded in run.json and the report. */
  id: string;
  /** "live": the endpoint behind the cache (answers stored); "replay": the cache alone (a miss is an error). */
  mode: "live" | "replay";
  /** The cache folder. */
  cacheDir: string;
  /** The model an episode plays with: the cache view of `namespace` (see {@link cacheNamespace}). */
  forEpisode(namespace: string): ChatModel;
}

/** Options of {@link liveLlm}. */
export interface LiveLlmOptions {
  /** The endpoint's model (e.g. `chatModelFromEnv()`); absent for a replay, which never calls one. */
  model?: ChatModel;
  /** The model id a replay plays (the live run's); default `model.id`. */
  id?: string;
  /** Replay from the cache only. */
  replay?: boolean;
  /** The cache folder (default llm-sim's `.foresight-cache/llm`). */
  cacheDir?: string;
  /** Endpoint calls in flight at once over all episodes of this process (default 8). */
  concurrency?: number;
}

/**
 * The cache namespace of an episode: its share key when the suite gives one (episodes sharing an outcome share
 * the answers that made it, so any of them replays it), else the episode's own key; hashed to a folder name.
 */
export function cacheNamespace(suite: Suite, spec: EpisodeSpec): string {
  const identity = suite.shareKey?.(spec) ?? episodeKey(spec);
  return `${spec.suite}/${createHash("sha256").update(identity).digest("hex").slice(0, 24)}`;
}

/** The LLM of a live run (`model` behind the response cache) or of a replay (the cache alone). */
export function liveLlm(options: LiveLlmOptions): LiveLlm {
  const id = options.id ?? options.model?.id;
  if (!id) throw new Error("liveLlm: a replay needs the model id of the live run");
  const replay = options.replay ?? false;
  if (!replay && !options.model) throw new Error("liveLlm: live mode needs a model");
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  // One retrying, concurrency-limited endpoint for the whole process; the cache view per episode sits outside it.
  const endpoint: ChatModel = replay
    ? { id, complete: () => Promise.reject(new ChatModelError("cache-miss", "a replay never calls the endpoint")) }
    : buildChatModel(options.model as ChatModel, { concurrency: options.concurrency ?? 8, deduplicate: false });
  return {
    id,
    mode: replay ? "replay" : "live",
    cacheDir,
    forEpisode: (namespace) => withDiskCache(endpoint, { dir: join(cacheDir, namespace), mode: replay ? "replay-only" : "read-write" }),
  };
}
