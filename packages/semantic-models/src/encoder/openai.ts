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
  /** Replaces global fetch (tests, proxies). */
  fetch?: typeof fetch;
}

function normalise(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0));
  return norm > 0 ? vector.map((v) => v / norm) : vector;
}

/** Embeddings from an OpenAI-compatible `/embeddings` endpoint; responses are validated and rows L2-normalised. */
export class OpenAIEmbeddingEncoder implements SentenceEncoder {
  readonly name: string;

  private constructor(
    private readonly options: OpenAIEmbeddingOptions,
    readonly dim: number,
  ) {
    this.name = `${options.model} @ ${options.baseUrl}`;
  }

  /** Connects and learns the dimension from one request. */
  static async create(options: OpenAIEmbeddingOptions): Promise<OpenAIEmbeddingEncoder> {
    const probe = await OpenAIEmbeddingEncoder.request(options, ["dimension probe"]);
    return new OpenAIEmbeddingEncoder(options, (probe[0] as number[]).length);
  }

  private static async request(options: OpenAIEmbeddingOptions, texts: readonly string[]): Promise<number[][]> {
    const url = `${options.baseUrl.replace(/\/+$/, "")}/embeddings`;
    const response = await (options.fetch ?? fetch)(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
      body: JSON.stringify({ model: options.model, input: texts }),
    });
    const body = await response.text();
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}: ${body.slice(0, 200)}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new Error(`${url}: response is not JSON: ${body.slice(0, 200)}`);
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
    return embedInChunks(texts, this.options.batchSize ?? 64, this.dim, async (chunk) => {
      const rows = await OpenAIEmbeddingEncoder.request(this.options, chunk);
      if ((rows[0]?.length ?? 0) !== this.dim) throw new Error(`${this.name}: embedding dimension changed from ${this.dim} to ${rows[0]?.length ?? 0}`);
      return Float32Array.from(rows.flat());
    });
  }

  /** Embeds contexts rendered as their last turns, one per line. */
  embedContexts(contexts: ReadonlyArray<readonly string[]>): Promise<Float32Array> {
    return this.embed(contexts.map((c) => joinContext(c, this.options.maxTurns ?? 3)));
  }
}
