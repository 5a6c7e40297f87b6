import { appendFileSync, existsSync, readFileSync } from "node:fs";
import type { Dialogue } from "@foresight/dialogue";
import type { ChatModel, UsageLedger } from "@foresight/llm-sim";
import lockfile from "proper-lockfile";
import type { z } from "zod";
import { SacFileError } from "../errors.js";
import { appendJsonl, ensureParentDir, parseJsonl, writeFileSafely } from "../jsonl.js";
import { AnnotatedDialogueSchema, type AnnotatedDialogue } from "../schema.js";
import { annotateDialogue, type AnnotateDialogueOptions } from "./annotate.js";

/** Progress of an annotation run, reported after every dialogue. */
export interface AnnotationProgress {
  /** Dialogues asked for. */
  total: number;
  /** Skipped because the output file already held them. */
  skipped: number;
  annotated: number;
  failed: number;
  /** The dialogue just finished (absent in the first report, made before any work). */
  lastId?: string;
}

/** How long a lock on an output file that is no longer refreshed blocks another run (a killed run leaves one). */
export const DEFAULT_LOCK_STALE_MS = 10_000;

/** Options for {@link annotateCorpus}. */
export interface AnnotateCorpusOptions extends Omit<AnnotateDialogueOptions, "signal"> {
  /**
   * The annotations JSONL (one {@link AnnotatedDialogue} per line, keyed by id); appended to, and rewritten (atomically)
   * only to repair a last line cut short by an interrupted run. A run holds a lock on it (`<outFile>.lock`).
   */
  outFile: string;
  /** Where failures go, one {@link AnnotationFailure} per line; replaced at the start of every run. */
  errorsFile: string;
  /** Dialogues annotated at once (default 4). */
  concurrency?: number;
  onProgress?: (progress: AnnotationProgress) => void;
  /** Notes about the run (a truncated last line repaired, local repairs of answers). */
  onWarning?: (message: string) => void;
  ledger?: UsageLedger;
  /** Aborts the run at once: calls in flight are cancelled and their dialogues neither written nor counted as failed. */
  signal?: AbortSignal;
  /** Drains the run: no dialogue is started after it fires; those in flight finish and are saved. */
  drain?: AbortSignal;
  /** A lock on `outFile` not refreshed for this long is taken over (default {@link DEFAULT_LOCK_STALE_MS}; at least 2000). */
  lockStaleMs?: number;
}

/** The outcome of {@link annotateCorpus}. */
export interface AnnotationRunSummary extends AnnotationProgress {
  outFile: string;
  errorsFile: string;
  /** The run stopped because `signal` aborted; dialogues in flight were neither written nor counted as failed. */
  aborted: boolean;
  /** The run stopped early because `drain` fired; dialogues in flight were finished and saved. */
  drained: boolean;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const describeRecordError = (error: z.ZodError) => `not an annotated dialogue (${error.issues[0]?.path.join(".") || "(root)"}: ${error.issues[0]?.message})`;

/** Options of {@link readAnnotations}. */
export interface ReadAnnotationsOptions {
  /** Told about a cut-short last line and skipped duplicate lines. */
  onWarning?: (message: string) => void;
  /** Remove a cut-short last line from the file (atomically); only the run holding the file's lock should. */
  repair?: boolean;
}

/**
 * Reads an annotations file with one record per id: a line repeating an id already read is skipped (the first is
 * kept) with a warning counting them. A last line cut short by an interrupted run (no final line feed, not valid
 * JSON) is ignored with a warning, and with `repair` removed from the file by an atomic rewrite; any other
 * malformed line is an error naming the line.
 */
export function readAnnotations(file: string, options: ReadAnnotationsOptions = {}): AnnotatedDialogue[] {
  if (!existsSync(file)) throw new SacFileError(file, "file not found");
  let text = readFileSync(file, "utf8");
  if (text.length > 0 && !text.endsWith("\n")) {
    const cut = text.lastIndexOf("\n") + 1;
    if (isJson(text.slice(cut))) {
      if (options.repair) appendFileSync(file, "\n");
      text = `${text}\n`;
    } else {
      const dropped = text.length - cut;
      text = text.slice(0, cut);
      if (options.repair) writeFileSafely(file, text);
      options.onWarning?.(`${file}: ${options.repair ? "removed" : "ignored"} an incomplete last line (${dropped} characters) left by an interrupted run`);
    }
  }
  const unique = new Map<string, AnnotatedDialogue>();
  let duplicates = 0;
  for (const record of parseJsonl(text, file, AnnotatedDialogueSchema, describeRecordError)) {
    if (unique.has(record.id)) duplicates++;
    else unique.set(record.id, record);
  }
  if (duplicates > 0) options.onWarning?.(`${file}: skipped ${duplicates} duplicate line${duplicates === 1 ? "" : "s"} (ids already read; the first of each is kept)`);
  return [...unique.values()];
}

/**
 * The ids already in an annotations file (none when it does not exist). A last line cut short by an interrupted run
 * is removed, with a warning, so the file can be appended to ({@link readAnnotations} with `repair`).
 */
export function readAnnotatedIds(file: string, onWarning?: (message: string) => void): Set<string> {
  if (!existsSync(file)) return new Set();
  return new Set(readAnnotations(file, { onWarning, repair: true }).map((record) => record.id));
}

/**
 * Takes the lock on an output file (proper-lockfile, `<file>.lock`), waiting long enough for a lock left by a killed
 * run to go stale; a lock that another live run keeps fresh is an error naming the file.
 */
async function lockOutputFile(file: string, staleMs: number, onCompromised: (error: Error) => void): Promise<() => Promise<void>> {
  if (!(staleMs >= 2000)) throw new RangeError(`lockStaleMs must be at least 2000, got ${staleMs}`);
  ensureParentDir(file);
  try {
    return await lockfile.lock(file, {
      realpath: false,
      stale: staleMs,
      update: staleMs / 2,
      retries: { retries: Math.ceil((staleMs + 1000) / 250), factor: 1, minTimeout: 250, maxTimeout: 250 },
      onCompromised,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
    throw new SacFileError(file, `another run is annotating into this file (it holds ${file}.lock); wait for it to finish or choose another output`);
  }
}

/**
 * Annotates dialogues with bounded concurrency and resumes: dialogues whose id is already in `outFile` are skipped,
 * each finished dialogue is appended at once (so an interrupted run loses at most the calls in flight), and each
 * failure is written to `errorsFile` with its reason. Token costs are booked in `ledger` when the model is wrapped
 * with llm-sim's accounting.
 */
export async function annotateCorpus(model: ChatModel, dialogues: readonly Dialogue[], options: AnnotateCorpusOptions): Promise<AnnotationRunSummary> {
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  const seen = new Set<string>();
  for (const dialogue of dialogues) {
    if (seen.has(dialogue.id)) throw new Error(`dialogue id ${dialogue.id} appears twice in the input`);
    seen.add(dialogue.id);
  }
  // Losing the lock (another run took it over as stale) stops this run: two writers would duplicate work.
  let lockLost: Error | undefined;
  const lost = new AbortController();
  const release = await lockOutputFile(options.outFile, options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS, (error) => {
    lockLost = error;
    lost.abort(error);
  });
  const signal = options.signal ? AbortSignal.any([options.signal, lost.signal]) : lost.signal;
  try {
    const done = readAnnotatedIds(options.outFile, options.onWarning);
    writeFileSafely(options.errorsFile, "");
    const progress: AnnotationProgress = { total: dialogues.length, skipped: 0, annotated: 0, failed: 0 };
    const queue: Dialogue[] = [];
    for (const dialogue of dialogues) {
      if (done.has(dialogue.id)) progress.skipped++;
      else queue.push(dialogue);
    }
    options.onProgress?.({ ...progress });
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < queue.length) {
        if (signal.aborted || options.drain?.aborted) return;
        const dialogue = queue[next++] as Dialogue;
        let outcome: Awaited<ReturnType<typeof annotateDialogue>>;
        try {
          outcome = await annotateDialogue(model, dialogue, { ...options, signal });
        } catch (error) {
          if (signal.aborted) return;
          throw error;
        }
        if (outcome.ok) {
          appendJsonl(options.outFile, outcome.record);
          progress.annotated++;
          for (const repair of outcome.repairs) options.onWarning?.(`${dialogue.id}: ${repair}`);
        } else {
          appendJsonl(options.errorsFile, outcome.failure);
          progress.failed++;
        }
        options.onProgress?.({ ...progress, lastId: dialogue.id });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, queue.length)) }, worker));
    if (lockLost) throw new SacFileError(options.outFile, `lost the lock on this file (${lockLost.message}); another run may be writing to it`);
    const finished = progress.skipped + progress.annotated + progress.failed;
    return {
      ...progress,
      outFile: options.outFile,
      errorsFile: options.errorsFile,
      aborted: options.signal?.aborted === true,
      drained: options.drain?.aborted === true && finished < progress.total,
    };
  } finally {
    await release().catch(() => undefined);
  }
}
