import { createRng } from "@foresight/dialogue";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildScalarGraph, type ScalarHeadSpec } from "./heads/scalar.js";
import { ScalarModel } from "./heads/runtime.js";
import { scalarManifestParts, scalarSpecFromModel } from "./heads/serialize.js";
import { ModelLoadError } from "./manifest.js";
import { initMlp } from "./mlp.js";
import { loadModel, saveModel, verifyModelFile, type ManifestDraft } from "./model-file.js";
import { SYNTHETIC_TRAINING } from "./test-fixtures/manifest.js";

const dir = mkdtempSync(join(tmpdir(), "semantic-models-manifest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const spec: ScalarHeadSpec = {
  inputs: [{ name: "state", dim: 4 }],
  inputNorm: { mean: new Float32Array(4), std: new Float32Array(4).fill(1) },
  network: initMlp([4, 6, 1], "relu", createRng("manifest")),
  output: { kind: "affine", mean: 10, std: 3 },
  outputName: "reward",
};

function draft(name: string): ManifestDraft {
  return {
    name,
    kind: "reward",
    description: "test reward",
    dims: { embedding: 4 },
    ...scalarManifestParts(spec),
    training: SYNTHETIC_TRAINING,
    metrics: { r2: 0.5 },
  };
}

function fresh(name: string): string {
  saveModel(dir, buildScalarGraph(spec, "test"), draft(name));
  return join(dir, `${name}.json`);
}

describe("model files and manifests", () => {
  it("saves, verifies, loads and runs; the manifest records checksum, size and tensor specs", async () => {
    const path = fresh("ok");
    const verified = verifyModelFile(path);
    expect(verified.manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(verified.manifest.inputs).toEqual([{ name: "state", dtype: "float32", shape: ["batch", 4] }]);
    expect(verified.manifest.outputs).toEqual([{ name: "reward", dtype: "float32", shape: ["batch"] }]);
    const model = await ScalarModel.load(path, { log: () => {} });
    const out = await model.predict({ state: new Float32Array(8) }, 2);
    expect(out.length).toBe(2);
    const rebuilt = scalarSpecFromModel(verified.manifest, verified.model, path);
    expect(Array.from(rebuilt.network.layers[0]?.weight ?? [])).toEqual(Array.from(spec.network.layers[0]?.weight ?? []));
  });

  it("fails loudly when the ONNX file was altered (checksum)", async () => {
    const path = fresh("altered");
    const onnx = join(dir, "altered.onnx");
    const bytes = readFileSync(onnx);
    bytes[bytes.length - 5] = (bytes[bytes.length - 5] as number) ^ 0xff;
    writeFileSync(onnx, bytes);
    await expect(loadModel(path)).rejects.toThrow(ModelLoadError);
    await expect(loadModel(path)).rejects.toThrow(/sha256 [0-9a-f]{64} does not match/);
  });

  it("fails when the ONNX file is missing or truncated", async () => {
    const path = fresh("missing");
    writeFileSync(join(dir, "missing.onnx"), readFileSync(join(dir, "missing.onnx")).subarray(0, 20));
    expect(() => verifyModelFile(path)).toThrow(/size 20 bytes does not match/);
    rmSync(join(dir, "missing.onnx"));
    expect(() => verifyModelFile(path)).toThrow(/not found/);
  });

  it("names the field of an invalid manifest", () => {
    const path = fresh("badfield");
    const manifest = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    manifest.sha256 = "xyz";
    writeFileSync(path, JSON.stringify(manifest));
    expect(() => verifyModelFile(path)).toThrow(/\(field sha256\): must be 64 lowercase hex digits/);
    writeFileSync(path, "{ not json");
    expect(() => verifyModelFile(path)).toThrow(/malformed JSON/);
    expect(() => verifyModelFile(join(dir, "nope.json"))).toThrow(/manifest not found/);
  });

  it("names only files inside the model folder: '..', '.', a path or a folder is a one-line error, not EISDIR", () => {
    const path = fresh("outside");
    const manifest = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    for (const file of ["..", ".", "../outside.onnx", "/etc/passwd", "sub\\model.onnx"]) {
      writeFileSync(path, JSON.stringify({ ...manifest, file }));
      expect(() => verifyModelFile(path)).toThrow(/\(field file\): must be the name of a file inside the manifest's folder/);
    }
    mkdirSync(join(dir, "a-folder"));
    writeFileSync(path, JSON.stringify({ ...manifest, file: "a-folder" }));
    expect(() => verifyModelFile(path)).toThrow(ModelLoadError);
    expect(() => verifyModelFile(path)).toThrow(/a-folder: model file named by .*outside\.json is not a regular file/);
  });

  it("rejects a manifest whose declared inputs differ from the graph", () => {
    const path = fresh("mismatch");
    const manifest = JSON.parse(readFileSync(path, "utf8")) as { inputs: Array<{ shape: unknown[] }> };
    (manifest.inputs[0] as { shape: unknown[] }).shape = ["batch", 5];
    writeFileSync(path, JSON.stringify(manifest));
    expect(() => verifyModelFile(path)).toThrow(/graph inputs .* do not match the manifest/);
  });

  it("rejects a model of the wrong kind", async () => {
    const path = fresh("kind");
    const { MixtureModel } = await import("./heads/runtime.js");
    await expect(MixtureModel.load(path, { log: () => {} })).rejects.toThrow(/expected an action or transition model, found reward/);
  });
});
