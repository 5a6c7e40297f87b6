import { expectKind, loadModel, type LoadedModel } from "../model-file.js";
import { ModelLoadError } from "../manifest.js";
import type { OnnxSession, SessionOptions } from "../session.js";
import { hashedFeatures, HashedFeatureConfigSchema, packSparse, type HashedFeatureConfig, type SparseVector } from "./features.js";
import { embedInChunks, type SentenceEncoder } from "./types.js";

/** The largest batch sent to the encoder session at once. */
export const ENCODER_MAX_BATCH = 512;

/**
 * The project's own encoder: hashed word/bigram features computed in TypeScript, projected by a learned
 * embedding-bag ONNX graph and L2-normalised. Needs no download.
 */
export class HashedEncoder implements SentenceEncoder {
  readonly name: string;
  readonly dim: number;

  constructor(
    private readonly session: OnnxSession,
    /** How text is featurised (must match training). */
    readonly features: HashedFeatureConfig,
    dim: number,
    name: string,
  ) {
    this.dim = dim;
    this.name = name;
  }

  /** Loads and verifies an encoder from its manifest. */
  static async load(manifestPath: string, options: SessionOptions = {}): Promise<HashedEncoder> {
    const model = await loadModel(manifestPath, options);
    return HashedEncoder.fromLoaded(model);
  }

  /** Wraps an already verified, loaded model. */
  static fromLoaded(model: LoadedModel): HashedEncoder {
    expectKind(model.manifest, "hashed-encoder", model.manifestPath);
    const parsed = HashedFeatureConfigSchema.safeParse(model.manifest.head.features);
    if (!parsed.success) throw new ModelLoadError(model.manifestPath, parsed.error.issues[0]?.message ?? "invalid feature config", "head.features");
    const dim = model.manifest.dims.embedding;
    if (!dim) throw new ModelLoadError(model.manifestPath, "missing dims.embedding", "dims.embedding");
    return new HashedEncoder(model.session, parsed.data, dim, model.manifest.name);
  }

  /** Embeds sparse feature vectors directly. */
  async embedFeatures(vectors: readonly SparseVector[]): Promise<Float32Array> {
    return embedInChunks(vectors, ENCODER_MAX_BATCH, this.dim, async (chunk) => {
      const batch = packSparse(chunk);
      const out = await this.session.run({
        indices: { data: batch.indices, dims: [batch.rows, batch.width] },
        weights: { data: batch.weights, dims: [batch.rows, batch.width] },
      });
      return (out.embedding as { data: Float32Array }).data;
    });
  }

  /** Embeds standalone texts. */
  embed(texts: readonly string[]): Promise<Float32Array> {
    return this.embedFeatures(texts.map((t) => hashedFeatures(t, this.features)));
  }

  /** Embeds contexts (recent turns weighted more, as in training). */
  embedContexts(contexts: ReadonlyArray<readonly string[]>): Promise<Float32Array> {
    return this.embedFeatures(contexts.map((c) => hashedFeatures(c, this.features)));
  }
}
