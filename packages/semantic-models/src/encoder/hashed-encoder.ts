import { expectKind, loadModel, type LoadedModel } from "../model-file.js";
import { ModelLoadError } from "../manifest.js";
import type { OnnxSession, SessionOptions } from "../session.js";
import { wrapOrRelease } from "../heads/runtime.js";
import { RecentMap } from "@foresight/dialogue";
import { z } from "zod";
import { hashedFeatures, HashedFeatureConfigSchema, type TurnCountCache, packSparse, STRUCTURE_FEATURES, structureFeatures, type HashedFeatureConfig, type SparseVector } from "./features.js";
import { countTokens } from "./tokens.js";
import { embedInChunks, type SentenceEncoder } from "./types.js";

/** The largest batch sent to the encoder session at once. */
export const ENCODER_MAX_BATCH = 512;

/** Texts whose features and token count an encoder keeps (the latest ones). */
const RECENT_TEXTS = 1024;

/** The manifest's `head.structure`: the explicit structure features appended after the learned embedding. */
const StructureListSchema = z.array(z.enum(STRUCTURE_FEATURES));

/**
 * The project's own encoder: hashed word/bigram features computed in TypeScript, projected by a learned
 * embedding-bag ONNX graph and L2-normalised. Needs no download. When the manifest lists `head.structure`, every
 * row is `[learned embedding (semanticDim, L2-normalised) | structure features]` (lengths, who spoke last …), and
 * `dim` counts both.
 */
export class HashedEncoder implements SentenceEncoder {
  readonly name: string;
  readonly dim: number;
  /** Dimensions of the learned (L2-normalised) part, first in every row. */
  readonly semanticDim: number;
  /**
   * Bucket counts and token counts of the latest texts embedded, across calls: a batch's contexts share most of their
   * turns (s̃'s context, and it plus each candidate for ã), and a session's next turn sends the same turns again. A
   * text's values depend on it alone, so the embeddings are the same as computing them afresh.
   */
  private readonly turnCounts: TurnCountCache = new RecentMap(RECENT_TEXTS);
  private readonly tokenCounts = new RecentMap<string, number>(RECENT_TEXTS);

  constructor(
    private readonly session: OnnxSession,
    /** How text is featurised (must match training). */
    readonly features: HashedFeatureConfig,
    dim: number,
    name: string,
    /** sha256 of the ONNX file, which heads trained on this encoder record (`training.encoderSha256`). */
    readonly sha256: string,
    /** Structure features appended to each context embedding (empty: none). */
    readonly structure: readonly (typeof STRUCTURE_FEATURES)[number][] = [],
  ) {
    this.semanticDim = dim;
    this.dim = dim + structure.length;
    this.name = name;
  }

  /** Loads and verifies an encoder from its manifest. */
  static async load(manifestPath: string, options: SessionOptions = {}): Promise<HashedEncoder> {
    return wrapOrRelease(await loadModel(manifestPath, options), HashedEncoder.fromLoaded);
  }

  /** Wraps an already verified, loaded model. */
  static fromLoaded(model: LoadedModel): HashedEncoder {
    expectKind(model.manifest, "hashed-encoder", model.manifestPath);
    const parsed = HashedFeatureConfigSchema.safeParse(model.manifest.head.features);
    if (!parsed.success) throw new ModelLoadError(model.manifestPath, parsed.error.issues[0]?.message ?? "invalid feature config", "head.features");
    const file = model.manifestPath;
    const dim = model.manifest.dims.embedding;
    if (!dim) throw new ModelLoadError(file, "missing dims.embedding", "dims.embedding");
    const output = model.manifest.outputs.find((o) => o.name === "embedding");
    if (!output || output.shape[1] !== dim) throw new ModelLoadError(file, `dims.embedding ${dim} does not match the graph's embedding output [${output?.shape.join(", ") ?? "missing"}]`, "dims.embedding");
    const table = model.model.initializers.find((t) => t.name === "table");
    const buckets = table?.dims[0];
    if (buckets !== parsed.data.buckets || table?.dims[1] !== dim) {
      throw new ModelLoadError(file, `head.features.buckets ${parsed.data.buckets} does not match the graph's embedding table [${table?.dims.join(", ") ?? "missing"}]`, "head.features.buckets");
    }
    if (model.manifest.dims.buckets !== undefined && model.manifest.dims.buckets !== buckets) throw new ModelLoadError(file, `dims.buckets ${model.manifest.dims.buckets} does not match the graph's ${buckets}`, "dims.buckets");
    const structure = StructureListSchema.safeParse(model.manifest.head.structure ?? []);
    if (!structure.success) throw new ModelLoadError(file, `unknown structure feature (known: ${STRUCTURE_FEATURES.join(", ")})`, "head.structure");
    const known = STRUCTURE_FEATURES.slice(0, structure.data.length);
    if (structure.data.some((f, i) => f !== known[i])) throw new ModelLoadError(file, `structure features must be a prefix of ${STRUCTURE_FEATURES.join(", ")}`, "head.structure");
    if (model.manifest.dims.state !== undefined && model.manifest.dims.state !== dim + structure.data.length) {
      throw new ModelLoadError(file, `dims.state ${model.manifest.dims.state} is not embedding ${dim} + ${structure.data.length} structure features`, "dims.state");
    }
    return new HashedEncoder(model.session, parsed.data, dim, model.manifest.name, model.manifest.sha256, structure.data);
  }

  /** Embeds sparse feature vectors directly: the learned part only, [n, semanticDim]. */
  async embedFeatures(vectors: readonly SparseVector[]): Promise<Float32Array> {
    return embedInChunks(vectors, ENCODER_MAX_BATCH, this.semanticDim, async (chunk) => {
      const batch = packSparse(chunk);
      const out = await this.session.run({
        indices: { data: batch.indices, dims: [batch.rows, batch.width] },
        weights: { data: batch.weights, dims: [batch.rows, batch.width] },
      });
      return (out.embedding as { data: Float32Array }).data;
    });
  }

  /** Frees the native session. */
  release(): Promise<void> {
    return this.session.release();
  }

  /** Embeds standalone texts (each as a one-turn context). */
  embed(texts: readonly string[]): Promise<Float32Array> {
    return this.embedContexts(texts.map((t) => [t]));
  }

  /**
   * Embeds contexts (recent turns weighted more, as in training), structure features appended. A turn is featurised
   * and token-counted once while it is among the encoder's latest texts: the contexts of a batch (a context and it
   * plus each candidate) share most of their turns, and so do a plan's calls.
   */
  async embedContexts(contexts: ReadonlyArray<readonly string[]>): Promise<Float32Array> {
    const semantic = await this.embedFeatures(contexts.map((c) => hashedFeatures(c, this.features, this.turnCounts)));
    const extra = this.structure.length;
    if (extra === 0) return semantic;
    const d = this.semanticDim;
    const out = new Float32Array(contexts.length * this.dim);
    const tokenCounts = this.tokenCounts;
    const countOnce = (text: string) => {
      let count = tokenCounts.get(text);
      if (count === undefined) {
        count = countTokens(text);
        tokenCounts.set(text, count);
      }
      return count;
    };
    contexts.forEach((context, r) => {
      out.set(semantic.subarray(r * d, (r + 1) * d), r * this.dim);
      out.set(structureFeatures(context, countOnce).subarray(0, extra), r * this.dim + d);
    });
    return out;
  }
}
