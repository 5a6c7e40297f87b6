import { createHash, randomBytes } from "node:crypto";
import { closeSync, createWriteStream, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { ModelLoadError, sha256Hex } from "../manifest.js";
import { decodeOnnxModel } from "../onnx/proto.js";
import { OnnxSession, type SessionOptions, type TensorData } from "../session.js";
import { embedInChunks, joinContext, type SentenceEncoder } from "./types.js";
import { WordPieceTokenizer } from "./wordpiece.js";

/** Options of {@link TransformerEncoder}. */
export interface TransformerEncoderOptions extends SessionOptions {
  /** Tokens per text including [CLS]/[SEP] (default 256). */
  maxLength?: number;
  /** Texts per session run (default 32). */
  batchSize?: number;
  /** Turns of a context fed as text (default 3). */
  maxTurns?: number;
  /** When given, the model file's sha256 must equal it. */
  sha256?: string;
}

const MODEL_FILES = ["model.onnx", join("onnx", "model.onnx")];
const TOKENIZER_FILES = ["tokenizer.json", "vocab.txt"];

/**
 * A transformer sentence encoder in ONNX (e.g. a MiniLM export): WordPiece tokenizer in TypeScript, the model's
 * token states mean-pooled over the attention mask, L2-normalised. A model whose first output is already pooled
 * ([N, H]) is only normalised.
 */
export class TransformerEncoder implements SentenceEncoder {
  private constructor(
    private readonly session: OnnxSession,
    private readonly tokenizer: WordPieceTokenizer,
    readonly dim: number,
    readonly name: string,
    private readonly options: TransformerEncoderOptions,
  ) {}

  /** Loads `model.onnx` (or `onnx/model.onnx`) and `tokenizer.json` (or `vocab.txt`) from a folder. */
  static async fromFolder(dir: string, options: TransformerEncoderOptions = {}): Promise<TransformerEncoder> {
    const modelPath = MODEL_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
    if (!modelPath) throw new ModelLoadError(dir, `no ${MODEL_FILES.join(" or ")} in the encoder folder`);
    const tokenizerPath = TOKENIZER_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
    if (!tokenizerPath) throw new ModelLoadError(dir, `no ${TOKENIZER_FILES.join(" or ")} in the encoder folder`);
    const bytes = new Uint8Array(readFileSync(modelPath));
    if (options.sha256 && sha256Hex(bytes) !== options.sha256) throw new ModelLoadError(modelPath, `sha256 ${sha256Hex(bytes)} does not match the expected ${options.sha256}`, "sha256");
    const tokenizer = WordPieceTokenizer.fromFile(tokenizerPath);
    const session = await OnnxSession.create(bytes, modelPath, options);
    for (const required of ["input_ids", "attention_mask"]) {
      if (!session.inputNames.includes(required)) throw new ModelLoadError(modelPath, `model has no "${required}" input (inputs: ${session.inputNames.join(", ")})`);
    }
    const probe = new TransformerEncoder(session, tokenizer, 0, modelPath, options);
    const dim = (await probe.runBatch(["probe"])).length;
    return new TransformerEncoder(session, tokenizer, dim, modelPath, options);
  }

  /**
   * Downloads `<url>/model.onnx` and `<url>/tokenizer.json` into `cacheDir` (once; keyed by the URL), then loads
   * them like {@link fromFolder}. Each file is downloaded to a temp file, fsynced and checked (the model must parse as
   * ONNX and match `sha256` when given, the tokenizer must load) before it is renamed into place, so a failed or
   * wrong download (an HTML page served with status 200) is reported and never kept.
   */
  static async fromUrl(url: string, cacheDir: string, options: TransformerEncoderOptions & { fetch?: typeof fetch } = {}): Promise<TransformerEncoder> {
    const dir = join(cacheDir, createHash("sha256").update(url).digest("hex").slice(0, 16));
    mkdirSync(dir, { recursive: true });
    const checks: Record<string, (temp: string, source: string) => void> = {
      "model.onnx": (temp, source) => {
        const bytes = new Uint8Array(readFileSync(temp));
        if (options.sha256 && sha256Hex(bytes) !== options.sha256) throw new ModelLoadError(source, `downloaded sha256 ${sha256Hex(bytes)} does not match the expected ${options.sha256}; not kept`, "sha256");
        try {
          decodeOnnxModel(bytes);
        } catch (error) {
          throw new ModelLoadError(source, `download is not an ONNX model (${(error as Error).message}); not kept`);
        }
      },
      "tokenizer.json": (temp, source) => {
        try {
          WordPieceTokenizer.fromFile(temp);
        } catch (error) {
          throw new ModelLoadError(source, `download is not a usable tokenizer (${(error as Error).message.replace(`${temp}`, "file")}); not kept`);
        }
      },
    };
    for (const [file, check] of Object.entries(checks)) {
      const target = join(dir, file);
      if (existsSync(target)) continue;
      const source = `${url.replace(/\/+$/, "")}/${file}`;
      const response = await (options.fetch ?? fetch)(source);
      if (!response.ok || !response.body) throw new ModelLoadError(source, `download failed: HTTP ${response.status}`);
      const temp = `${target}.${process.pid}.${randomBytes(6).toString("hex")}.part`;
      try {
        await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(temp));
        const fd = openSync(temp, "r+");
        try {
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        check(temp, source);
        renameSync(temp, target);
      } finally {
        rmSync(temp, { force: true });
      }
    }
    const { fetch: _fetch, ...rest } = options;
    return TransformerEncoder.fromFolder(dir, rest);
  }

  private async runBatch(texts: readonly string[]): Promise<Float32Array> {
    const batch = this.tokenizer.encodeBatch(texts, this.options.maxLength ?? 256);
    const dims = [batch.rows, batch.length];
    const feeds: Record<string, TensorData> = { input_ids: { data: batch.inputIds, dims }, attention_mask: { data: batch.attentionMask, dims } };
    if (this.session.inputNames.includes("token_type_ids")) feeds.token_type_ids = { data: new BigInt64Array(batch.rows * batch.length), dims };
    const outputs = await this.session.run(feeds);
    const first = outputs[this.session.outputNames[0] as string] as { data: Float32Array; dims: number[] };
    let pooled: Float32Array;
    let hidden: number;
    if (first.dims.length === 2) {
      hidden = first.dims[1] as number;
      pooled = Float32Array.from(first.data);
    } else if (first.dims.length === 3) {
      hidden = first.dims[2] as number;
      pooled = new Float32Array(batch.rows * hidden);
      for (let r = 0; r < batch.rows; r++) {
        let count = 0;
        for (let t = 0; t < batch.length; t++) {
          if (batch.attentionMask[r * batch.length + t] === 0n) continue;
          count++;
          for (let h = 0; h < hidden; h++) pooled[r * hidden + h] = (pooled[r * hidden + h] as number) + (first.data[(r * batch.length + t) * hidden + h] as number);
        }
        for (let h = 0; h < hidden; h++) pooled[r * hidden + h] = (pooled[r * hidden + h] as number) / Math.max(count, 1);
      }
    } else {
      throw new ModelLoadError(this.name, `first output has shape [${first.dims.join(", ")}], expected [N, T, H] or [N, H]`);
    }
    for (let r = 0; r < batch.rows; r++) {
      let norm = 0;
      for (let h = 0; h < hidden; h++) norm += (pooled[r * hidden + h] as number) ** 2;
      const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
      for (let h = 0; h < hidden; h++) pooled[r * hidden + h] = (pooled[r * hidden + h] as number) * scale;
    }
    return pooled;
  }

  /** Embeds texts in batches. */
  embed(texts: readonly string[]): Promise<Float32Array> {
    return embedInChunks(texts, this.options.batchSize ?? 32, this.dim, (chunk) => this.runBatch(chunk));
  }

  /** Embeds contexts rendered as their last turns, one per line. */
  embedContexts(contexts: ReadonlyArray<readonly string[]>): Promise<Float32Array> {
    return this.embed(contexts.map((c) => joinContext(c, this.options.maxTurns ?? 3)));
  }
}
