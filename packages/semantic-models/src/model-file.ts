import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { decodeOnnxModel, encodeOnnxModel, OnnxDataType, type ModelMessage, type ValueInfoMessage } from "./onnx/proto.js";
import { ModelLoadError, ManifestSchema, MANIFEST_FORMAT, parseManifest, sha256Hex, type Manifest, type TensorSpec } from "./manifest.js";
import { OnnxSession, type SessionOptions } from "./session.js";

/** The manifest fields a trainer supplies; file, checksum, size and tensor specs are filled in on save. */
export type ManifestDraft = Omit<Manifest, "format" | "file" | "sha256" | "bytes" | "inputs" | "outputs">;

function tensorSpec(info: ValueInfoMessage): TensorSpec {
  return { name: info.name, dtype: info.elemType === OnnxDataType.INT64 ? "int64" : "float32", shape: info.shape };
}

/** Serialises a model, then writes `<name>.onnx` and `<name>.json` into `dir`; returns the manifest. */
export function saveModel(dir: string, model: ModelMessage, draft: ManifestDraft): Manifest {
  const bytes = encodeOnnxModel(model);
  const manifest: Manifest = ManifestSchema.parse({
    format: MANIFEST_FORMAT,
    ...draft,
    file: `${draft.name}.onnx`,
    sha256: sha256Hex(bytes),
    bytes: bytes.byteLength,
    inputs: model.inputs.map(tensorSpec),
    outputs: model.outputs.map(tensorSpec),
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, manifest.file), bytes);
  writeFileSync(join(dir, `${draft.name}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** A verified model file: its manifest, bytes and parsed graph. */
export interface VerifiedModel {
  manifestPath: string;
  onnxPath: string;
  manifest: Manifest;
  bytes: Uint8Array;
  model: ModelMessage;
}

function sameSpecs(kind: string, declared: TensorSpec[], actual: TensorSpec[], file: string): void {
  const a = JSON.stringify(declared);
  const b = JSON.stringify(actual);
  if (a !== b) throw new ModelLoadError(file, `graph ${kind} ${b} do not match the manifest's ${a}`, kind);
}

/**
 * Reads a manifest and its ONNX file and checks everything: schema, file present, size, sha256, the graph parses,
 * and its inputs and outputs equal the manifest's. Any mismatch is a {@link ModelLoadError}.
 */
export function verifyModelFile(manifestPath: string): VerifiedModel {
  if (!existsSync(manifestPath)) throw new ModelLoadError(manifestPath, "manifest not found");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch (error) {
    throw new ModelLoadError(manifestPath, `malformed JSON: ${(error as Error).message}`);
  }
  const manifest = parseManifest(raw, manifestPath);
  // The schema keeps `file` inside the manifest's folder (no separators, "." or ".."); it may still name a folder.
  const onnxPath = join(dirname(manifestPath), manifest.file);
  if (!existsSync(onnxPath)) throw new ModelLoadError(onnxPath, `model file named by ${manifestPath} not found`);
  if (!statSync(onnxPath).isFile()) throw new ModelLoadError(onnxPath, `model file named by ${manifestPath} is not a regular file`);
  const bytes = new Uint8Array(readFileSync(onnxPath));
  if (bytes.byteLength !== manifest.bytes) throw new ModelLoadError(onnxPath, `size ${bytes.byteLength} bytes does not match the manifest's ${manifest.bytes}`, "bytes");
  const digest = sha256Hex(bytes);
  if (digest !== manifest.sha256) throw new ModelLoadError(onnxPath, `sha256 ${digest} does not match the manifest's ${manifest.sha256}; the file was altered or belongs to another manifest`, "sha256");
  let model: ModelMessage;
  try {
    model = decodeOnnxModel(bytes);
  } catch (error) {
    throw new ModelLoadError(onnxPath, `not a valid ONNX model: ${(error as Error).message}`);
  }
  sameSpecs("inputs", manifest.inputs, model.inputs.map(tensorSpec), manifestPath);
  sameSpecs("outputs", manifest.outputs, model.outputs.map(tensorSpec), manifestPath);
  return { manifestPath, onnxPath, manifest, bytes, model };
}

/** A verified model with its running session. */
export interface LoadedModel extends VerifiedModel {
  session: OnnxSession;
}

/** Verifies a model file and creates its session; throws unless both succeed, so a failed model is never used. */
export async function loadModel(manifestPath: string, options: SessionOptions = {}): Promise<LoadedModel> {
  const verified = verifyModelFile(manifestPath);
  const session = await OnnxSession.create(verified.bytes, verified.onnxPath, options);
  return { ...verified, session };
}

/** Checks that a manifest has the expected kind; throws a {@link ModelLoadError} otherwise. */
export function expectKind(manifest: Manifest, kind: Manifest["kind"], file: string): void {
  if (manifest.kind !== kind) throw new ModelLoadError(file, `expected a ${kind} model, found ${manifest.kind}`, "kind");
}
