import { existsSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { createRng } from "@foresight/dialogue";
import { LlmConfigError, MISSING_ENDPOINT_MESSAGE, UsageLedger, buildChatModel, chatModelFromEnv, type ChatModel } from "@foresight/llm-sim";
import {
  SAC_CORPORA,
  SacFileError,
  SacFormatError,
  TrajectorySchema,
  annotateCorpus,
  dpoPairs,
  DEFAULT_LOCK_STALE_MS,
  formatSacStatistics,
  isSacCorpus,
  loadSacCorpus,
  readAnnotations,
  readJsonl,
  sacStatistics,
  toOpenAiFineTune,
  toShareGpt,
  writeFileSafely,
  writeJsonl,
} from "@foresight/sac-annotator";
import { UsageError, parseFlags, parseIntFlag, parseSeedFlag, type Command, type CommandIO } from "../command.js";

/** What the `sac` commands take from their surroundings; tests replace the environment or the model. */
export interface SacCommandDeps {
  /** Environment to read the endpoint from (default: process.env at run time). */
  env?: () => Record<string, string | undefined>;
  /** Builds the annotating model (default: llm-sim's `chatModelFromEnv`); undefined means none is configured. */
  createModel?: (env: Record<string, string | undefined>) => ChatModel | undefined;
  /** Subscribes to interrupts (default: SIGINT and SIGTERM of this process); returns the unsubscribe function. */
  onInterrupt?: (handler: (name: string) => void) => () => void;
}

/** Calls `handler` on SIGINT and SIGTERM (instead of exiting) until the returned function is called. */
function processInterrupts(handler: (name: string) => void): () => void {
  const listener = (name: NodeJS.Signals) => handler(name);
  process.on("SIGINT", listener);
  process.on("SIGTERM", listener);
  return () => {
    process.off("SIGINT", listener);
    process.off("SIGTERM", listener);
  };
}

/** Refuses an output that is the input file, or an existing file without `--force` (nothing is overwritten silently). */
function checkOutput(inFile: string, outFile: string, force: boolean): void {
  const canonical = (file: string) => (existsSync(file) ? realpathSync(file) : resolve(file));
  if (canonical(inFile) === canonical(outFile)) throw new UsageError(`--out is the same file as --in (${outFile}); write to another file`);
  if (existsSync(outFile) && !force) throw new UsageError(`${outFile} already exists; pass --force to overwrite it`);
}

/** The default annotations file of a corpus, under `.foresight-cache/sac/` of the working directory. */
export function defaultAnnotationsFile(corpus: string): string {
  return join(".foresight-cache", "sac", `${corpus}.annotations.jsonl`);
}

function errorsFileFor(outFile: string): string {
  return outFile.endsWith(".jsonl") ? `${outFile.slice(0, -".jsonl".length)}.errors.jsonl` : `${outFile}.errors.jsonl`;
}

function positive(name: string, value: number): number {
  if (value < 1) throw new UsageError(`--${name} must be at least 1, got ${value}`);
  return value;
}

/** Runs a command body, printing this package's file and format errors as one line with exit code 1. */
async function reportingFileErrors(path: string, io: CommandIO, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof SacFileError || error instanceof SacFormatError) {
      io.err(`foresight ${path}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

function annotateCommand(deps: SacCommandDeps): Command {
  return {
    path: ["sac", "annotate"],
    summary: "annotate a corpus with SAGE states and actions using an LLM endpoint",
    usage: [
      `Usage: foresight sac annotate --corpus <${SAC_CORPORA.join("|")}> [options]`,
      "",
      "  --corpus NAME       the corpus to annotate",
      "  --limit N           annotate N dialogues (default 20; 0 for all)",
      "  --seed N            pick a seeded random sample instead of the first dialogues (also sent as the request seed)",
      "  --out FILE          annotations JSONL, appended to and resumed (default .foresight-cache/sac/<corpus>.annotations.jsonl)",
      "  --errors FILE       failures JSONL, rewritten each run (default: next to --out, .errors.jsonl)",
      "  --concurrency N     dialogues in flight at once (default 4)",
      "  --max-attempts N    model calls per dialogue incl. repair requests (default 3)",
      "  --timeout S         seconds one model call may take before it is retried (default 120)",
      "  --retries N         retries of a failed call: timeouts, network errors, 429, 5xx (default 2)",
      `  --lock-stale-ms N   a lock on --out not refreshed for this long (left by a killed run) is taken over (default ${DEFAULT_LOCK_STALE_MS})`,
      "  --bridging          also ask for bridging questions on assistant turns that do not end with one",
      "  --data-dir DIR      the shared data folder (default: env FORESIGHT_DATA_DIR, else ../shared/data)",
      "",
      "Ctrl-C finishes the dialogues in flight, saves them and prints a summary; a second Ctrl-C abandons them.",
      "Needs an OpenAI-compatible endpoint: FORESIGHT_LLM_BASE_URL, FORESIGHT_LLM_MODEL and, if required, FORESIGHT_LLM_API_KEY.",
    ].join("\n"),
    run: (argv, io) =>
      reportingFileErrors("sac annotate", io, async () => {
        const { values } = parseFlags(argv, {
          corpus: { type: "string" },
          limit: { type: "string" },
          seed: { type: "string" },
          out: { type: "string" },
          errors: { type: "string" },
          concurrency: { type: "string" },
          "max-attempts": { type: "string" },
          timeout: { type: "string" },
          retries: { type: "string" },
          "lock-stale-ms": { type: "string" },
          bridging: { type: "boolean" },
          "data-dir": { type: "string" },
        });
        const corpus = values.corpus;
        if (corpus === undefined) throw new UsageError(`--corpus is required (one of ${SAC_CORPORA.join(", ")})`);
        if (!isSacCorpus(corpus)) throw new UsageError(`--corpus must be one of ${SAC_CORPORA.join(", ")}, got "${corpus}"`);
        const limit = parseIntFlag("limit", values.limit, 20);
        if (limit < 0) throw new UsageError(`--limit must be 0 (all) or more, got ${limit}`);
        const seed = values.seed === undefined ? undefined : parseSeedFlag(values.seed, 0);
        const concurrency = positive("concurrency", parseIntFlag("concurrency", values.concurrency, 4));
        const maxAttempts = positive("max-attempts", parseIntFlag("max-attempts", values["max-attempts"], 3));
        const timeoutSeconds = positive("timeout", parseIntFlag("timeout", values.timeout, 120));
        const retries = parseIntFlag("retries", values.retries, 2);
        if (retries < 0) throw new UsageError(`--retries must be 0 or more, got ${retries}`);
        const lockStaleMs = parseIntFlag("lock-stale-ms", values["lock-stale-ms"], DEFAULT_LOCK_STALE_MS);
        if (lockStaleMs < 2000) throw new UsageError(`--lock-stale-ms must be at least 2000, got ${lockStaleMs}`);
        const outFile = values.out ?? defaultAnnotationsFile(corpus);
        const errorsFile = values.errors ?? errorsFileFor(outFile);

        const env = deps.env ? deps.env() : process.env;
        let model: ChatModel | undefined;
        try {
          model = (deps.createModel ?? chatModelFromEnv)(env);
        } catch (error) {
          if (!(error instanceof LlmConfigError)) throw error;
          io.err(`foresight sac annotate: ${error.message}`);
          return 2;
        }
        if (!model) {
          io.err(`foresight sac annotate: ${MISSING_ENDPOINT_MESSAGE}`);
          return 2;
        }

        const dialogues = loadSacCorpus(corpus, { dataDir: values["data-dir"], limit, seed });
        const ledger = new UsageLedger();
        const stacked = buildChatModel(model, {
          concurrency,
          ledger,
          timeoutMs: timeoutSeconds * 1000,
          retry: { maxRetries: retries, onRetry: (event) => io.err(`retry ${event.attempt}/${retries} in ${(event.delayMs / 1000).toFixed(1)} s: ${(event.error as Error).message}`) },
        });
        // The first interrupt drains (in-flight dialogues finish and are saved), the second abandons them.
        const drain = new AbortController();
        const abort = new AbortController();
        const unsubscribe = (deps.onInterrupt ?? processInterrupts)((name) => {
          if (!drain.signal.aborted) {
            io.err(`${name}: finishing the dialogues in flight, then stopping (interrupt again to abandon them)`);
            drain.abort();
          } else if (!abort.signal.aborted) {
            io.err(`${name}: abandoning the dialogues in flight`);
            abort.abort();
          }
        });
        io.err(`annotating ${dialogues.length} ${corpus} dialogues with ${model.id} into ${outFile}`);
        let summary;
        try {
          summary = await annotateCorpus(stacked, dialogues, {
            corpus,
            outFile,
            errorsFile,
            concurrency,
            maxAttempts,
            seed,
            bridgingQuestions: values.bridging ?? false,
            ledger,
            signal: abort.signal,
            drain: drain.signal,
            lockStaleMs,
            onWarning: (message) => io.err(`warning: ${message}`),
            onProgress: (progress) => {
              if (progress.lastId === undefined) {
                if (progress.skipped > 0) io.err(`skipping ${progress.skipped} already annotated`);
                return;
              }
              const finished = progress.skipped + progress.annotated + progress.failed;
              io.err(`[${finished}/${progress.total}] ${progress.lastId}${progress.failed > 0 ? ` (${progress.failed} failed)` : ""}`);
            },
          });
        } finally {
          unsubscribe();
        }
        const usage = ledger.snapshot().total;
        const interrupted = summary.aborted || summary.drained;
        const left = summary.total - summary.skipped - summary.annotated - summary.failed;
        io.out(
          [
            ...(interrupted ? [`interrupted: ${summary.annotated} new annotations saved, ${left} dialogues left; run the same command again to resume`] : []),
            `annotated ${summary.annotated}, skipped ${summary.skipped} (already done), failed ${summary.failed} of ${summary.total} ${corpus} dialogues`,
            `annotations: ${summary.outFile}`,
            `failures:    ${summary.errorsFile}${summary.failed > 0 ? " (reasons inside)" : ""}`,
            `LLM usage:   ${usage.calls} calls (${usage.failedCalls} failed), ${usage.promptTokens} prompt + ${usage.completionTokens} completion tokens, ${usage.parseFailures} invalid answers repaired or reported`,
          ].join("\n"),
        );
        if (interrupted) return 130;
        return summary.failed > 0 ? 1 : 0;
      }),
  };
}

const exportCommand: Command = {
  path: ["sac", "export"],
  summary: "export annotated dialogues in SAC form as ShareGPT JSON or OpenAI fine-tuning JSONL",
  usage: [
    "Usage: foresight sac export --in FILE --format <sharegpt|openai> --out FILE [--force] [--system-prompt TEXT] [--bridging]",
    "",
    "  --in FILE             an annotations JSONL written by `foresight sac annotate`",
    "  --format F            sharegpt (one JSON array) or openai (chat fine-tuning JSONL, weight 1 on assistant turns)",
    "  --out FILE            where to write (not --in)",
    "  --force               overwrite --out when it exists",
    "  --system-prompt TEXT  a system message to put first in every conversation",
    "  --bridging            append annotated bridging questions to assistant replies",
  ].join("\n"),
  run: (argv, io) =>
    reportingFileErrors("sac export", io, async () => {
      const { values } = parseFlags(argv, {
        in: { type: "string" },
        format: { type: "string" },
        out: { type: "string" },
        "system-prompt": { type: "string" },
        bridging: { type: "boolean" },
        force: { type: "boolean" },
      });
      if (!values.in) throw new UsageError("--in is required");
      if (!values.out) throw new UsageError("--out is required");
      if (values.format !== "sharegpt" && values.format !== "openai") throw new UsageError(`--format must be sharegpt or openai, got "${values.format ?? ""}"`);
      checkOutput(values.in, values.out, values.force ?? false);
      const records = readAnnotations(values.in, { onWarning: (message) => io.err(`warning: ${message}`) });
      const options = { systemPrompt: values["system-prompt"], appendBridgingQuestions: values.bridging ?? false };
      const result = values.format === "sharegpt" ? toShareGpt(records, options) : toOpenAiFineTune(records, options);
      if (values.format === "sharegpt") writeFileSafely(values.out, `${JSON.stringify(result.examples, null, 2)}\n`);
      else writeJsonl(values.out, result.examples);
      io.out(`wrote ${result.examples.length} ${values.format} conversations to ${values.out}${result.skipped.length ? `; skipped ${result.skipped.length} without an assistant turn` : ""}`);
      return 0;
    }),
};

const statsCommand: Command = {
  path: ["sac", "stats"],
  summary: "distributions of annotated user states and assistant actions (SAGE figure 3)",
  usage: ["Usage: foresight sac stats --in FILE [--top N] [--json]", "", "  --in FILE  an annotations JSONL", "  --top N    labels listed per slot (default 10)", "  --json     print JSON"].join("\n"),
  run: (argv, io) =>
    reportingFileErrors("sac stats", io, async () => {
      const { values } = parseFlags(argv, { in: { type: "string" }, top: { type: "string" }, json: { type: "boolean" } });
      if (!values.in) throw new UsageError("--in is required");
      const top = positive("top", parseIntFlag("top", values.top, 10));
      const stats = sacStatistics(readAnnotations(values.in, { onWarning: (message) => io.err(`warning: ${message}`) }), { top });
      io.out(values.json ? JSON.stringify(stats, null, 2) : formatSacStatistics(stats));
      return 0;
    }),
};

const dpoCommand: Command = {
  path: ["sac", "dpo"],
  summary: "turn self-play trajectories into DPO preference pairs (chosen vs a seeded random rejected)",
  usage: [
    "Usage: foresight sac dpo --in FILE --out FILE [--force] [--seed N]",
    "",
    "  --in FILE   trajectories JSONL (from selfPlay)",
    "  --out FILE  pairs JSONL (not --in)",
    "  --force     overwrite --out when it exists",
    "  --seed N    seed for picking the rejected reply (default 0)",
  ].join("\n"),
  run: (argv, io) =>
    reportingFileErrors("sac dpo", io, async () => {
      const { values } = parseFlags(argv, { in: { type: "string" }, out: { type: "string" }, seed: { type: "string" }, force: { type: "boolean" } });
      if (!values.in) throw new UsageError("--in is required");
      if (!values.out) throw new UsageError("--out is required");
      checkOutput(values.in, values.out, values.force ?? false);
      const pairs = dpoPairs(readJsonl(values.in, TrajectorySchema), createRng(parseSeedFlag(values.seed, 0)));
      writeJsonl(values.out, pairs);
      io.out(`wrote ${pairs.length} DPO pairs to ${values.out}`);
      return 0;
    }),
};

/** The `sac` subcommands with the given dependencies. */
export function createSacCommands(deps: SacCommandDeps = {}): Command[] {
  return [annotateCommand(deps), exportCommand, statsCommand, dpoCommand];
}

/** `foresight sac annotate|export|stats|dpo`. */
export const sacCommands: Command[] = createSacCommands();
