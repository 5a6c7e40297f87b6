import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Dialogue } from "@foresight/dialogue";
import type { ChatModel, UsageLedger } from "@foresight/llm-sim";
import type { z } from "zod";
import { appendJsonl, ensureParentDir, parseJsonl } from "../jsonl.js";
import { AnnotatedDialogueSchema } from "../schema.js";
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

/** Options for {@link annotateCorpus}. */
export interface AnnotateCorpusOptions extends Omit<AnnotateDialogueOptions, "signal"> {
  /** The annotations JSONL (one {@link AnnotatedDialogue} per line, keyed by id); appended to, never rewritten. */
  outFile: string;
  /** Where failures go, one {@link AnnotationFailure} per line; replaced at the start of every run. */
  errorsFile: string;
  /** Dialogues annotated at once (default 4). */
  concurrency?: number;
  onProgress?: (progress: AnnotationProgress) => void;
  /** Notes about the run (a truncated last line repaired, local repairs of answers). */
  onWarning?: (message: string) => void;
  ledger?: UsageLedger;
  signal?: AbortSignal;
}

/** The outcome of {@link annotateCorpus}. */
export interface AnnotationRunSummary extends AnnotationProgress {
  outFile: string;
  errorsFile: string;
  /** The run stopped because `signal` aborted; dialogues in flight were neither written nor counted as failed. */
  aborted: boolean;
}

/**
 * The ids already in an annotations file. A last line cut short by an interrupted run (no final line feed, not
 * valid JSON) is removed so the file can be appended to; any other malformed line is an error naming the line.
 */
export function readAnnotatedIds(file: string, onWarning?: (message: string) => void): Set<string> {
  const ids = new Set<string>();
  if (!existsSync(file)) return ids;
  let text = readFileSync(file, "utf8");
  if (text.length > 0 && !text.endsWith("\n")) {
    const cut = text.lastIndexOf("\n") + 1;
    const tail = text.slice(cut);
    let complete = true;
    try {
      JSON.parse(tail);
    } catch {
      complete = false;
    }
    if (complete) text = `${text}\n`;
    else {
      onWarning?.(`${file}: removed an incomplete last line left by an interrupted run`);
      text = text.slice(0, cut);
    }
    writeFileSync(file, text);
  }
  const describe = (error: z.ZodError) => `not an annotated dialogue (${error.issues[0]?.path.join(".") || "(root)"}: ${error.issues[0]?.message})`;
  for (const record of parseJsonl(text, file, AnnotatedDialogueSchema, describe)) ids.add(record.id);
  return ids;
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
  const done = readAnnotatedIds(options.outFile, options.onWarning);
  ensureParentDir(options.errorsFile);
  writeFileSync(options.errorsFile, "");
  const progress: AnnotationProgress = { total: dialogues.length, skipped: 0, annotated: 0, failed: 0 };
  const queue: Dialogue[] = [];
  const seen = new Set<string>();
  for (const dialogue of dialogues) {
    if (seen.has(dialogue.id)) throw new Error(`dialogue id ${dialogue.id} appears twice in the input`);
    seen.add(dialogue.id);
    if (done.has(dialogue.id)) progress.skipped++;
    else queue.push(dialogue);
  }
  options.onProgress?.({ ...progress });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < queue.length) {
      if (options.signal?.aborted) return;
      const dialogue = queue[next++] as Dialogue;
      let outcome: Awaited<ReturnType<typeof annotateDialogue>>;
      try {
        outcome = await annotateDialogue(model, dialogue, { ...options, signal: options.signal });
      } catch (error) {
        if (options.signal?.aborted) return;
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
  return { ...progress, outFile: options.outFile, errorsFile: options.errorsFile, aborted: options.signal?.aborted === true };
}
