import { createRng, type Rng } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { buildMixtureGraph, mixtureForward, type MixtureHeadSpec } from "../heads/mixture.js";
import { buildScalarGraph, scalarForward, type ScalarHeadSpec } from "../heads/scalar.js";
import { buildEmbeddingBagGraph, embeddingBagForward } from "../encoder/hashed-graph.js";
import { hashedFeatures, packSparse } from "../encoder/features.js";
import { initMlp, type Normalizer } from "../mlp.js";
import { OnnxSession } from "../session.js";
import { decodeOnnxModel, encodeOnnxModel, tensorFloats } from "./proto.js";

function randomArray(n: number, rng: Rng, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
}

function randomNorm(dim: number, rng: Rng): Normalizer {
  return { mean: randomArray(dim, rng, 0.5), std: Float32Array.from({ length: dim }, () => 0.5 + rng.next()) };
}

function expectClose(actual: Float32Array, expected: Float32Array, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs((actual[i] as number) - (expected[i] as number)) / (1 + Math.abs(expected[i] as number)));
  expect(worst).toBeLessThan(tol);
}

async function run(model: ReturnType<typeof buildMixtureGraph>, feeds: Parameters<OnnxSession["run"]>[0]) {
  const session = await OnnxSession.create(encodeOnnxModel(model), "parity-test");
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

describe("ONNX export equals the TypeScript forward pass", () => {
  const d = 6;
  const rows = 5;
  for (const kind of ["ensemble", "mdn"] as const) {
    it(`${kind} transition head (residual, normalisation baked in)`, async () => {
      const rng = createRng(`parity-${kind}`);
      const k = 3;
      const outWidth = kind === "ensemble" ? 2 * d : k * (1 + 2 * d);
      const spec: MixtureHeadSpec = {
        kind,
        inputs: [
          { name: "state", dim: d },
          { name: "action", dim: d },
        ],
        outDim: d,
        residualInputs: ["state", "action"],
        inputNorm: randomNorm(2 * d, rng),
        targetNorm: randomNorm(d, rng),
        components: k,
        networks: Array.from({ length: kind === "ensemble" ? k : 1 }, () => initMlp([2 * d, 16, 16, outWidth], "tanh", rng)),
        logStdMin: -3,
        logStdMax: 0.5,
      };
      const state = randomArray(rows * d, rng);
      const action = randomArray(rows * d, rng);
      const out = await run(buildMixtureGraph(spec, "test"), { state: { data: state, dims: [rows, d] }, action: { data: action, dims: [rows, d] } });
      const ts = mixtureForward(spec, { state, action }, rows);
      expect(out.mean?.dims).toEqual([rows, k, d]);
      expectClose(out.mean?.data as Float32Array, ts.mean);
      expectClose(out.std?.data as Float32Array, ts.std);
      expectClose(out.weights?.data as Float32Array, ts.weights);
      const sums = Array.from({ length: rows }, (_, r) => ts.weights.subarray(r * k, (r + 1) * k).reduce((a, b) => a + b, 0));
      for (const s of sums) expect(s).toBeCloseTo(1, 5);
    });
  }

  it("scalar heads (affine reward, sigmoid value)", async () => {
    const rng = createRng("parity-scalar");
    for (const output of [{ kind: "affine", mean: 12, std: 7 }, { kind: "sigmoid" }] as const) {
      const spec: ScalarHeadSpec = {
        inputs: [
          { name: "history", dim: d },
          { name: "act", dim: 3 },
        ],
        inputNorm: randomNorm(d + 3, rng),
        network: initMlp([d + 3, 8, 1], "relu", rng),
        output,
        outputName: "value",
      };
      const history = randomArray(rows * d, rng);
      const act = randomArray(rows * 3, rng);
      const out = await run(buildScalarGraph(spec, "test"), { history: { data: history, dims: [rows, d] }, act: { data: act, dims: [rows, 3] } });
      expect(out.value?.dims).toEqual([rows]);
      expectClose(out.value?.data as Float32Array, scalarForward(spec, { history, act }, rows));
    }
  });

  it("hashed embedding-bag encoder, including an empty text", async () => {
    const rng = createRng("parity-bag");
    const spec = { buckets: 64, dim: 8, table: randomArray(64 * 8, rng) };
    const config = { buckets: 64, bigrams: true, turnDecay: 0.5, maxTurns: 3 };
    const batch = packSparse([hashedFeatures(["hello there", "how are you today?"], config), hashedFeatures("", config), hashedFeatures("fine, thanks", config)]);
    const out = await run(buildEmbeddingBagGraph(spec, "test"), {
      indices: { data: batch.indices, dims: [batch.rows, batch.width] },
      weights: { data: batch.weights, dims: [batch.rows, batch.width] },
    });
    const ts = embeddingBagForward(spec, batch);
    expectClose(out.embedding?.data as Float32Array, ts);
    expect(Array.from(ts.subarray(8, 16))).toEqual(new Array(8).fill(0));
    const norm0 = Math.hypot(...Array.from(ts.subarray(0, 8)));
    expect(norm0).toBeCloseTo(1, 5);
  });

  it("the protobuf writer round-trips initializers", () => {
    const rng = createRng("roundtrip");
    const spec = { buckets: 16, dim: 4, table: randomArray(64, rng) };
    const decoded = decodeOnnxModel(encodeOnnxModel(buildEmbeddingBagGraph(spec, "doc")));
    const table = decoded.initializers.find((t) => t.name === "table");
    expect(table?.dims).toEqual([16, 4]);
    expect(Array.from(tensorFloats(table as NonNullable<typeof table>))).toEqual(Array.from(spec.table));
    expect(decoded.inputs.map((i) => i.name)).toEqual(["indices", "weights"]);
    expect(decoded.inputs[0]?.shape).toEqual(["batch", "features"]);
    expect(decoded.opsetVersion).toBe(17);
  });
});
