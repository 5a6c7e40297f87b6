import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { CorpusError, requireCorpusDir, requireFile, resolveDataDir, validateCorpusValue } from "../core/data-dir.js";
import { SkippedRecords, type RecordTolerance } from "../core/skipped.js";
import type { Dialogue, Turn } from "../core/schema.js";

/** The file holding DailyDialog in ConvLab's unified format, one JSON dialogue per line, gzipped. */
export const DAILYDIALOG_FILE = "dialogues.jsonl.gz";

/** Every split of the unified format (the shared data holds train and validation; the test split is kept back). */
export const DAILYDIALOG_SPLITS = ["train", "validation", "test"] as const;
export type DailyDialogSplit = (typeof DAILYDIALOG_SPLITS)[number];

/** DailyDialog's emotion labels (Ekman's six plus "no emotion"), carried in `turn.state.emotion`. */
export const DAILYDIALOG_EMOTIONS = ["no emotion", "happiness", "surprise", "sadness", "anger", "disgust", "fear"] as const;
export type DailyDialogEmotion = (typeof DAILYDIALOG_EMOTIONS)[number];

/** DailyDialog's four communicative intents, carried as the turn's acts `{ intent }`. */
export const DAILYDIALOG_INTENTS = ["inform", "question", "directive", "commissive"] as const;
export type DailyDialogIntent = (typeof DAILYDIALOG_INTENTS)[number];

const UnifiedActSchema = z.object({
  intent: z.enum(DAILYDIALOG_INTENTS),
  domain: z.string(),
  slot: z.string(),
});

const UnifiedTurnSchema = z.object({
  speaker: z.enum(["user", "system"]),
  utterance: z.string().min(1),
  utt_idx: z.number().int().nonnegative(),
  emotion: z.enum(DAILYDIALOG_EMOTIONS),
  dialogue_acts: z.object({
    binary: z.array(UnifiedActSchema),
    categorical: z.array(z.unknown()),
    "non-categorical": z.array(z.unknown()),
  }),
});

/** One line of `dialogues.jsonl.gz`: a dialogue in ConvLab's unified data format. */
export const UnifiedDailyDialogSchema = z.object({
  dataset: z.literal("dailydialog"),
  data_split: z.enum(DAILYDIALOG_SPLITS),
  dialogue_id: z.string().min(1),
  original_id: z.string().min(1),
  domains: z.array(z.string().min(1)),
  turns: z.array(UnifiedTurnSchema).min(1),
});
export type UnifiedDailyDialog = z.infer<typeof UnifiedDailyDialogSchema>;

/** The metadata of a loaded DailyDialog dialogue. */
export interface DailyDialogMetadata {
  /** The id in the original release, e.g. `train-0`. */
  originalId: string;
  /** The unified format's `data_split`. */
  dataSplit: DailyDialogSplit;
  /** The topic(s) of the dialogue (the unified format's `domains`, e.g. `["Relationship"]`). */
  topics: string[];
}

/** Options for {@link loadDailyDialog}; a malformed line is skipped with a warning unless `strict` (see {@link RecordTolerance}). */
export interface LoadDailyDialogOptions extends RecordTolerance {
  /** The shared data folder (holding `dailydialog/`); default {@link resolveDataDir}. */
  dataDir?: string;
  /** A unified-format file to read instead (`.jsonl` or `.jsonl.gz`); `dataDir` is then not used. */
  file?: string;
  /** Only this split; default every split in the file. */
  split?: DailyDialogSplit;
  /**
   * Reuse the dialogues parsed earlier for the same folder (default true); false always re-reads. Cached dialogue
   * objects are shared between calls (the array is a fresh copy), so treat them as read-only.
   */
  cache?: boolean;
}

const cache = new Map<string, Dialogue[]>();

/** Forgets every dialogue cached by {@link loadDailyDialog}. */
export function clearDailyDialogCache(): void {
  cache.clear();
}

/**
 * Loads DailyDialog (Li et al., 2017) from ConvLab's unified format as dialogues of domain "open-chat". Speakers
 * stay as the file has them ("user" opens, "system" answers); each turn's intent becomes its one act
 * `{ intent }` and its emotion `turn.state.emotion`; the dialogue's id is the unified `dialogue_id`
 * (`dailydialog-train-0`) and its metadata a {@link DailyDialogMetadata}. Every line is validated; a malformed line
 * is skipped with a warning naming the file, the line and the field (`dialogues.jsonl.gz line 17 (field
 * turns.2.speaker)`), or raised as a {@link CorpusError} in strict mode.
 */
export function loadDailyDialog(options: LoadDailyDialogOptions = {}): Dialogue[] {
  const file = options.file ? resolve(options.file) : join(requireCorpusDir(resolveDataDir(options.dataDir), "dailydialog"), DAILYDIALOG_FILE);
  // A cached load already reported its skipped lines; strict loads are cached apart so they still fail.
  const key = `${file}${options.strict ? "#strict" : ""}`;
  let dialogues = options.cache === false ? undefined : cache.get(key);
  if (!dialogues) {
    dialogues = readDailyDialog(file, new SkippedRecords("dailydialog", options));
    if (options.cache !== false) cache.set(key, dialogues);
  }
  const { split } = options;
  return split === undefined ? [...dialogues] : dialogues.filter((dialogue) => dailyDialogMetadata(dialogue).dataSplit === split);
}

/** Reads a DailyDialog dialogue's metadata back with its type. */
export function dailyDialogMetadata(dialogue: Pick<Dialogue, "id" | "metadata">): DailyDialogMetadata {
  const metadata = dialogue.metadata as Partial<DailyDialogMetadata> | undefined;
  if (!metadata || typeof metadata.originalId !== "string" || !DAILYDIALOG_SPLITS.includes(metadata.dataSplit as DailyDialogSplit)) {
    throw new Error(`dialogue ${dialogue.id} carries no DailyDialog metadata`);
  }
  return metadata as DailyDialogMetadata;
}

/** Reads a `.jsonl` file, gunzipping it first when it is named `.gz` or starts with gzip's magic bytes. */
function readJsonLines(file: string): string {
  const bytes = readFileSync(requireFile(file));
  if (!file.endsWith(".gz") && (bytes[0] !== 0x1f || bytes[1] !== 0x8b)) return bytes.toString("utf8");
  try {
    return gunzipSync(bytes).toString("utf8");
  } catch (error) {
    throw new CorpusError(file, `not a valid gzip file: ${(error as Error).message}`);
  }
}

function parseLine(line: string, where: string): UnifiedDailyDialog {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new CorpusError(where, `malformed JSON: ${(error as Error).message}`);
  }
  return validateCorpusValue(UnifiedDailyDialogSchema, parsed, where);
}

function readDailyDialog(file: string, skipped: SkippedRecords): Dialogue[] {
  const dialogues: Dialogue[] = [];
  const seen = new Map<string, number>();
  let records = 0;
  readJsonLines(file)
    .split("\n")
    .forEach((line, index) => {
      if (line.trim() === "") return;
      records++;
      const where = `${file} line ${index + 1}`;
      try {
        const raw = parseLine(line, where);
        const first = seen.get(raw.dialogue_id);
        if (first !== undefined) throw new CorpusError(where, `duplicate dialogue id ${raw.dialogue_id} (first on line ${first})`, "dialogue_id");
        seen.set(raw.dialogue_id, index + 1);
        dialogues.push(toDialogue(raw));
      } catch (error) {
        if (!(error instanceof CorpusError)) throw error;
        skipped.skip(where, error);
      }
    });
  skipped.finish(records);
  if (dialogues.length === 0) throw new CorpusError(file, records === 0 ? "no dialogues in the file" : `none of the ${records} lines is a valid dialogue`);
  return dialogues;
}

function toDialogue(raw: UnifiedDailyDialog): Dialogue {
  const turns = raw.turns.map(
    (turn): Turn => ({
      speaker: turn.speaker,
      text: turn.utterance,
      acts: turn.dialogue_acts.binary.map((act) => ({ intent: act.intent })),
      state: { emotion: turn.emotion },
    }),
  );
  const metadata: DailyDialogMetadata = { originalId: raw.original_id, dataSplit: raw.data_split, topics: raw.domains };
  return { id: raw.dialogue_id, domain: "open-chat", turns, metadata: { ...metadata } };
}
