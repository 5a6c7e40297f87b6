import type { DialogueAct } from "@foresight/dialogue";
import { z } from "zod";
import type { HashedEncoder } from "../encoder/hashed-encoder.js";
import { buildScalarGraph, scalarForward } from "../heads/scalar.js";
import { checkScalarModel } from "../heads/consistency.js";
import { scalarManifestParts } from "../heads/serialize.js";
import { ModelLoadError, type Manifest } from "../manifest.js";
import { expectKind, saveModel, verifyModelFile } from "../model-file.js";
import { brierScore, round4 } from "../train/metrics.js";
import { trainProbabilityHead } from "../train/heads.js";
import { valueData } from "./train-value.js";

/** One (history, act, Q) target from a planning trace; Q ∈ [0, 1] is the search's value estimate. */
export interface DistillationTarget {
  history: string[];
  acts: DialogueAct[];
  q: number;
}

/** Options of one self-distillation round. */
export interface DistillOptions {
  /** The value model to start from (its manifest). */
  manifestPath: string;
  encoder: HashedEncoder;
  targets: readonly DistillationTarget[];
  outDir: string;
  name: string;
  seed: number;
  epochs: number;
  learningRate?: number;
  log?: (line: string) => void;
}

/**
 * The self-distillation flywheel: fine-tunes a value model on (h, a, Q) targets from planning traces with
 * binary cross-entropy on the soft targets Q, starting from the model's own weights and normalisation, and saves
 * the result as a new model whose metrics report the Brier score on the targets before and after.
 */
export async function distillValueModel(options: DistillOptions): Promise<Manifest> {
  if (options.targets.length === 0) throw new Error("distillValueModel: no targets");
  const verified = verifyModelFile(options.manifestPath);
  expectKind(verified.manifest, "value", options.manifestPath);
  const vocabulary = z.array(z.string()).safeParse(verified.manifest.head.actVocabulary);
  if (!vocabulary.success) throw new ModelLoadError(options.manifestPath, "missing act vocabulary", "head.actVocabulary");
  const recorded = verified.manifest.training.encoderSha256;
  if (recorded !== undefined && recorded !== options.encoder.sha256) {
    throw new ModelLoadError(options.manifestPath, `was trained on encoder ${recorded.slice(0, 12)}…, not on the encoder passed in (${options.encoder.sha256.slice(0, 12)}…)`, "training.encoderSha256");
  }
  const base = checkScalarModel(verified);
  const examples = options.targets.map((t) => ({ dialogueId: "trace", history: t.history, acts: t.acts, target: t.q, success: t.q >= 0.5 }));
  const data = await valueData(options.encoder, examples, vocabulary.data);
  const before = brierScore(scalarForward(base, data.values, data.rows), data.target);
  const spec = await trainProbabilityHead(
    data,
    { hidden: [], activation: "relu", epochs: options.epochs, batchSize: 64, learningRate: options.learningRate ?? 1e-3, seed: options.seed },
    "value",
    base,
  );
  const after = brierScore(scalarForward(spec, data.values, data.rows), data.target);
  options.log?.(`distill: Brier on ${data.rows} targets ${before.toFixed(4)} → ${after.toFixed(4)}`);
  const parts = scalarManifestParts(spec);
  return saveModel(options.outDir, buildScalarGraph(spec, `${verified.manifest.name} distilled on planning traces`), {
    ...verified.manifest,
    name: options.name,
    description: `${verified.manifest.description} Fine-tuned on ${data.rows} (h, a, Q) planning-trace targets.`,
    normalisation: parts.normalisation,
    head: { ...verified.manifest.head, ...parts.head },
    training: {
      ...verified.manifest.training,
      method: `${verified.manifest.training.method}; then self-distillation on (h, a, Q) with BCE on soft targets`,
      examples: { ...verified.manifest.training.examples, distillationTargets: data.rows },
      seed: options.seed,
      hyperparameters: { ...verified.manifest.training.hyperparameters, distillEpochs: options.epochs },
    },
    metrics: { ...verified.manifest.metrics, distillBrierBefore: round4(before), distillBrierAfter: round4(after) },
  });
}
