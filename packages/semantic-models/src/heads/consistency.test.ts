import { createRng, type Rng } from "@foresight/dialogue";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildEmbeddingBagGraph } from "../encoder/hashed-graph.js";
import { HashedEncoder } from "../encoder/hashed-encoder.js";
import { ModelLoadError } from "../manifest.js";
import { initMlp, type Normalizer } from "../mlp.js";
import { saveModel, type ManifestDraft } from "../model-file.js";
import { SYNTHETIC_TRAINING } from "../test-fixtures/manifest.js";
import { buildMixtureGraph, type MixtureHeadSpec } from "./mixture.js";
import { MixtureModel, ScalarModel } from "./runtime.js";
import { buildScalarGraph, type ScalarHeadSpec } from "./scalar.js";
import { mixtureManifestParts, scalarManifestParts } from "./serialize.js";

const dir = mkdtempSync(join(tmpdir(), "semantic-models-consistency-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = { log: () => {} };

const training = SYNTHETIC_TRAINING;

function norm(dim: number, rng: Rng): Normalizer {
  return { mean: Float32Array.from({ length: dim }, () => rng.next() - 0.5), std: Float32Array.from({ length: dim }, () => 0.5 + rng.next()) };
}

const d = 4;
const rng = createRng("consistency");
const mixture: MixtureHeadSpec = {
  kind: "mdn",
  inputs: [
    { name: "state", dim: d },
    { name: "action", dim: d },
  ],
  outDim: d,
  residualInputs: ["state", "action"],
  inputNorm: norm(2 * d, rng),
  targetNorm: norm(d, rng),
  components: 3,
  networks: [initMlp([2 * d, 8, 3 * (1 + 2 * d)], "relu", rng)],
  logStdMin: -5,
  logStdMax: 2,
};
const scalar: ScalarHeadSpec = {
  inputs: [{ name: "state", dim: d }],
  inputNorm: norm(d, rng),
  network: initMlp([d, 1], "linear", rng),
  output: { kind: "affine", mean: 11.5, std: 9.25 },
  outputName: "reward",
};

function save(name: string, kind: "mixture" | "scalar" | "encoder"): string {
  const draft: ManifestDraft =
    kind === "mixture"
      ? { name, kind: "transition", description: "test", dims: { embedding: d, components: 3 }, ...mixtureManifestParts(mixture), training, metrics: {} }
      : kind === "scalar"
        ? { name, kind: "reward", description: "test", dims: { embedding: d }, ...scalarManifestParts(scalar), training, metrics: {} }
        : {
            name,
            kind: "hashed-encoder",
            description: "test",
            dims: { buckets: 32, embedding: d },
            normalisation: {},
            head: { features: { buckets: 32, bigrams: true, turnDecay: 0.5, maxTurns: 3 } },
            training,
            metrics: {},
          };
  const graph =
    kind === "mixture"
      ? buildMixtureGraph(mixture, "test")
      : kind === "scalar"
        ? buildScalarGraph(scalar, "test")
        : buildEmbeddingBagGraph({ buckets: 32, dim: d, table: Float32Array.from({ length: 32 * d }, () => rng.next()) }, "test");
  saveModel(dir, graph, draft);
  return join(dir, `${name}.json`);
}

type Stats = { mean: number[]; std: number[] };
/** The manifest fields these tests edit, as plain JSON. */
interface Editable {
  dims: Record<string, number>;
  normalisation: { input: Stats; target: Stats };
  head: { components: number; inputs: unknown[]; outputName: string; output: { mean: number }; features: { buckets: number } };
}

/** Saves a model, applies `edit` to its manifest (the ONNX file, and so its sha256, stay untouched). */
function tampered(kind: "mixture" | "scalar" | "encoder", edit: (manifest: Editable) => void): string {
  const path = save(`${kind}-${Math.floor(rng.next() * 1e9)}`, kind);
  const manifest = JSON.parse(readFileSync(path, "utf8")) as Editable;
  edit(manifest);
  writeFileSync(path, JSON.stringify(manifest));
  return path;
}

async function rejection(load: Promise<unknown>): Promise<ModelLoadError> {
  const error = await load.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelLoadError);
  return error as ModelLoadError;
}

describe("a manifest must agree with the graph it describes (the checksum covers only the ONNX file)", () => {
  it("loads untouched models", async () => {
    const m = await MixtureModel.load(save("mixture-ok", "mixture"), quiet);
    expect([m.components, m.outDim]).toEqual([3, d]);
    const s = await ScalarModel.load(save("scalar-ok", "scalar"), quiet);
    expect((await s.predict({ state: new Float32Array(2 * d) }, 2)).length).toBe(2);
    const e = await HashedEncoder.load(save("encoder-ok", "encoder"), quiet);
    expect(e.dim).toBe(d);
    await Promise.all([m.release(), s.release(), e.release()]);
  });

  it("rejects wrong mixture dimensions and components", async () => {
    const more = await rejection(MixtureModel.load(tampered("mixture", (m) => (m.head.components = 4)), quiet));
    expect(more.field).toBe("head");
    expect(more.message).toMatch(/network must map 8 → 36/);
    const dims = await rejection(MixtureModel.load(tampered("mixture", (m) => (m.dims.embedding = 8)), quiet));
    expect(dims.message).toMatch(/\(field dims\.embedding\): manifest says 8, the graph has 4/);
    const inputs = await rejection(MixtureModel.load(tampered("mixture", (m) => (m.head.inputs = [...m.head.inputs].reverse())), quiet));
    expect(inputs.message).toMatch(/head inputs action, state do not match the graph's state, action/);
  });

  it("rejects normalisation statistics that differ from the ones baked into the graph", async () => {
    const error = await rejection(MixtureModel.load(tampered("mixture", (m) => (m.normalisation.target.std[2] = 2 * (m.normalisation.target.std[2] as number))), quiet));
    expect(error.message).toMatch(/\(field normalisation\.target\.std\): differs from the "target_std" baked into the graph/);
    const input = await rejection(ScalarModel.load(tampered("scalar", (m) => (m.normalisation.input.mean[0] = 1 + (m.normalisation.input.mean[0] as number))), quiet));
    expect(input.field).toBe("normalisation.input.mean");
    const scale = await rejection(ScalarModel.load(tampered("scalar", (m) => (m.head.output.mean = 3)), quiet));
    expect(scale.field).toBe("head.output.mean");
  });

  it("rejects a scalar head whose output name or input dims are not the graph's", async () => {
    const name = await rejection(ScalarModel.load(tampered("scalar", (m) => (m.head.outputName = "value")), quiet));
    expect(name.message).toMatch(/the graph has no output "value" \(it has reward\)/);
    const dims = await rejection(ScalarModel.load(tampered("scalar", (m) => (m.dims.embedding = 64)), quiet));
    expect(dims.field).toBe("dims.embedding");
  });

  it("rejects an encoder manifest whose dims or buckets are not the graph's", async () => {
    const dims = await rejection(HashedEncoder.load(tampered("encoder", (m) => (m.dims.embedding = 8)), quiet));
    expect(dims.message).toMatch(/dims\.embedding 8 does not match the graph's embedding output \[batch, 4\]/);
    const buckets = await rejection(HashedEncoder.load(tampered("encoder", (m) => (m.head.features.buckets = 64)), quiet));
    expect(buckets.field).toBe("head.features.buckets");
  });
});
