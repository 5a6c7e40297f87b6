import { createServer, type Server } from "node:http";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { inspect } from "node:util";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphBuilder } from "../onnx/graph.js";
import { encodeOnnxModel, OnnxDataType } from "../onnx/proto.js";
import { OpenAIEmbeddingEncoder } from "./openai.js";
import { TransformerEncoder } from "./transformer.js";
import { WordPieceTokenizer } from "./wordpiece.js";

const VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "hello", "world", "play", "##ing", "!", "cafe", "你", "好"];
const H = 3;
/** Token i embeds as (i, 1, −i): mean pooling is then easy to check by hand. */
const TABLE = Float32Array.from(VOCAB.flatMap((_, i) => [i, 1, -i]));

const dir = mkdtempSync(join(tmpdir(), "semantic-models-encoders-"));
let server: Server;
let baseUrl = "";
const requests: Array<{ url: string; body: string }> = [];

beforeAll(async () => {
  const g = new GraphBuilder();
  const ids = g.input("input_ids", ["batch", "tokens"], OnnxDataType.INT64);
  const mask = g.input("attention_mask", ["batch", "tokens"], OnnxDataType.INT64);
  const gathered = g.node("Gather", [g.constFloat("embeddings", [VOCAB.length, H], TABLE), ids], { axis: 0 });
  const maskF = g.node("Unsqueeze", [g.node("Cast", [mask], { to: OnnxDataType.FLOAT }), g.constInt64("axis2", [1], [2])]);
  g.output("last_hidden_state", g.node("Mul", [gathered, maskF]), ["batch", "tokens", H]);
  writeFileSync(join(dir, "model.onnx"), encodeOnnxModel(g.build("fake_bert", "test")));
  writeFileSync(
    join(dir, "tokenizer.json"),
    JSON.stringify({
      normalizer: { type: "BertNormalizer", lowercase: true, strip_accents: null },
      model: { type: "WordPiece", vocab: Object.fromEntries(VOCAB.map((t, i) => [t, i])), unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100 },
    }),
  );
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      requests.push({ url: req.url ?? "", body });
      if (req.url?.startsWith("/html/")) {
        res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Sign in to continue</body></html>");
        return;
      }
      if (req.url === "/slow/v1/embeddings") {
        res.writeHead(200, { "content-type": "application/json" });
        const timer = setInterval(() => res.write(" "), 50);
        res.on("close", () => clearInterval(timer));
        return;
      }
      if (req.url === "/echo/v1/embeddings") {
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: `bad key in ${req.headers.authorization ?? ""}` }));
        return;
      }
      if (req.url?.startsWith("/files/")) {
        const name = req.url.slice("/files/".length);
        res.writeHead(200).end(readFileSync(join(dir, name)));
        return;
      }
      if (req.url === "/v1/embeddings") {
        const input = (JSON.parse(body) as { input: string[] }).input;
        if (input.includes("broken")) {
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: [{ index: 0, embedding: "nope" }] }));
          return;
        }
        const data = input.map((text, index) => ({ index, embedding: [text.length, 0, 3, 4] })).reverse();
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data }));
        return;
      }
      res.writeHead(404).end("not found");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function expectedEmbedding(tokenIds: number[]): number[] {
  const mean = [0, 1, 0];
  mean[0] = tokenIds.reduce((a, b) => a + b, 0) / tokenIds.length;
  mean[2] = -(mean[0] as number);
  const norm = Math.hypot(...mean);
  return mean.map((v) => v / norm);
}

describe("WordPiece tokenizer", () => {
  it("lower-cases, strips accents, splits punctuation and word pieces, maps unknown words to [UNK]", () => {
    const tokenizer = WordPieceTokenizer.fromFile(join(dir, "tokenizer.json"));
    expect(tokenizer.pieces("Hello, PLAYING world! Café xyz")).toEqual([4, 1, 6, 7, 5, 8, 9, 1]);
    const batch = tokenizer.encodeBatch(["hello", "hello world !"], 16);
    expect(batch.length).toBe(5);
    expect(Array.from(batch.inputIds, Number)).toEqual([2, 4, 3, 0, 0, 2, 4, 5, 8, 3]);
    expect(Array.from(batch.attentionMask, Number)).toEqual([1, 1, 1, 0, 0, 1, 1, 1, 1, 1]);
  });

  it("splits CJK characters one per word, as BERT does", () => {
    const tokenizer = WordPieceTokenizer.fromFile(join(dir, "tokenizer.json"));
    expect(tokenizer.basicTokens("你好world，再见")).toEqual(["你", "好", "world", "，", "再", "见"]);
    expect(tokenizer.pieces("你好 world")).toEqual([10, 11, 5]);
  });

  it("rejects a tokenizer that is not WordPiece, naming the field", () => {
    const bad = join(dir, "bpe.json");
    writeFileSync(bad, JSON.stringify({ model: { type: "BPE", vocab: {}, merges: [] } }));
    expect(() => WordPieceTokenizer.fromFile(bad)).toThrow(/bpe\.json \(field model\.type\).*only WordPiece/);
  });
});

describe("transformer encoder (ONNX)", () => {
  it("mean-pools the token states over the mask and normalises; padding does not change a row", async () => {
    const encoder = await TransformerEncoder.fromFolder(dir, { log: () => {} });
    expect(encoder.dim).toBe(H);
    const both = await encoder.embed(["hello", "hello world !"]);
    const alone = await encoder.embed(["hello"]);
    const expected = expectedEmbedding([2, 4, 3]);
    for (let h = 0; h < H; h++) {
      expect(both[h]).toBeCloseTo(expected[h] as number, 5);
      expect(alone[h]).toBeCloseTo(both[h] as number, 6);
    }
    const second = expectedEmbedding([2, 4, 5, 8, 3]);
    for (let h = 0; h < H; h++) expect(both[H + h]).toBeCloseTo(second[h] as number, 5);
  });

  it("downloads model and tokenizer from a URL once, then loads from the cache", async () => {
    const cache = join(dir, "cache");
    const before = requests.length;
    const encoder = await TransformerEncoder.fromUrl(`${baseUrl}/files`, cache, { log: () => {} });
    expect(encoder.dim).toBe(H);
    expect(requests.slice(before).map((r) => r.url)).toEqual(["/files/model.onnx", "/files/tokenizer.json"]);
    await TransformerEncoder.fromUrl(`${baseUrl}/files`, cache, { log: () => {} });
    expect(requests.length).toBe(before + 2);
  });

  it("fails loudly on a checksum mismatch or a missing file", async () => {
    await expect(TransformerEncoder.fromFolder(dir, { sha256: "0".repeat(64), log: () => {} })).rejects.toThrow(/sha256 .* does not match/);
    await expect(TransformerEncoder.fromUrl(`${baseUrl}/missing`, join(dir, "cache2"), { log: () => {} })).rejects.toThrow(/download failed: HTTP 404/);
  });
});

describe("downloads that fail verification", () => {
  it("an HTML page served with status 200 is reported and not kept", { timeout: 10_000 }, async () => {
    const cache = join(dir, "cache-html");
    await expect(TransformerEncoder.fromUrl(`${baseUrl}/html`, cache, { log: () => {} })).rejects.toThrow(/html\/model\.onnx: download is not an ONNX model .*; not kept/);
    const [sub] = readdirSync(cache);
    expect(readdirSync(join(cache, sub as string))).toEqual([]);
  });
});

describe("OpenAI-compatible embeddings", () => {
  // The response trickles forever, so only the whole-response deadline ends the call within the test's timeout (no
  // wall-clock bound here: a loaded machine may run late).
  it("a trickling response hits the deadline", { timeout: 10_000 }, async () => {
    await expect(OpenAIEmbeddingEncoder.create({ baseUrl: `${baseUrl}/slow/v1`, model: "m", timeoutMs: 300 })).rejects.toThrow(/embeddings: no complete response within 300 ms/);
  });

  it("keeps the API key out of errors and inspect", { timeout: 10_000 }, async () => {
    const key = "sk-embed-9d1e4c7b2a";
    const error = (await OpenAIEmbeddingEncoder.create({ baseUrl: `${baseUrl}/echo/v1`, model: "m", apiKey: key }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/HTTP 401: .*Bearer \[redacted\]/);
    expect(inspect(error, { depth: Infinity })).not.toContain(key);
    const encoder = await OpenAIEmbeddingEncoder.create({ baseUrl: `${baseUrl}/v1`, model: "m", apiKey: key });
    expect(inspect(encoder, { depth: Infinity, showHidden: true })).not.toContain(key);
    expect(JSON.stringify(encoder)).not.toContain(key);
  });

  it("batches requests, orders rows by index and normalises them", async () => {
    const encoder = await OpenAIEmbeddingEncoder.create({ baseUrl: `${baseUrl}/v1/`, model: "test-embed", apiKey: "k", batchSize: 2 });
    expect(encoder.dim).toBe(4);
    const before = requests.length;
    const out = await encoder.embed(["a", "bb", "ccc"]);
    expect(requests.length - before).toBe(2);
    expect(JSON.parse(requests[before]?.body ?? "{}")).toEqual({ model: "test-embed", input: ["a", "bb"] });
    expect(Array.from(out.subarray(0, 4))).toEqual([1 / Math.sqrt(26), 0, 3 / Math.sqrt(26), 4 / Math.sqrt(26)].map(Math.fround));
    expect(out[8]).toBeCloseTo(3 / Math.sqrt(34), 6);
    const contexts = await encoder.embedContexts([["x", "yy", "zzz", "w"]]);
    expect(contexts[0]).toBeCloseTo(8 / Math.sqrt(64 + 25), 6);
  });

  it("rejects an invalid response, naming the field", async () => {
    const encoder = await OpenAIEmbeddingEncoder.create({ baseUrl: `${baseUrl}/v1`, model: "m" });
    await expect(encoder.embed(["broken"])).rejects.toThrow(/invalid embeddings response \(field data\.0\.embedding\)/);
    await expect(OpenAIEmbeddingEncoder.create({ baseUrl: `${baseUrl}/nope`, model: "m" })).rejects.toThrow(/HTTP 404/);
  });
});
