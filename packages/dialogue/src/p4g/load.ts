import { existsSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { CorpusError, requireCorpusDir, resolveDataDir } from "../core/data-dir.js";
import { SkippedRecords, type RecordTolerance } from "../core/skipped.js";
import type { Dialogue, DialogueAct, Segment, Turn } from "../core/schema.js";
import { hasBoundaryCopyCandidates, removeBoundaryCopies, type FullMessageLookup } from "./boundary-copies.js";
import { readCsvRows } from "./csv.js";
import { P4G_PERSUADEE_REACTION_TABLE, P4G_PERSUADER_ACT_TABLE } from "./labels.js";
import {
  AnnotatedDialogRowSchema,
  AnnotatedInfoRowSchema,
  FullDialogRowSchema,
  FullInfoRowSchema,
  type AnnotatedInfoRow,
  type FullInfoRow,
} from "./rows.js";

/** Which PersuasionForGood release to load: the 250 act-annotated dialogues, or the whole unannotated corpus. */
export type P4gPart = "annotated" | "full";

/** The file names of each part inside the `p4g/` corpus folder. */
export const P4G_FILES: Readonly<Record<P4gPart, { dialog: string; info: string }>> = Object.freeze({
  annotated: { dialog: "annotated_dialog.csv", info: "annotated_info.csv" },
  full: { dialog: "full_dialog.csv", info: "full_info.csv" },
});

/** Options for {@link loadPersuasionForGood}; a malformed dialogue row is skipped with a warning unless `strict`. */
export interface LoadPersuasionForGoodOptions extends RecordTolerance {
  /** The shared data folder (holding `p4g/`); default {@link resolveDataDir}. */
  dataDir?: string;
  part: P4gPart;
  /**
   * Reuse the dialogues parsed earlier for the same folder and part (default true); false always re-reads. Cached
   * dialogue objects are shared between calls (the array is a fresh copy), so treat them as read-only.
   */
  cache?: boolean;
}

/**
 * The outcome of a PersuasionForGood dialogue, in US dollars. `donated` is whether the persuadee's actual donation
 * (B6) is above zero. Intended donations (B5) exist only in the annotated part and are null where the annotators
 * found none; the persuader's figures are null when the info file has no row for them.
 */
export const P4gOutcomeSchema = z.object({
  donated: z.boolean(),
  persuadeeDonation: z.number(),
  persuadeeIntendedDonation: z.number().nullable(),
  persuaderDonation: z.number().nullable(),
  persuaderIntendedDonation: z.number().nullable(),
});
export type P4gOutcome = z.infer<typeof P4gOutcomeSchema>;

/** Reads a P4G dialogue's outcome back with its type; throws when the dialogue carries none. */
export function p4gOutcome(dialogue: Pick<Dialogue, "id" | "outcome">): P4gOutcome {
  const result = P4gOutcomeSchema.safeParse(dialogue.outcome);
  if (!result.success) throw new Error(`dialogue ${dialogue.id} has no PersuasionForGood outcome`);
  return result.data;
}

/** One sentence (annotated part) or message (full part) in file order. */
interface Unit {
  dialogueId: string;
  role: "0" | "1";
  exchange: number;
  text: string;
  labels: string[];
  sentiment: { neg: number; neu: number; pos: number } | null;
}

interface Participant {
  line: number;
  userId: string;
  actual: number;
  intended: number | null;
  reportedTurns: number | null;
  survey?: Record<string, string | number | null>;
}

const cache = new Map<string, Dialogue[]>();

/** Forgets every dialogue cached by {@link loadPersuasionForGood}. */
export function clearPersuasionForGoodCache(): void {
  cache.clear();
}

/**
 * Loads PersuasionForGood (Wang et al., 2019) as dialogues of domain "persuasion": the persuader (B4 = 0) is
 * speaker "system", the persuadee (B4 = 1) "user". A turn is a run of consecutive rows of one speaker; the
 * corpus' `Turn` column is not that but an *exchange* index (a persuader message and the persuadee's reply share
 * it, and one side sometimes writes twice in an exchange), kept in `turn.metadata.exchanges`.
 *
 * - `annotated`: every row is a sentence; it becomes a segment with its acts (`er_label_1`/`er_label_2` or the
 *   `ee_*` pair, corpus spelling) and `metadata.sentiment` {neg, neu, pos} where given; a turn's `acts` are the
 *   distinct acts of its sentences in order. Boundary copies are removed (see boundary-copies.ts).
 * - `full`: every row is a whole message without labels; each becomes one segment with no acts.
 *
 * Rows whose text is empty or blank are skipped (none in the released files, but they would render as empty
 * turns). The dialogue's `outcome` is a {@link P4gOutcome}. Errors name the file, line and column; a dialogue row that
 * fails validation is skipped with a counted warning (raised in strict mode).
 */
export function loadPersuasionForGood(options: LoadPersuasionForGoodOptions): Dialogue[] {
  const dir = requireCorpusDir(resolveDataDir(options.dataDir), "p4g");
  const key = `${dir}\u0000${options.part}${options.strict ? "\u0000strict" : ""}`;
  const cached = options.cache === false ? undefined : cache.get(key);
  if (cached) return [...cached];
  const skipped = new SkippedRecords(`p4g ${options.part}`, options);
  const dialogues = options.part === "annotated" ? loadAnnotated(dir, skipped) : loadFull(dir, skipped);
  if (options.cache !== false) cache.set(key, dialogues);
  return [...dialogues];
}

function loadAnnotated(dir: string, skipped: SkippedRecords): Dialogue[] {
  const dialogFile = join(dir, P4G_FILES.annotated.dialog);
  const rows = readCsvRows(dialogFile, AnnotatedDialogRowSchema, skipped);
  const units = rows.map(({ line, row }): Unit => {
    const persuader = row.B4 === "0";
    const table: Readonly<Record<string, string>> = persuader ? P4G_PERSUADER_ACT_TABLE : P4G_PERSUADEE_REACTION_TABLE;
    const labels: string[] = [];
    for (const column of persuader ? (["er_label_1", "er_label_2"] as const) : (["ee_label_1", "ee_label_2"] as const)) {
      const label = row[column].trim();
      if (label === "" || labels.includes(label)) continue;
      if (!Object.hasOwn(table, label)) {
        const side = persuader ? "persuader" : "persuadee";
        throw new CorpusError(`${dialogFile} line ${line}`, `unknown ${side} label "${label}" (not in the GDP-Zero mapping table)`, column);
      }
      labels.push(label);
    }
    const sentiment = row.neg === null || row.neu === null || row.pos === null ? null : { neg: row.neg, neu: row.neu, pos: row.pos };
    return { dialogueId: row.B2, role: row.B4, exchange: row.Turn, text: row.Unit.trim(), labels, sentiment };
  });
  const byDialogue = groupByDialogue(units);
  const lookup = [...byDialogue.values()].some(hasBoundaryCopyCandidates) ? fullMessageLookup(dir) : undefined;
  const info = readInfo(join(dir, P4G_FILES.annotated.info), AnnotatedInfoRowSchema, (row) => row.B5);
  return [...byDialogue].map(([id, sentences]) => {
    const { kept, removed } = removeBoundaryCopies(sentences, lookup);
    return buildDialogue(id, kept, "annotated", info, { removedBoundaryCopies: removed });
  });
}

function loadFull(dir: string, skipped: SkippedRecords): Dialogue[] {
  const rows = readCsvRows(join(dir, P4G_FILES.full.dialog), FullDialogRowSchema, skipped);
  const units = rows.map(
    ({ row }): Unit => ({ dialogueId: row.B2, role: row.B4, exchange: row.Turn, text: row.Unit.trim(), labels: [], sentiment: null }),
  );
  const info = readInfo(join(dir, P4G_FILES.full.info), FullInfoRowSchema, () => null);
  return [...groupByDialogue(units)].map(([id, messages]) => buildDialogue(id, messages, "full", info, {}));
}

/** Groups units by dialogue id in order of first appearance, skipping blank units. */
function groupByDialogue(units: readonly Unit[]): Map<string, Unit[]> {
  const groups = new Map<string, Unit[]>();
  for (const unit of units) {
    if (unit.text === "") continue;
    const group = groups.get(unit.dialogueId);
    if (group) group.push(unit);
    else groups.set(unit.dialogueId, [unit]);
  }
  return groups;
}

/** Reads full_dialog.csv into a lookup of whole messages, or returns undefined when the file is absent. */
function fullMessageLookup(dir: string): FullMessageLookup | undefined {
  const file = join(dir, P4G_FILES.full.dialog);
  if (!existsSync(file)) return undefined;
  const messages = new Map<string, string>();
  for (const { row } of readCsvRows(file, FullDialogRowSchema)) {
    const key = `${row.B2}\u0000${row.Turn}\u0000${row.B4}`;
    messages.set(key, messages.has(key) ? `${messages.get(key)} ${row.Unit}` : row.Unit);
  }
  return (dialogueId, exchange, role) => messages.get(`${dialogueId}\u0000${exchange}\u0000${role}`);
}

type InfoRow = AnnotatedInfoRow | FullInfoRow;

/**
 * Reads an info file into dialogue id → role → participant. A repeated (dialogue, role) row is ignored when it
 * equals the first and is an error when it differs.
 */
function readInfo<T extends InfoRow>(
  file: string,
  schema: z.ZodType<T>,
  intended: (row: T) => number | null,
): Map<string, Partial<Record<"0" | "1", Participant>>> {
  const participants = new Map<string, Partial<Record<"0" | "1", Participant>>>();
  for (const { line, row } of readCsvRows(file, schema)) {
    const participant: Participant = {
      line,
      userId: row.B3,
      actual: row.B6,
      intended: intended(row),
      reportedTurns: row.B7,
      ...surveyOf(row),
    };
    const roles = participants.get(row.B2) ?? {};
    const previous = roles[row.B4];
    if (previous) {
      const same =
        previous.userId === participant.userId && previous.actual === participant.actual && previous.intended === participant.intended;
      if (!same) {
        throw new CorpusError(
          `${file} line ${line}`,
          `dialogue ${row.B2} has a second, different row for role ${row.B4} (first on line ${previous.line})`,
          "B2",
        );
      }
      continue;
    }
    roles[row.B4] = participant;
    participants.set(row.B2, roles);
  }
  return participants;
}

/** The survey columns (names ending in `.x`) of a full_info.csv row, numbers parsed, empty cells null. */
function surveyOf(row: InfoRow): { survey?: Record<string, string | number | null> } {
  const entries = Object.entries(row).filter(([column]) => column.endsWith(".x"));
  if (entries.length === 0) return {};
  const survey: Record<string, string | number | null> = {};
  for (const [column, value] of entries) {
    const text = String(value).trim();
    const number = Number(text);
    survey[column.slice(0, -2)] = text === "" ? null : Number.isFinite(number) ? number : text;
  }
  return { survey };
}

function buildDialogue(
  id: string,
  units: readonly Unit[],
  part: P4gPart,
  info: Map<string, Partial<Record<"0" | "1", Participant>>>,
  extra: Record<string, unknown>,
): Dialogue {
  const infoFile = P4G_FILES[part].info;
  const roles = info.get(id);
  const persuadee = roles?.["1"];
  if (!persuadee) {
    throw new CorpusError(infoFile, `no persuadee row (B4 = 1) for dialogue ${id} of ${P4G_FILES[part].dialog}`, "B2");
  }
  const persuader = roles["0"];
  const outcome: P4gOutcome = {
    donated: persuadee.actual > 0,
    persuadeeDonation: persuadee.actual,
    persuadeeIntendedDonation: persuadee.intended,
    persuaderDonation: persuader?.actual ?? null,
    persuaderIntendedDonation: persuader?.intended ?? null,
  };
  const metadata: Record<string, unknown> = {
    part,
    exchanges: Math.max(...units.map((unit) => unit.exchange)) + 1,
    reportedTurns: persuadee.reportedTurns ?? persuader?.reportedTurns ?? null,
    persuaderUserId: persuader?.userId ?? null,
    persuadeeUserId: persuadee.userId,
    ...extra,
  };
  if (part === "full") {
    metadata.persuaderSurvey = persuader?.survey ?? null;
    metadata.persuadeeSurvey = persuadee.survey ?? null;
  }
  return { id, domain: "persuasion", turns: toTurns(units, part === "annotated"), outcome, metadata };
}

/** Groups consecutive units of one speaker into turns. */
function toTurns(units: readonly Unit[], annotated: boolean): Turn[] {
  const groups: Unit[][] = [];
  for (const unit of units) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.role === unit.role) last.push(unit);
    else groups.push([unit]);
  }
  return groups.map((group): Turn => {
    const segments = group.map((unit): Segment => {
      const metadata: Record<string, unknown> = { exchange: unit.exchange };
      if (unit.sentiment) metadata.sentiment = unit.sentiment;
      return { text: unit.text, acts: unit.labels.map((intent) => ({ intent })), metadata };
    });
    const turn: Turn = {
      speaker: group[0]!.role === "0" ? "system" : "user",
      text: group.map((unit) => unit.text).join(" "),
      segments,
      metadata: { exchanges: [...new Set(group.map((unit) => unit.exchange))] },
    };
    if (annotated) {
      const intents = [...new Set(group.flatMap((unit) => unit.labels))];
      turn.acts = intents.map((intent): DialogueAct => ({ intent }));
    }
    return turn;
  });
}
