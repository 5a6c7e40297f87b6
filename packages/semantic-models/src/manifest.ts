import { createHash } from "node:crypto";
import { z } from "zod";

/** The manifest format written next to every ONNX file. */
export const MANIFEST_FORMAT = "foresight-model/1";

/** A model file that is missing, altered, malformed or does not match its manifest; the message names the file. */
export class ModelLoadError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly field?: string,
  ) {
    super(`${file}${field ? ` (field ${field})` : ""}: ${message}`);
    this.name = "ModelLoadError";
  }
}

const FloatArray = z.array(z.number().refine(Number.isFinite, "must be finite"));

/** One graph input or output as the manifest records it. */
export const TensorSpecSchema = z.object({
  name: z.string().min(1),
  dtype: z.enum(["float32", "int64"]),
  shape: z.array(z.union([z.number().int().positive(), z.string().min(1)])).min(1),
});
export type TensorSpec = z.infer<typeof TensorSpecSchema>;

/** Per-dimension normalisation statistics. */
export const NormalizerStatsSchema = z.object({ mean: FloatArray, std: FloatArray }).refine((n) => n.mean.length === n.std.length, {
  message: "mean and std must have the same length",
});

/** The role a model plays; determines which `head` details it carries. */
export const ModelKindSchema = z.enum(["hashed-encoder", "action", "transition", "reward", "value"]);
export type ModelKind = z.infer<typeof ModelKindSchema>;

/** What the model was trained on and how it was split. */
export const TrainingInfoSchema = z.object({
  corpora: z.array(z.string().min(1)).min(1),
  split: z.object({ seed: z.number().int(), train: z.number(), dev: z.number(), test: z.number(), by: z.string().min(1) }),
  trainedOn: z.string().min(1),
  evaluatedOn: z.string().min(1),
  examples: z.record(z.string(), z.number().int().nonnegative()),
  seed: z.number().int(),
  method: z.string().min(1),
  hyperparameters: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
  command: z.string().min(1),
  /** The encoder (manifest name) whose embeddings the model was trained on. */
  encoder: z.string().optional(),
  /** That encoder's ONNX sha256: a head is only served together with exactly this encoder. */
  encoderSha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits").optional(),
});
export type TrainingInfo = z.infer<typeof TrainingInfoSchema>;

/** The JSON manifest of one model. */
export const ManifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  name: z.string().min(1),
  kind: ModelKindSchema,
  description: z.string(),
  file: z
    .string()
    .min(1)
    .refine((f) => !f.includes("/") && !f.includes("\\") && f !== "." && f !== ".." && !f.includes("\0"), "must be the name of a file inside the manifest's folder"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits"),
  bytes: z.number().int().positive(),
  inputs: z.array(TensorSpecSchema).min(1),
  outputs: z.array(TensorSpecSchema).min(1),
  dims: z.record(z.string(), z.number().int().positive()),
  normalisation: z.record(z.string(), NormalizerStatsSchema),
  head: z.record(z.string(), z.unknown()),
  training: TrainingInfoSchema,
  metrics: z.record(z.string(), z.number()),
});
export type Manifest = z.infer<typeof ManifestSchema>;

/** Lowercase hex SHA-256 of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Validates a parsed manifest, raising a {@link ModelLoadError} that names the file and field. */
export function parseManifest(value: unknown, file: string): Manifest {
  const result = ManifestSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? issue.path.map(String).join(".") || "(root)" : "(root)";
  throw new ModelLoadError(file, issue?.message ?? "invalid manifest", field);
}
