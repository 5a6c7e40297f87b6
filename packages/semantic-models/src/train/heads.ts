import { createRng } from "@foresight/dialogue";
import { concatInputs, type HeadInput, type MixtureHeadSpec, type MixtureKind } from "../heads/mixture.js";
import { linearHeadCoefficients, scalarForward, type ScalarHeadSpec } from "../heads/scalar.js";
import { fitNormalizer, normalizeRows, type Activation, type MlpWeights, type Normalizer } from "../mlp.js";
import { bceWithLogitsLoss, gaussianNllLoss, mdnHarmNllLoss, mdnNllLoss, mseLoss } from "./losses.js";
import { trainNetwork } from "./network.js";
import { fitRidge } from "./ridge.js";

/** Optimiser settings shared by the head trainers. */
export interface FitOptions {
  hidden: number[];
  activation: Activation;
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay?: number;
  seed: number;
  onEpoch?: (label: string, epoch: number, loss: number, validationLoss?: number) => void;
  /** Early-stopping patience in epochs when validation data are given (default 1). */
  patience?: number;
}

/** What a mixture head is trained on: named inputs and the target vector, [rows, ·] each. */
export interface MixtureData {
  inputs: HeadInput[];
  values: Record<string, Float32Array>;
  target: Float32Array;
  rows: number;
  outDim: number;
  residualInputs: string[];
}

/** log σ bounds used for every mixture head (in normalised units). */
export const LOG_STD_RANGE = { min: -5, max: 2 } as const;

/** The residual target: target − Σ residual inputs. */
export function residualOfTarget(data: MixtureData): Float32Array {
  const residual = Float32Array.from(data.target);
  for (const name of data.residualInputs) {
    const v = data.values[name];
    if (!v || v.length !== residual.length) throw new Error(`residual input "${name}" has the wrong size`);
    for (let i = 0; i < residual.length; i++) residual[i] = (residual[i] as number) - (v[i] as number);
  }
  return residual;
}

/** The normalised residual target (target − Σ residual inputs) and its normaliser. */
export function residualTargets(data: MixtureData): { normalised: Float32Array; norm: Normalizer } {
  const residual = residualOfTarget(data);
  const norm = fitNormalizer(residual, data.rows, data.outDim);
  return { normalised: normalizeRows(residual, data.rows, norm), norm };
}

/**
 * The auxiliary harm term of SCOPE's Eq. 13–15: a linear harm head F_H over the target vector (input "state") and
 * the text scorer's harm of each row's true next state (train rows, and validation rows when validating).
 */
export interface HarmAuxiliary {
  head: ScalarHeadSpec;
  train: Float32Array;
  validation?: Float32Array;
}

/**
 * Targets for the harm-auxiliary MDN loss: [y (d) | h − c] per row, y the normalised residual and c the part of
 * F_H(s̃′) = c + u·y that does not depend on y (so F_H of component k's mean is c + u·μ_k); u is returned.
 */
function harmTargets(head: ScalarHeadSpec, harm: Float32Array, data: MixtureData, y: Float32Array, targetNorm: Normalizer): { targets: Float32Array; direction: Float32Array } {
  const d = data.outDim;
  if (harm.length !== data.rows) throw new Error(`harm auxiliary: ${harm.length} harm scores for ${data.rows} rows`);
  const { weights } = linearHeadCoefficients(head);
  if (weights.length !== d) throw new Error(`harm auxiliary: the harm head takes ${weights.length} dims, the target has ${d}`);
  const direction = weights.map((w, j) => w * (targetNorm.std[j] as number));
  const trueHarm = scalarForward(head, { state: data.target }, data.rows);
  const targets = new Float32Array(data.rows * (d + 1));
  for (let r = 0; r < data.rows; r++) {
    let projected = 0;
    for (let j = 0; j < d; j++) {
      const v = y[r * d + j] as number;
      targets[r * (d + 1) + j] = v;
      projected += (direction[j] as number) * v;
    }
    targets[r * (d + 1) + d] = (harm[r] as number) - ((trueHarm[r] as number) - projected);
  }
  return { targets, direction };
}

/**
 * Trains a mixture head: a deep ensemble of `components` Gaussian MLPs (each its own seed and shuffling) or one
 * MDN with `components` diagonal Gaussians, on normalised inputs and normalised residual targets. With
 * `validation`, each network stops early on its validation loss and keeps its best epoch's weights. With `harm`
 * (MDN only) the loss is the joint likelihood of the next state and its harmfulness score (Eq. 13–15).
 */
export async function trainMixtureHead(kind: MixtureKind, data: MixtureData, components: number, options: FitOptions, validation?: MixtureData, harm?: HarmAuxiliary): Promise<MixtureHeadSpec> {
  if (harm && kind !== "mdn") throw new Error("the harm auxiliary loss (Eq. 13–15) is defined for the MDN only");
  if (harm && validation && !harm.validation) throw new Error("harm auxiliary: validation rows need their harm scores");
  const raw = concatInputs(data.inputs, data.values, data.rows);
  const inDim = raw.length / data.rows;
  const inputNorm = fitNormalizer(raw, data.rows, inDim);
  const x = normalizeRows(raw, data.rows, inputNorm);
  const { normalised: y, norm: targetNorm } = residualTargets(data);
  const heldTargets = validation ? normalizeRows(residualOfTarget(validation), validation.rows, targetNorm) : undefined;
  const auxiliary = harm ? harmTargets(harm.head, harm.train, data, y, targetNorm) : undefined;
  const held = validation
    ? {
        validation: {
          rows: validation.rows,
          inputs: normalizeRows(concatInputs(validation.inputs, validation.values, validation.rows), validation.rows, inputNorm),
          targets: harm ? harmTargets(harm.head, harm.validation as Float32Array, validation, heldTargets as Float32Array, targetNorm).targets : (heldTargets as Float32Array),
        },
        patience: options.patience ?? 1,
      }
    : {};
  const d = data.outDim;
  const networks: MlpWeights[] = [];
  const rng = createRng(options.seed);
  const common = {
    hidden: options.activation,
    epochs: options.epochs,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    ...(options.weightDecay ? { weightDecay: options.weightDecay } : {}),
    ...held,
  };
  if (kind === "ensemble") {
    for (let m = 0; m < components; m++) {
      networks.push(
        await trainNetwork(
          { rows: data.rows, inputs: x, targets: y },
          {
            ...common,
            sizes: [inDim, ...options.hidden, 2 * d],
            loss: gaussianNllLoss(d, LOG_STD_RANGE.min, LOG_STD_RANGE.max),
            seed: rng.fork(`member${m}`).int(2 ** 31),
            onEpoch: (epoch, loss, validationLoss) => options.onEpoch?.(`member ${m}`, epoch, loss, validationLoss),
          },
        ),
      );
    }
  } else {
    networks.push(
      await trainNetwork(
        { rows: data.rows, inputs: x, targets: auxiliary?.targets ?? y },
        {
          ...common,
          sizes: [inDim, ...options.hidden, components * (1 + 2 * d)],
          loss: auxiliary ? mdnHarmNllLoss(components, d, auxiliary.direction, LOG_STD_RANGE.min, LOG_STD_RANGE.max) : mdnNllLoss(components, d, LOG_STD_RANGE.min, LOG_STD_RANGE.max),
          seed: rng.fork("mdn").int(2 ** 31),
          onEpoch: (epoch, loss, validationLoss) => options.onEpoch?.(auxiliary ? "mdn (harm auxiliary)" : "mdn", epoch, loss, validationLoss),
        },
      ),
    );
  }
  return {
    kind,
    inputs: data.inputs,
    outDim: d,
    residualInputs: data.residualInputs,
    inputNorm,
    targetNorm,
    components,
    networks,
    logStdMin: LOG_STD_RANGE.min,
    logStdMax: LOG_STD_RANGE.max,
  };
}

/** What a scalar head is trained on. */
export interface ScalarData {
  inputs: HeadInput[];
  values: Record<string, Float32Array>;
  target: Float32Array;
  rows: number;
}

/** Fits a regression head: closed-form ridge (`hidden` empty and method "ridge") or an MLP trained with MSE. */
export async function trainRegressionHead(
  data: ScalarData,
  method: { kind: "ridge"; lambda: number } | ({ kind: "mlp" } & FitOptions),
  outputName: string,
): Promise<ScalarHeadSpec> {
  const raw = concatInputs(data.inputs, data.values, data.rows);
  const inDim = raw.length / data.rows;
  const inputNorm = fitNormalizer(raw, data.rows, inDim);
  const x = normalizeRows(raw, data.rows, inputNorm);
  const targetNorm = fitNormalizer(data.target, data.rows, 1);
  const y = normalizeRows(data.target, data.rows, targetNorm);
  const network =
    method.kind === "ridge"
      ? fitRidge(x, y, data.rows, inDim, 1, method.lambda)
      : await trainNetwork(
          { rows: data.rows, inputs: x, targets: y },
          {
            sizes: [inDim, ...method.hidden, 1],
            hidden: method.activation,
            loss: mseLoss,
            epochs: method.epochs,
            batchSize: method.batchSize,
            learningRate: method.learningRate,
            seed: method.seed,
            ...(method.weightDecay ? { weightDecay: method.weightDecay } : {}),
            onEpoch: (epoch, loss) => method.onEpoch?.("regression", epoch, loss),
          },
        );
  return { inputs: data.inputs, inputNorm, network, output: { kind: "affine", mean: targetNorm.mean[0] as number, std: targetNorm.std[0] as number }, outputName };
}

/**
 * Trains a probability head with binary cross-entropy on soft targets in [0, 1]. With `init` the network (and the
 * normaliser) are taken from an existing head and fine-tuned — the self-distillation step.
 */
export async function trainProbabilityHead(data: ScalarData, options: FitOptions, outputName: string, init?: ScalarHeadSpec): Promise<ScalarHeadSpec> {
  for (let i = 0; i < data.target.length; i++) {
    const t = data.target[i] as number;
    if (!(t >= 0 && t <= 1)) throw new Error(`probability target ${i} is ${t}, outside [0, 1]`);
  }
  const raw = concatInputs(data.inputs, data.values, data.rows);
  const inDim = raw.length / data.rows;
  const inputNorm = init?.inputNorm ?? fitNormalizer(raw, data.rows, inDim);
  const x = normalizeRows(raw, data.rows, inputNorm);
  const network = await trainNetwork(
    { rows: data.rows, inputs: x, targets: data.target },
    {
      sizes: [inDim, ...options.hidden, 1],
      hidden: options.activation,
      loss: bceWithLogitsLoss,
      epochs: options.epochs,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      seed: options.seed,
      ...(options.weightDecay ? { weightDecay: options.weightDecay } : {}),
      ...(init ? { init: init.network } : {}),
      onEpoch: (epoch, loss) => options.onEpoch?.("value", epoch, loss),
    },
  );
  return { inputs: data.inputs, inputNorm, network, output: { kind: "sigmoid" }, outputName };
}
