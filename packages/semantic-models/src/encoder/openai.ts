import { inspect } from "node:util";
import { describeCause, readResponseBody, redactSecrets } from "@foresight/llm-sim";
import { z } from "zod";
import { embedInChunks, joinContext, type SentenceEncoder } from "./types.js";

const EmbeddingsResponseSchema = z.object({
  data: z
    .array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number().refine(Number.isFinite, "must be finite")).min(1) }))
    .min(1),
});

/** Options of {@link OpenAIEmbeddingEncoder}. */
export interface OpenAIEmbeddingOptions {
  /** e.g. `https://api.openai.com/v1` or a local OpenAI-compatible server. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Texts per request (default 64). */
  batchSize?: number;
  /** Turns of a context sent as text (default 3). */
  maxTurns?: number;
  /** Deadline of one request, covering the whole response body (default 60 000 ms). */
  timeoutMs?: number;
  /** Largest response body accepted, in bytes (default 64 MiB). */
  maxResponseBytes?: number;
  /** Replaces global fetch (tests, proxies). */
  fetch?: typeof fetch;
}

/** One embeddings request: POST the texts, read the whole body within the deadline, give back its text. */
async function postWithDeadline(url: string, options: OpenAIEmbeddingOptions, texts: readonly string[]): Promise<{ status: number; ok: boolean; body: string }> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error(`${url}: no complete response within ${timeoutMs} ms`)), timeoutMs);
  try {
    const response = await (options.fetch ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
      body: JSON.stringify({ model: options.model, input: texts }),
      signal: deadline.signal,
    });
    const bytes = await readResponseBody(response, { maxBytes: options.maxResponseBytes ?? 64 * 1024 * 1024, signal: deadline.signal, source: `the response of ${url}` });
    return { status: response.status, ok: response.ok, body: new TextDecoder().decode(bytes) };
  } catch (error) {
    if (deadline.signal.aborted) throw deadline.signal.reason;
    const message = redactSecrets(describeCause(error), [options.apiKey]);
    throw new Error(message.startsWith(url) ? message : `${url}: ${message}`);
  } finally {
    clearTimeout(timer);
  }
}

function normalise(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0));
  return norm > 0 ? vector.map((v) => v / norm) : vector;
}

/** Embeddings from an OpenAI-compatible `/embeddings` endpoint; responses are validated and rows L2-normalised. */
export class OpenAIEmbeddingEncoder implements SentenceEncoder {
  readonly name: string;
  // Private (#) so that util.inspect and JSON never show the API key.
  readonly #options: OpenAIEmbeddingOptions;

  private constructor(
    options: OpenAIEmbeddingOptions,
    readonly dim: number,
  ) {
    this.#options = options;
    this.name = `${options.model} @ ${options.baseUrl}`;
  }

  /** What `util.inspect` shows: the name and dimension, never the key. */
  [inspect.custom](): string {
    return `OpenAIEmbeddingEncoder { name: ${JSON.stringify(this.name)}, dim: ${this.dim} }`;
  }

  /** What `JSON.stringify` shows: the name and dimension, never the key. */
  toJSON(): { name: string; dim: number } {
    return { name: this.name, dim: this.dim };
  }

  /** Connects and learns the dimension from one request. */
  static async create(options: OpenAIEmbeddingOptions): Promise<OpenAIEmbeddingEncoder> {
    const probe = await OpenAIEmbeddingEncoder.request(options, ["dimension probe"]);
    return new OpenAIEmbeddingEncoder(options, (probe[0] as number[]).length);
  }

  private static async request(options: OpenAIEmbeddingOptions, texts: readonly string[]): Promise<number[][]> {
    const url = `${options.baseUrl.replace(/\/+$/, "")}/embeddings`;
    const response = await postWithDeadline(url, options, texts);
    const shown = () => redactSecrets(response.body.slice(0, 200), [options.apiKey]);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}: ${shown()}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.body);
    } catch {
      throw new Error(`${url}: response is not JSON: ${shown()}`);
    }
    const result = EmbeddingsResponseSchema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new Error(`${url}: invalid embeddings response (field ${issue?.path.join(".") ?? "(root)"}): ${issue?.message ?? "invalid"}`);
    }
    const rows = [...result.data.data].sort((a, b) => a.index - b.index);
    if (rows.length !== texts.length || rows.some((r, i) => r.index !== i)) throw new Error(`${url}: expected ${texts.length} embeddings indexed 0…${texts.length - 1}, got ${rows.length}`);
    const dim = rows[0]?.embedding.length ?? 0;
    if (rows.some((r) => r.embedding.length !== dim)) throw new Error(`${url}: embeddings have different lengths`);
    return rows.map((r) => normalise(r.embedding));
  }

  /** Embeds texts in batches of `batchSize`. */
  embed(texts: readonly string[]): Promise<Float32Array> {
    return embedInChunks(texts, this.#options.batchSize ?? 64, this.dim, async (chunk) => {
      const rows = await OpenAIEmbeddingEncoder.request(this.#options, chunk);
      if ((rows[0]?.length ?? 0) !== this.dim) throw new Error(`${this.name}: embedding dimension changed from ${this.dim} to ${rows[0]?.length ?? 0}`);
      return Float32Array.from(rows.flat());
    });
  }

  /** Embeds contexts rendered as their last turns, one per line. */
  embedContexts(contexts: ReadonlyArray<readonly string[]>): Promise<Float32Array> {
    return this.embed(contexts.map((c) => joinContext(c, this.#options.maxTurns ?? 3)));
  }
}
