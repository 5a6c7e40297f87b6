import { createRng } from "@foresight/dialogue";
import type * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { buildScalarGraph } from "./heads/scalar.js";
import { ModelLoadError } from "./manifest.js";
import { initMlp } from "./mlp.js";
import { GraphBuilder } from "./onnx/graph.js";
import { encodeOnnxModel } from "./onnx/proto.js";
import { OnnxSession } from "./session.js";

const bytes = encodeOnnxModel(
  buildScalarGraph(
    {
      inputs: [{ name: "state", dim: 3 }],
      inputNorm: { mean: new Float32Array(3), std: new Float32Array(3).fill(1) },
      network: initMlp([3, 1], "linear", createRng("session")),
      output: { kind: "sigmoid" },
      outputName: "value",
    },
    "session test",
  ),
);

describe("execution providers", () => {
  it("falls back from CUDA to CPU with the reason logged (this onnxruntime-node install has no CUDA provider)", async () => {
    const logs: string[] = [];
    const session = await OnnxSession.create(bytes, "model.onnx", { providers: ["cuda", "cpu"], log: (m) => logs.push(m) });
    expect(session.provider).toBe("cpu");
    expect(session.fallbacks.map((f) => f.provider)).toEqual(["cuda"]);
    expect(session.fallbacks[0]?.reason.length).toBeGreaterThan(0);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/model\.onnx: execution provider "cuda" unavailable \(.+\); falling back to "cpu"/);
    const out = await session.run({ state: { data: new Float32Array([0, 0, 0]), dims: [1, 3] } });
    expect(out.value?.data[0]).toBeCloseTo(0.5, 6);
    await session.release();
  });

  it("strict mode throws instead of falling back", async () => {
    await expect(OnnxSession.create(bytes, "model.onnx", { providers: ["cuda", "cpu"], strict: true, log: () => {} })).rejects.toThrow(
      /model\.onnx: execution provider "cuda" failed \(strict mode\)/,
    );
  });

  it("tries providers in order through the factory and reports when none works", async () => {
    const tried: string[][] = [];
    const failing = async (_model: Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> => {
      tried.push((options.executionProviders ?? []).map(String));
      throw new Error(`no ${String(options.executionProviders?.[0])} here\nsecond line`);
    };
    const error = await OnnxSession.create(bytes, "m.onnx", { providers: ["cuda", "dml", "cpu"], createSession: failing, log: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(String(error)).toContain("onnxruntime could not load the model on cpu: no cpu here (cuda: no cuda here; dml: no dml here before)");
    expect(tried).toEqual([["cuda"], ["dml"], ["cpu"]]);
    const none = await OnnxSession.create(bytes, "m.onnx", { providers: ["cuda"], createSession: failing, log: () => {} }).catch((e: unknown) => e);
    expect(String(none)).toContain("no execution provider could run the model: cuda: no cuda here");
  });

  it("reports a graph with an unknown operator as what failed, not as an unavailable provider", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", ["batch", 2]);
    g.output("y", g.node("NoSuchOperatorXyz", [x]), ["batch", 2]);
    const logs: string[] = [];
    const error = await OnnxSession.create(encodeOnnxModel(g.build("unknown_op", "test")), "odd.onnx", { log: (m) => logs.push(m) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(String(error)).toMatch(/odd\.onnx: onnxruntime could not load the model on cpu: .*NoSuchOperatorXyz/);
    expect(String(error)).not.toMatch(/unavailable/);
    expect(logs).toEqual([]);
  });
});
