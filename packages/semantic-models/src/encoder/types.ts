/** Text → vector. Every implementation returns row-major [n, dim] float32 and L2-normalised rows. */
export interface SentenceEncoder {
  /** A short description (model name or file). */
  readonly name: string;
  /** The embedding dimension. */
  readonly dim: number;
  /** Embeds standalone texts (utterances). */
  embed(texts: readonly string[]): Promise<Float32Array>;
  /** Embeds conversation contexts, each a list of turns oldest first. */
  embedContexts(contexts: ReadonlyArray<readonly string[]>): Promise<Float32Array>;
}

/** How encoders that only see flat text render a context: its last `maxTurns` turns, one per line. */
export function joinContext(turns: readonly string[], maxTurns: number): string {
  return turns.slice(-maxTurns).join("\n");
}

/** Runs `fn` over consecutive chunks of at most `size` items and concatenates the [n, dim] results. */
export async function embedInChunks<T>(items: readonly T[], size: number, dim: number, fn: (chunk: T[]) => Promise<Float32Array>): Promise<Float32Array> {
  const out = new Float32Array(items.length * dim);
  for (let start = 0; start < items.length; start += size) {
    const chunk = items.slice(start, start + size);
    const part = await fn(chunk);
    if (part.length !== chunk.length * dim) throw new Error(`encoder returned ${part.length} values for ${chunk.length} texts of dim ${dim}`);
    out.set(part, start * dim);
  }
  return out;
}
