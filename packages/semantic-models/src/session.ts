import * as ort from "onnxruntime-node";
import { ModelLoadError } from "./manifest.js";

/** A tensor fed to or returned by a session: row-major data and its dims. */
export interface TensorData {
  data: Float32Array | BigInt64Array;
  dims: number[];
}

/** A float32 result tensor. */
export interface FloatTensor {
  data: Float32Array;
  dims: number[];
}

/** Creates an onnxruntime session; injectable so tests can simulate providers. */
export type SessionFactory = (model: Uint8Array, options: ort.InferenceSession.SessionOptions) => Promise<ort.InferenceSession>;

/** How sessions are created: providers in order of preference, strictness, logging, threads. */
export interface SessionOptions {
  /** Execution providers to try in order, e.g. ["cuda", "cpu"]; default ["cpu"]. */
  providers?: string[];
  /** When true, the first provider failing is an error instead of a logged fallback. */
  strict?: boolean;
  /** Where fallback reasons go; default `console.warn`. */
  log?: (message: string) => void;
  /** Intra-op threads (onnxruntime's default when absent). */
  intraOpThreads?: number;
  /** Replaces `InferenceSession.create` (tests). */
  createSession?: SessionFactory;
}

/** A provider that could not be used and why. */
export interface ProviderFailure {
  provider: string;
  reason: string;
}

// onnxruntime's process-wide logger prints its own red lines (e.g. when the CUDA provider library is absent) before
// a session's logSeverityLevel applies; we report provider fallbacks ourselves in one line, so only fatal ones pass.
// It is read once, when the first session is created.
ort.env.logLevel = "fatal";

const defaultFactory: SessionFactory = (model, options) => ort.InferenceSession.create(model, options);

/**
 * One onnxruntime session, created once and reused. Creation tries the requested execution providers in order; a
 * provider that fails is logged with its reason and skipped (or, in strict mode, raises a {@link ModelLoadError}).
 */
export class OnnxSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** The provider the session runs on. */
    readonly provider: string,
    /** Providers tried before it, with the reasons they failed. */
    readonly fallbacks: ProviderFailure[],
    /** What the session was created from (a file name), for messages. */
    readonly label: string,
  ) {}

  /** Creates a session from ONNX bytes, trying `options.providers` in order. */
  static async create(model: Uint8Array, label: string, options: SessionOptions = {}): Promise<OnnxSession> {
    const providers = options.providers && options.providers.length > 0 ? options.providers : ["cpu"];
    const factory = options.createSession ?? defaultFactory;
    const log = options.log ?? ((message: string) => console.warn(message));
    const failures: ProviderFailure[] = [];
    for (const provider of providers) {
      const sessionOptions: ort.InferenceSession.SessionOptions = {
        executionProviders: [provider],
        graphOptimizationLevel: "all",
        logSeverityLevel: 4,
        ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads, interOpNumThreads: 1 } : {}),
      };
      try {
        const session = await factory(model, sessionOptions);
        return new OnnxSession(session, provider, failures, label);
      } catch (error) {
        const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "unknown error";
        // The CPU provider is part of every onnxruntime build: when it fails, the model is what failed (an unknown
        // operator, a malformed graph), and the message must say so rather than blame the provider.
        if (provider === "cpu") {
          const before = failures.length > 0 ? ` (${failures.map((f) => `${f.provider}: ${f.reason}`).join("; ")} before)` : "";
          throw new ModelLoadError(label, `onnxruntime could not load the model on cpu: ${reason}${before}`);
        }
        if (options.strict) throw new ModelLoadError(label, `execution provider "${provider}" failed (strict mode): ${reason}`);
        failures.push({ provider, reason });
        const next = providers[providers.indexOf(provider) + 1];
        log(`[semantic-models] ${label}: execution provider "${provider}" unavailable (${reason})${next ? `; falling back to "${next}"` : ""}`);
      }
    }
    throw new ModelLoadError(label, `no execution provider could run the model: ${failures.map((f) => `${f.provider}: ${f.reason}`).join("; ")}`);
  }

  /** The graph's input names. */
  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  /** The graph's output names. */
  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Runs one batch; returns every output as float32. */
  async run(feeds: Record<string, TensorData>): Promise<Record<string, FloatTensor>> {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(feeds)) {
      inputs[name] = new ort.Tensor(tensor.data instanceof BigInt64Array ? "int64" : "float32", tensor.data, tensor.dims);
    }
    const results = await this.session.run(inputs);
    const out: Record<string, FloatTensor> = {};
    for (const [name, tensor] of Object.entries(results)) {
      if (tensor.type !== "float32") throw new Error(`${this.label}: output "${name}" is ${tensor.type}, expected float32`);
      out[name] = { data: tensor.data as Float32Array, dims: [...tensor.dims] };
    }
    return out;
  }

  /** Frees the native session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}
