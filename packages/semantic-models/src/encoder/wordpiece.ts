import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { ModelLoadError } from "../manifest.js";

/** The parts of a Hugging Face `tokenizer.json` a BERT-style WordPiece tokenizer needs. */
const TokenizerJsonSchema = z.object({
  normalizer: z
    .object({ type: z.string(), lowercase: z.boolean().optional(), strip_accents: z.boolean().nullable().optional(), handle_chinese_chars: z.boolean().optional() })
    .passthrough()
    .nullable()
    .optional(),
  model: z.object({
    type: z.literal("WordPiece"),
    vocab: z.record(z.string(), z.number().int().nonnegative()),
    unk_token: z.string(),
    continuing_subword_prefix: z.string().default("##"),
    max_input_chars_per_word: z.number().int().positive().default(100),
  }),
});

/** Token ids of a batch, padded: ids and attention mask [rows, length] as int64. */
export interface TokenBatch {
  rows: number;
  length: number;
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
}

/** The CJK ideograph blocks BERT splits into single-character words (as its `_is_chinese_char`). */
const CJK_CHARACTER = /[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B820}-\u{2CEAF}\u{F900}-\u{FAFF}\u{2F800}-\u{2FA1F}]/gu;

/**
 * A BERT WordPiece tokenizer: CJK ideographs split one per word, lower-casing and accent stripping, punctuation
 * split, greedy longest-match pieces.
 */
export class WordPieceTokenizer {
  private readonly clsId: number;
  private readonly sepId: number;
  private readonly padId: number;
  private readonly unkId: number;

  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    private readonly options: { lowercase: boolean; stripAccents: boolean; unkToken: string; prefix: string; maxCharsPerWord: number; chineseChars?: boolean },
  ) {
    const id = (token: string) => {
      const value = vocab.get(token);
      if (value === undefined) throw new Error(`tokenizer vocabulary has no ${token}`);
      return value;
    };
    this.clsId = id("[CLS]");
    this.sepId = id("[SEP]");
    this.padId = id("[PAD]");
    this.unkId = id(options.unkToken);
  }

  /** Reads `tokenizer.json` (WordPiece model) or, failing that, a `vocab.txt` (one token per line, lower-casing). */
  static fromFile(file: string): WordPieceTokenizer {
    if (!existsSync(file)) throw new ModelLoadError(file, "tokenizer file not found");
    const text = readFileSync(file, "utf8");
    try {
      if (file.endsWith(".txt")) {
        const vocab = new Map(text.split(/\r?\n/).filter((l) => l !== "").map((token, i) => [token, i] as const));
        return new WordPieceTokenizer(vocab, { lowercase: true, stripAccents: true, unkToken: "[UNK]", prefix: "##", maxCharsPerWord: 100 });
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new ModelLoadError(file, `malformed JSON: ${(error as Error).message}`);
      }
      const parsed = TokenizerJsonSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ModelLoadError(file, `${issue?.message ?? "invalid"} (only WordPiece tokenizers are supported)`, issue?.path.join("."));
      }
      const { model, normalizer } = parsed.data;
      const lowercase = normalizer?.lowercase ?? true;
      return new WordPieceTokenizer(new Map(Object.entries(model.vocab)), {
        lowercase,
        stripAccents: normalizer?.strip_accents ?? lowercase,
        chineseChars: normalizer?.handle_chinese_chars ?? true,
        unkToken: model.unk_token,
        prefix: model.continuing_subword_prefix,
        maxCharsPerWord: model.max_input_chars_per_word,
      });
    } catch (error) {
      if (error instanceof ModelLoadError) throw error;
      throw new ModelLoadError(file, (error as Error).message);
    }
  }

  /** Splits text into basic tokens: normalised words, single CJK characters and single punctuation marks. */
  basicTokens(text: string): string[] {
    let t = text.replace(/\ufffd|\p{Cc}/gu, " ");
    if (this.options.chineseChars !== false) t = t.replace(CJK_CHARACTER, " $& ");
    if (this.options.lowercase) t = t.toLowerCase();
    if (this.options.stripAccents) t = t.normalize("NFD").replace(/\p{Mn}/gu, "");
    return t.match(/[\p{L}\p{N}\p{M}]+|[^\s\p{L}\p{N}\p{M}]/gu) ?? [];
  }

  /** WordPiece ids of one text, without special tokens. */
  pieces(text: string): number[] {
    const ids: number[] = [];
    for (const word of this.basicTokens(text)) {
      const chars = [...word];
      if (chars.length > this.options.maxCharsPerWord) {
        ids.push(this.unkId);
        continue;
      }
      const wordIds: number[] = [];
      let start = 0;
      let bad = false;
      while (start < chars.length) {
        let end = chars.length;
        let found: number | undefined;
        while (start < end) {
          const piece = (start > 0 ? this.options.prefix : "") + chars.slice(start, end).join("");
          found = this.vocab.get(piece);
          if (found !== undefined) break;
          end--;
        }
        if (found === undefined) {
          bad = true;
          break;
        }
        wordIds.push(found);
        start = end;
      }
      if (bad) ids.push(this.unkId);
      else ids.push(...wordIds);
    }
    return ids;
  }

  /** `[CLS] pieces [SEP]` per text, truncated to `maxLength`, padded to the longest. */
  encodeBatch(texts: readonly string[], maxLength: number): TokenBatch {
    const sequences = texts.map((t) => [this.clsId, ...this.pieces(t).slice(0, Math.max(0, maxLength - 2)), this.sepId]);
    const length = Math.max(...sequences.map((s) => s.length));
    const inputIds = new BigInt64Array(texts.length * length).fill(BigInt(this.padId));
    const attentionMask = new BigInt64Array(texts.length * length);
    sequences.forEach((seq, r) => {
      seq.forEach((id, i) => {
        inputIds[r * length + i] = BigInt(id);
        attentionMask[r * length + i] = 1n;
      });
    });
    return { rows: texts.length, length, inputIds, attentionMask };
  }
}
