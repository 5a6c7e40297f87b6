import { ModelLoadError, type TensorSpec } from "../manifest.js";
import type { VerifiedModel } from "../model-file.js";
import { tensorFloats } from "../onnx/proto.js";
import { validateMixtureSpec, type HeadInput, type MixtureHeadSpec } from "./mixture.js";
import { validateScalarSpec, type ScalarHeadSpec } from "./scalar.js";
import { mixtureSpecFromModel, scalarSpecFromModel } from "./serialize.js";

// The sha256 covers the ONNX file only, so everything the manifest says about the graph is checked against the
// graph itself: a manifest edited by hand (or paired with another model's file) fails here instead of feeding the
// runtime wrong dimensions, output names or normalisation.

function fail(file: string, field: string, message: string): never {
  throw new ModelLoadError(file, message, field);
}

function spec(specs: readonly TensorSpec[], name: string, file: string, kind: "inputs" | "outputs"): TensorSpec {
  return specs.find((s) => s.name === name) ?? fail(file, kind, `the graph has no ${kind === "inputs" ? "input" : "output"} "${name}" (it has ${specs.map((s) => s.name).join(", ")})`);
}

function expectShape(actual: TensorSpec, expected: Array<number | null>, file: string, field: string): void {
  const ok = actual.shape.length === expected.length && expected.every((e, i) => e === null || actual.shape[i] === e);
  if (!ok) fail(file, field, `graph ${actual.name} has shape [${actual.shape.join(", ")}], the manifest implies [${expected.map((e) => e ?? "batch").join(", ")}]`);
}

function checkInputs(verified: VerifiedModel, inputs: readonly HeadInput[], file: string): void {
  const graph = verified.manifest.inputs;
  const names = inputs.map((i) => i.name);
  if (names.join(",") !== graph.map((g) => g.name).join(",")) fail(file, "head.inputs", `head inputs ${names.join(", ")} do not match the graph's ${graph.map((g) => g.name).join(", ")}`);
  inputs.forEach((input, i) => expectShape(graph[i] as TensorSpec, [null, input.dim], file, `head.inputs.${i}.dim`));
}

function checkDim(verified: VerifiedModel, key: string, expected: number, file: string): void {
  const declared = verified.manifest.dims[key];
  if (declared !== undefined && declared !== expected) fail(file, `dims.${key}`, `manifest says ${declared}, the graph has ${expected}`);
}

/** Compares manifest statistics with the constants baked into the graph (float32-exact). */
function checkBaked(verified: VerifiedModel, initializer: string, values: Float32Array, file: string, field: string): void {
  const tensor = verified.model.initializers.find((t) => t.name === initializer) ?? fail(file, field, `the graph has no "${initializer}" constant`);
  const baked = tensorFloats(tensor);
  const same = baked.length === values.length && baked.every((v, i) => v === values[i]);
  if (!same) fail(file, field, `differs from the "${initializer}" baked into the graph`);
}

/**
 * Rebuilds an action/transition head from a verified model and checks that its manifest agrees with the graph:
 * input names and dims, `mean`/`std` [N, K, d] and `weights` [N, K], `dims`, layer shapes and the per-dimension
 * normalisation. Throws a {@link ModelLoadError} naming the field that disagrees.
 */
export function checkMixtureModel(verified: VerifiedModel): MixtureHeadSpec {
  const file = verified.manifestPath;
  const head = mixtureSpecFromModel(verified.manifest, verified.model, file);
  try {
    validateMixtureSpec(head);
  } catch (error) {
    fail(file, "head", (error as Error).message);
  }
  checkInputs(verified, head.inputs, file);
  const outputs = verified.manifest.outputs;
  expectShape(spec(outputs, "mean", file, "outputs"), [null, head.components, head.outDim], file, "head.outDim");
  expectShape(spec(outputs, "std", file, "outputs"), [null, head.components, head.outDim], file, "head.outDim");
  expectShape(spec(outputs, "weights", file, "outputs"), [null, head.components], file, "head.components");
  checkDim(verified, "embedding", head.outDim, file);
  checkDim(verified, "components", head.components, file);
  checkBaked(verified, "input_mean", head.inputNorm.mean, file, "normalisation.input.mean");
  checkBaked(verified, "input_std", head.inputNorm.std, file, "normalisation.input.std");
  checkBaked(verified, "target_mean", head.targetNorm.mean, file, "normalisation.target.mean");
  checkBaked(verified, "target_std", head.targetNorm.std, file, "normalisation.target.std");
  return head;
}

/**
 * Rebuilds a reward/value head from a verified model and checks that its manifest agrees with the graph: input
 * names and dims, the output name and shape [N], `dims`, layer shapes, normalisation and the affine output scale.
 */
export function checkScalarModel(verified: VerifiedModel): ScalarHeadSpec {
  const file = verified.manifestPath;
  const head = scalarSpecFromModel(verified.manifest, verified.model, file);
  try {
    validateScalarSpec(head);
  } catch (error) {
    fail(file, "head", (error as Error).message);
  }
  checkInputs(verified, head.inputs, file);
  expectShape(spec(verified.manifest.outputs, head.outputName, file, "outputs"), [null], file, "head.outputName");
  for (const input of head.inputs) checkDim(verified, input.name, input.dim, file);
  if (head.inputs.length === 1) checkDim(verified, "embedding", (head.inputs[0] as HeadInput).dim, file);
  checkBaked(verified, "input_mean", head.inputNorm.mean, file, "normalisation.input.mean");
  checkBaked(verified, "input_std", head.inputNorm.std, file, "normalisation.input.std");
  if (head.output.kind === "affine") {
    checkBaked(verified, "target_mean", Float32Array.of(head.output.mean), file, "head.output.mean");
    checkBaked(verified, "target_std", Float32Array.of(head.output.std), file, "head.output.std");
  }
  return head;
}
