import type { Rng } from "@foresight/dialogue";
import { ModelLoadError } from "../manifest.js";
import { loadModel, type LoadedModel } from "../model-file.js";
import type { OnnxSession, SessionOptions, TensorData } from "../session.js";
import { checkMixtureModel, checkScalarModel } from "./consistency.js";
import { sampleMixture, type HeadInput, type MixtureParams } from "./mixture.js";

/** The largest batch sent to a head session at once; bigger inputs are split. */
export const HEAD_MAX_BATCH = 4096;

function feeds(inputs: readonly HeadInput[], values: Record<string, Float32Array>, start: number, end: number): Record<string, TensorData> {
  const out: Record<string, TensorData> = {};
  for (const input of inputs) {
    const v = values[input.name];
    if (!v) throw new Error(`missing input "${input.name}"`);
    out[input.name] = { data: v.subarray(start * input.dim, end * input.dim), dims: [end - start, input.dim] };
  }
  return out;
}

function checkRows(inputs: readonly HeadInput[], values: Record<string, Float32Array>, rows: number): void {
  for (const input of inputs) {
    const v = values[input.name];
    if (!v || v.length !== rows * input.dim) throw new Error(`input "${input.name}": expected ${rows}×${input.dim} values, got ${v?.length ?? 0}`);
  }
}

/** A session output's values, checked to have the expected length. */
function outputOf(out: Record<string, { data: Float32Array }>, name: string, length: number): Float32Array {
  const data = out[name]?.data;
  if (!data || data.length !== length) throw new Error(`output "${name}": expected ${length} values, got ${data?.length ?? 0}`);
  return data;
}

/** Wraps a loaded model; when the wrapper rejects it, its session is released before the error propagates. */
export async function wrapOrRelease<T>(model: LoadedModel, wrap: (model: LoadedModel) => T): Promise<T> {
  try {
    return wrap(model);
  } catch (error) {
    await model.session.release();
    throw error;
  }
}

/** A loaded action or transition model: predicts a mixture of diagonal Gaussians, samples with a seeded generator. */
export class MixtureModel {
  private constructor(
    private readonly session: OnnxSession,
    /** The verified model it runs. */
    readonly model: LoadedModel,
    /** Its named inputs in order. */
    readonly inputs: HeadInput[],
    /** The predicted vector's dimension. */
    readonly outDim: number,
    /** Mixture components (ensemble members or MDN components). */
    readonly components: number,
  ) {}

  /** Loads and verifies an action or transition model. */
  static async load(manifestPath: string, options: SessionOptions = {}): Promise<MixtureModel> {
    return wrapOrRelease(await loadModel(manifestPath, options), MixtureModel.fromLoaded);
  }

  /** Wraps a verified, loaded model after checking that its manifest agrees with its graph. */
  static fromLoaded(model: LoadedModel): MixtureModel {
    if (model.manifest.kind !== "action" && model.manifest.kind !== "transition") {
      throw new ModelLoadError(model.manifestPath, `expected an action or transition model, found ${model.manifest.kind}`, "kind");
    }
    const head = checkMixtureModel(model);
    return new MixtureModel(model.session, model, head.inputs, head.outDim, head.components);
  }

  /** Mixture parameters for a batch of rows (inputs by name, row-major). */
  async predict(values: Record<string, Float32Array>, rows: number): Promise<MixtureParams> {
    checkRows(this.inputs, values, rows);
    const k = this.components;
    const d = this.outDim;
    if (rows <= HEAD_MAX_BATCH) {
      // One batch (the search's case): the session's outputs are the parameters, no copy.
      const out = await this.session.run(feeds(this.inputs, values, 0, rows));
      return { rows, components: k, dim: d, mean: outputOf(out, "mean", rows * k * d), std: outputOf(out, "std", rows * k * d), weights: outputOf(out, "weights", rows * k) };
    }
    const params: MixtureParams = { rows, components: k, dim: d, mean: new Float32Array(rows * k * d), std: new Float32Array(rows * k * d), weights: new Float32Array(rows * k) };
    for (let start = 0; start < rows; start += HEAD_MAX_BATCH) {
      const end = Math.min(start + HEAD_MAX_BATCH, rows);
      const out = await this.session.run(feeds(this.inputs, values, start, end));
      params.mean.set((out.mean as { data: Float32Array }).data, start * k * d);
      params.std.set((out.std as { data: Float32Array }).data, start * k * d);
      params.weights.set((out.weights as { data: Float32Array }).data, start * k);
    }
    return params;
  }

  /** Frees the native session. */
  release(): Promise<void> {
    return this.session.release();
  }

  /** Draws `samplesPerRow` predictions per row: [rows·samplesPerRow, outDim]. */
  async sample(values: Record<string, Float32Array>, rows: number, rng: Rng, samplesPerRow = 1): Promise<Float32Array> {
    return sampleMixture(await this.predict(values, rows), rng, samplesPerRow);
  }
}

/** A loaded reward or value model: one number per row. */
export class ScalarModel {
  private constructor(
    private readonly session: OnnxSession,
    /** The verified model it runs. */
    readonly model: LoadedModel,
    /** Its named inputs in order. */
    readonly inputs: HeadInput[],
    private readonly outputName: string,
  ) {}

  /** Loads and verifies a reward or value model. */
  static async load(manifestPath: string, options: SessionOptions = {}): Promise<ScalarModel> {
    return wrapOrRelease(await loadModel(manifestPath, options), ScalarModel.fromLoaded);
  }

  /** Wraps a verified, loaded model after checking that its manifest agrees with its graph. */
  static fromLoaded(model: LoadedModel): ScalarModel {
    if (model.manifest.kind !== "reward" && model.manifest.kind !== "value") {
      throw new ModelLoadError(model.manifestPath, `expected a reward or value model, found ${model.manifest.kind}`, "kind");
    }
    const head = checkScalarModel(model);
    return new ScalarModel(model.session, model, head.inputs, head.outputName);
  }

  /** Frees the native session. */
  release(): Promise<void> {
    return this.session.release();
  }

  /** Predictions for a batch of rows. */
  async predict(values: Record<string, Float32Array>, rows: number): Promise<Float32Array> {
    checkRows(this.inputs, values, rows);
    if (rows <= HEAD_MAX_BATCH) return outputOf(await this.session.run(feeds(this.inputs, values, 0, rows)), this.outputName, rows);
    const result = new Float32Array(rows);
    for (let start = 0; start < rows; start += HEAD_MAX_BATCH) {
      const end = Math.min(start + HEAD_MAX_BATCH, rows);
      const out = await this.session.run(feeds(this.inputs, values, start, end));
      result.set((out[this.outputName] as { data: Float32Array }).data, start);
    }
    return result;
  }
}
