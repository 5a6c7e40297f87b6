import { z } from "zod";
import { ModelLoadError, type Manifest } from "../manifest.js";
import { ActivationSchema, type MlpWeights, type Normalizer } from "../mlp.js";
import { tensorFloats, type ModelMessage } from "../onnx/proto.js";
import type { MixtureHeadSpec } from "./mixture.js";
import type { ScalarHeadSpec } from "./scalar.js";

const LayerShapeSchema = z.object({ inDim: z.number().int().positive(), outDim: z.number().int().positive(), activation: ActivationSchema });
const InputSchema = z.object({ name: z.string().min(1), dim: z.number().int().positive() });

/** The `head` section of a mixture model's manifest. */
export const MixtureHeadInfoSchema = z.object({
  type: z.enum(["ensemble", "mdn"]),
  components: z.number().int().positive(),
  inputs: z.array(InputSchema).min(1),
  outDim: z.number().int().positive(),
  residualInputs: z.array(z.string()),
  logStdMin: z.number(),
  logStdMax: z.number(),
  networks: z.array(z.array(LayerShapeSchema).min(1)).min(1),
});

/** The `head` section of a scalar (reward/value) model's manifest. */
export const ScalarHeadInfoSchema = z.object({
  inputs: z.array(InputSchema).min(1),
  outputName: z.string().min(1),
  output: z.discriminatedUnion("kind", [z.object({ kind: z.literal("affine"), mean: z.number(), std: z.number() }), z.object({ kind: z.literal("sigmoid") })]),
  network: z.array(LayerShapeSchema).min(1),
});

function shapes(mlp: MlpWeights) {
  return mlp.layers.map((l) => ({ inDim: l.inDim, outDim: l.outDim, activation: l.activation }));
}

function stats(norm: Normalizer) {
  return { mean: Array.from(norm.mean), std: Array.from(norm.std) };
}

/** The manifest `head` and `normalisation` sections of a mixture head. */
export function mixtureManifestParts(spec: MixtureHeadSpec): Pick<Manifest, "head" | "normalisation"> {
  return {
    head: {
      type: spec.kind,
      components: spec.components,
      inputs: spec.inputs,
      outDim: spec.outDim,
      residualInputs: spec.residualInputs,
      logStdMin: spec.logStdMin,
      logStdMax: spec.logStdMax,
      networks: spec.networks.map(shapes),
    },
    normalisation: { input: stats(spec.inputNorm), target: stats(spec.targetNorm) },
  };
}

/** The manifest `head` and `normalisation` sections of a scalar head. */
export function scalarManifestParts(spec: ScalarHeadSpec): Pick<Manifest, "head" | "normalisation"> {
  return {
    head: { inputs: spec.inputs, outputName: spec.outputName, output: spec.output, network: shapes(spec.network) },
    normalisation: { input: stats(spec.inputNorm) },
  };
}

function parseHead<T>(schema: z.ZodType<T>, manifest: Manifest, file: string): T {
  const result = schema.safeParse(manifest.head);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ModelLoadError(file, issue?.message ?? "invalid head", `head.${issue?.path.map(String).join(".") ?? ""}`);
}

function normalizer(manifest: Manifest, key: string, file: string): Normalizer {
  const n = manifest.normalisation[key];
  if (!n) throw new ModelLoadError(file, `missing normalisation.${key}`, `normalisation.${key}`);
  return { mean: Float32Array.from(n.mean), std: Float32Array.from(n.std) };
}

function readMlp(model: ModelMessage, stem: string, layers: z.infer<typeof LayerShapeSchema>[], file: string): MlpWeights {
  return {
    layers: layers.map((shape, i) => {
      const find = (name: string, size: number) => {
        const tensor = model.initializers.find((t) => t.name === name);
        if (!tensor) throw new ModelLoadError(file, `initializer "${name}" not found`);
        const values = tensorFloats(tensor);
        if (values.length !== size) throw new ModelLoadError(file, `initializer "${name}" has ${values.length} values, expected ${size}`);
        return values;
      };
      return { ...shape, weight: find(`${stem}_w${i}`, shape.inDim * shape.outDim), bias: find(`${stem}_b${i}`, shape.outDim) };
    }),
  };
}

/** Rebuilds a mixture head (weights from the ONNX initializers, the rest from the manifest). */
export function mixtureSpecFromModel(manifest: Manifest, model: ModelMessage, file: string): MixtureHeadSpec {
  const head = parseHead(MixtureHeadInfoSchema, manifest, file);
  return {
    kind: head.type,
    inputs: head.inputs,
    outDim: head.outDim,
    residualInputs: head.residualInputs,
    inputNorm: normalizer(manifest, "input", file),
    targetNorm: normalizer(manifest, "target", file),
    components: head.components,
    networks: head.networks.map((layers, m) => readMlp(model, head.type === "ensemble" ? `member${m}` : "mdn", layers, file)),
    logStdMin: head.logStdMin,
    logStdMax: head.logStdMax,
  };
}

/** Rebuilds a scalar head from its manifest and ONNX graph (e.g. to fine-tune a value model). */
export function scalarSpecFromModel(manifest: Manifest, model: ModelMessage, file: string): ScalarHeadSpec {
  const head = parseHead(ScalarHeadInfoSchema, manifest, file);
  return {
    inputs: head.inputs,
    inputNorm: normalizer(manifest, "input", file),
    network: readMlp(model, "net", head.network, file),
    output: head.output,
    outputName: head.outputName,
  };
}
