import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { z } from "zod";
import { CorpusError, readTextFile, requireCorpusDir, requireFile, resolveDataDir, validateCorpusValue } from "../core/data-dir.js";
import { SkippedRecords, type RecordTolerance } from "../core/skipped.js";
import type { Dialogue, Turn } from "../core/schema.js";
import { fromMultiWozActs } from "./acts.js";
import {
  MULTIWOZ_DOMAINS,
  MultiWozBeliefStateSchema,
  RawDialogueSchema,
  type MultiWozBeliefDomain,
  type MultiWozBeliefState,
  type MultiWozDomainGoal,
  type MultiWozGoal,
  type RawDialogue,
  type RawDomainGoal,
  type RawGoal,
  type RawLogTurn,
} from "./schema.js";

/** The corpus sub-folder of the shared data folder. */
export const MULTIWOZ_DIR = "multiwoz";
/** The zipped validation split and the JSON file inside it. */
export const MULTIWOZ_VAL_ARCHIVE = "val.json.zip";
export const MULTIWOZ_VAL_ENTRY = "val.json";
/** The official list of validation dialogue ids. */
export const MULTIWOZ_VAL_LIST = "valListFile";
/** ConvLab's MultiWOZ 2.1 splits, each `<split>.json.zip` (or an unzipped `<split>.json`) in the corpus folder. */
export const MULTIWOZ_SPLITS = ["train", "val", "test"] as const;
export type MultiWozSplit = (typeof MULTIWOZ_SPLITS)[number];

/** A MultiWOZ dialogue: a {@link Dialogue} whose goal is a validated {@link MultiWozGoal}. */
export type MultiWozDialogue = Omit<Dialogue, "goal"> & { goal: MultiWozGoal };

/** Options for {@link loadMultiWoz}; a malformed dialogue is skipped with a warning unless `strict`. */
export interface LoadMultiWozOptions extends RecordTolerance {
  /** The shared data folder (default: {@link resolveDataDir}). */
  dataDir?: string;
  /** Which split of the corpus folder (default `val`, the one in the shared data). */
  split?: MultiWozSplit;
  /** A ConvLab MultiWOZ file to read instead of a split: `<name>.json`, or a zip holding one JSON file. */
  file?: string;
  /** Only these dialogue ids, in this order; an id absent from the corpus is an error. */
  ids?: readonly string[];
}

/** Resolves the MultiWOZ folder inside the data folder, failing clearly when it is absent. */
export function multiWozDir(dataDir?: string): string {
  return requireCorpusDir(resolveDataDir(dataDir), MULTIWOZ_DIR);
}

/** The file of a split in the corpus folder (`<split>.json.zip`, else `<split>.json`), or undefined when absent. */
export function multiWozSplitFile(dir: string, split: MultiWozSplit): string | undefined {
  return [`${split}.json.zip`, `${split}.json`].map((name) => join(dir, name)).find((file) => existsSync(file));
}

/** The splits present in the MultiWOZ folder of the data folder, in train/val/test order. */
export function listMultiWozSplits(options: { dataDir?: string } = {}): MultiWozSplit[] {
  const dir = multiWozDir(options.dataDir);
  return MULTIWOZ_SPLITS.filter((split) => multiWozSplitFile(dir, split) !== undefined);
}

/** The split a ConvLab file name stands for (`test.json.zip` → test), or the file's base name for any other file. */
function splitLabel(file: string): string {
  const name = basename(file).replace(/#.*$/, "");
  const match = /^(train|val|test)\.json(\.zip)?$/.exec(name);
  return match?.[1] ?? name;
}

function parseJsonRecord(text: string, file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CorpusError(file, `malformed JSON: ${(error as Error).message}`);
  }
  return validateCorpusValue(z.record(z.string(), z.unknown()), parsed, file);
}

/**
 * Reads a ConvLab MultiWOZ file (dialogue id → raw dialogue, unvalidated): a `.json` file, or a zip archive holding
 * `entry` (default: its only `.json` file). The returned `file` names the source in errors (`val.json.zip#val.json`).
 */
export function readMultiWozFile(path: string, entry?: string): { file: string; data: Record<string, unknown> } {
  const source = requireFile(path);
  const bytes = new Uint8Array(readFileSync(source));
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  if (!isZip && !source.endsWith(".zip")) return { file: source, data: parseJsonRecord(strFromU8(bytes), source) };
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (info) => (entry ? info.name === entry || info.name.endsWith(`/${entry}`) : info.name.endsWith(".json") && !info.name.startsWith("__MACOSX/")),
    });
  } catch (error) {
    throw new CorpusError(source, `not a readable zip archive: ${(error as Error).message}`);
  }
  const names = Object.keys(entries);
  if (names.length === 0) throw new CorpusError(source, `archive holds no "${entry ?? "*.json"}"`);
  if (names.length > 1) throw new CorpusError(source, `archive holds several JSON files (${names.join(", ")}); unzip the one you mean`);
  const name = names[0]!;
  const file = `${source}#${basename(name)}`;
  return { file, data: parseJsonRecord(strFromU8(entries[name]!), file) };
}

/** Reads `<split>.json` out of the split's archive in the corpus folder (default the validation split). */
export function readMultiWozArchive(dir: string, split: MultiWozSplit = "val"): { file: string; data: Record<string, unknown> } {
  const path = multiWozSplitFile(dir, split);
  if (!path) {
    const present = MULTIWOZ_SPLITS.filter((s) => multiWozSplitFile(dir, s) !== undefined);
    throw new CorpusError(join(dir, `${split}.json.zip`), `file not found (splits present: ${present.join(", ") || "none"})`);
  }
  return readMultiWozFile(path, path.endsWith(".zip") ? `${split}.json` : undefined);
}

/**
 * Loads MultiWOZ 2.1 dialogues — a split of `multiwoz/` (default the validation split, `val.json.zip`) or any ConvLab
 * file given as `file`: turns alternate user/system starting with the user, acts become {@link DialogueAct}s (see
 * {@link fromMultiWozActs}), each system turn's belief state is its `state` (a {@link MultiWozBeliefState}), the goal
 * is a normalised {@link MultiWozGoal}, and `metadata.originalId` / `metadata.split` keep the corpus id and split. A
 * malformed dialogue is skipped with a warning naming the file and the field (`<id>.log.<i>.<field>`), or raised in
 * strict mode; an id asked for in `ids` that is absent is always an error.
 */
export function loadMultiWoz(options: LoadMultiWozOptions = {}): MultiWozDialogue[] {
  const { file, data } = options.file
    ? readMultiWozFile(resolve(options.file))
    : readMultiWozArchive(multiWozDir(options.dataDir), options.split ?? "val");
  const split = options.file ? splitLabel(file) : (options.split ?? "val");
  const ids = options.ids ?? Object.keys(data);
  const skipped = new SkippedRecords("multiwoz", options);
  const dialogues = ids.flatMap((id) => {
    const raw = data[id];
    if (raw === undefined) throw new CorpusError(file, `no dialogue with id "${id}"`, "ids");
    try {
      return [convertMultiWozDialogue(id, validateCorpusValue(RawDialogueSchema, raw, file, id), file, split)];
    } catch (error) {
      if (!(error instanceof CorpusError)) throw error;
      skipped.skip(`${file}#${id}`, error);
      return [];
    }
  });
  skipped.finish(ids.length);
  return dialogues;
}

/** Reads the official id list `valListFile` (one id per line). */
export function loadMultiWozIdList(options: { dataDir?: string } = {}): string[] {
  const file = join(multiWozDir(options.dataDir), MULTIWOZ_VAL_LIST);
  const ids = readTextFile(file)
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/\.json$/, ""))
    .filter((line) => line.length > 0);
  if (ids.length === 0) throw new CorpusError(file, "no dialogue ids");
  return ids;
}

/** Converts one validated raw dialogue into a {@link MultiWozDialogue}; `file` names the source in errors. */
export function convertMultiWozDialogue(id: string, raw: RawDialogue, file: string, split = "val"): MultiWozDialogue {
  const goal = normalizeMultiWozGoal(raw.goal, file, `${id}.goal`);
  const turns = raw.log.map((turn, index) => convertTurn(turn, index, file, `${id}.log.${index}`));
  return {
    id,
    domain: "multiwoz",
    turns,
    goal,
    metadata: {
      originalId: id,
      corpus: "MultiWOZ 2.1",
      split,
      goalDomains: Object.keys(goal.domains),
    },
  };
}

function convertTurn(raw: RawLogTurn, index: number, file: string, field: string): Turn {
  const turn: Turn = {
    speaker: index % 2 === 0 ? "user" : "system",
    text: raw.text,
    acts: fromMultiWozActs(raw.dialog_act),
  };
  if (Object.keys(raw.metadata).length > 0) turn.state = convertBeliefState(raw.metadata, file, `${field}.metadata`);
  if (raw.span_info && raw.span_info.length > 0) {
    turn.metadata = {
      spanInfo: raw.span_info.map(([act, slot, value, start, end]) => ({ act, slot, value, start, end })),
    };
  }
  return turn;
}

function convertBeliefState(metadata: RawLogTurn["metadata"], file: string, field: string): MultiWozBeliefState {
  const state: MultiWozBeliefState = {};
  for (const [domain, { semi, book }] of Object.entries(metadata)) {
    const entry: MultiWozBeliefDomain = { semi: { ...semi }, book: {}, booked: [] };
    for (const [slot, value] of Object.entries(book)) {
      if (slot === "booked") {
        if (!Array.isArray(value)) throw new CorpusError(file, "expected a list of bookings", `${field}.${domain}.book.booked`);
        entry.booked = value.map((booking) => ({ ...booking }));
      } else if (typeof value === "string") {
        entry.book[slot] = value;
      } else {
        throw new CorpusError(file, "expected a string", `${field}.${domain}.book.${slot}`);
      }
    }
    state[domain] = entry;
  }
  return state;
}

/** Normalises a raw corpus goal: keeps the domains with content, splits booking flags from booking slots. */
export function normalizeMultiWozGoal(raw: RawGoal, file: string, field = "goal"): MultiWozGoal {
  const domains: MultiWozGoal["domains"] = {};
  for (const domain of MULTIWOZ_DOMAINS) {
    const part = raw[domain];
    if (part && hasContent(part)) domains[domain] = normalizeDomainGoal(part, file, `${field}.${domain}`);
  }
  const message = raw.message === undefined ? [] : typeof raw.message === "string" ? [raw.message] : [...raw.message];
  const goal: MultiWozGoal = { domains, message };
  if (raw.topic) goal.topic = { ...raw.topic };
  return goal;
}

function hasContent(part: RawDomainGoal): boolean {
  return (
    Object.keys(part.info ?? {}).length > 0 ||
    Object.keys(part.book ?? {}).length > 0 ||
    (part.reqt ?? []).length > 0
  );
}

function splitBooking(
  book: Record<string, string | boolean>,
  file: string,
  field: string,
): { slots: Record<string, string>; invalid?: boolean; preInvalid?: boolean } {
  const slots: Record<string, string> = {};
  let invalid: boolean | undefined;
  let preInvalid: boolean | undefined;
  for (const [slot, value] of Object.entries(book)) {
    if (slot === "invalid" && typeof value === "boolean") invalid = value;
    else if (slot === "pre_invalid" && typeof value === "boolean") preInvalid = value;
    else if (typeof value === "string") slots[slot] = value;
    else throw new CorpusError(file, "expected a string booking value", `${field}.${slot}`);
  }
  return { slots, ...(invalid === undefined ? {} : { invalid }), ...(preInvalid === undefined ? {} : { preInvalid }) };
}

function normalizeDomainGoal(part: RawDomainGoal, file: string, field: string): MultiWozDomainGoal {
  const goal: MultiWozDomainGoal = {
    info: { ...(part.info ?? {}) },
    failInfo: { ...(part.fail_info ?? {}) },
    reqt: [...(part.reqt ?? [])],
  };
  if (part.book) {
    const { slots, invalid, preInvalid } = splitBooking(part.book, file, `${field}.book`);
    goal.book = slots;
    if (invalid !== undefined) goal.bookInvalid = invalid;
    if (preInvalid !== undefined) goal.bookPreInvalid = preInvalid;
  }
  if (part.fail_book) {
    const { slots } = splitBooking(part.fail_book, file, `${field}.fail_book`);
    if (Object.keys(slots).length > 0) goal.failBook = slots;
  }
  return goal;
}

/** A system turn's belief state, validated, or `undefined` for user turns and turns without one. */
export function beliefStateOf(turn: Pick<Turn, "state">): MultiWozBeliefState | undefined {
  if (turn.state === undefined) return undefined;
  const parsed = MultiWozBeliefStateSchema.safeParse(turn.state);
  return parsed.success ? parsed.data : undefined;
}

/** The goal's task description lines with the corpus' HTML emphasis markup removed. */
export function plainGoalMessage(goal: Pick<MultiWozGoal, "message">): string[] {
  return goal.message.map((line) => line.replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim());
}

/** Whether a dialogue's goal involves a domain. */
export function goalHasDomain(goal: MultiWozGoal, domain: string): boolean {
  return Object.prototype.hasOwnProperty.call(goal.domains, domain);
}
