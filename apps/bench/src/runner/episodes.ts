import { existsSync, readFileSync } from "node:fs";
import { canonicalJson } from "@foresight/llm-sim";
import { z } from "zod";
import type { EpisodeOutcome, EpisodeSpec, Suite } from "../suites/types.js";
import { BenchError, appendJsonLine, writeFileAtomic } from "./files.js";

/** `--shard i/n`: this process runs the episodes whose index in the suite's list is i − 1 modulo n (1-based i). */
export interface Shard {
  index: number;
  count: number;
}

/** One finished episode as a line of `episodes.jsonl`: the spec, what the suite returned, and who ran it how fast. */
export interface EpisodeRecord extends EpisodeOutcome {
  /** {@link episodeKey} of the spec. */
  key: string;
  spec: EpisodeSpec;
  /** Wall-clock milliseconds the runner measured around `suite.run` (not deterministic; kept out of summary.json). */
  wallMs: number;
  /** The machine that ran it ({@link machineLabel}). */
  machine: string;
  /** Set when the outcome is another episode's (the suite's `shareKey` says they are equal): that episode's key. */
  reusedFrom?: string;
}

const finite = z.number().refine(Number.isFinite, "must be a finite number");

const EpisodeSpecSchema = z.object({
  suite: z.string().min(1),
  planner: z.string().min(1),
  setting: z.record(z.string(), z.unknown()),
  world: z.string().min(1),
  unit: z.string().min(1),
  seed: z.number().int(),
});

/** The schema of one line of `episodes.jsonl`. */
export const EpisodeRecordSchema = z.object({
  key: z.string().min(1),
  spec: EpisodeSpecSchema,
  metrics: z.record(z.string(), finite),
  costs: z.record(z.string(), finite),
  transcript: z.array(z.unknown()).optional(),
  wallMs: z.number().nonnegative(),
  machine: z.string(),
  reusedFrom: z.string().min(1).optional(),
});

/** The identity of an episode: its spec as canonical JSON (two specs with the same fields are the same episode). */
export function episodeKey(spec: EpisodeSpec): string {
  return canonicalJson(spec);
}

/** Parses `--shard i/n` (1 ≤ i ≤ n). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new BenchError(`--shard must be i/n with 1 ≤ i ≤ n, got "${text}"`);
  return { index, count };
}

/**
 * The suite's episodes at this scale and seed, checked: every spec names this suite, has an integer seed, and no
 * two are the same episode. With a shard, only that shard's part (by position, so shards are disjoint and cover all).
 */
export function enumerateEpisodes(suite: Suite, scale: string, seed: number, shard?: Shard, dataDir?: string): EpisodeSpec[] {
  const specs = suite.episodes(scale as Parameters<Suite["episodes"]>[0], seed, dataDir);
  const seen = new Set<string>();
  specs.forEach((spec, index) => {
    const parsed = EpisodeSpecSchema.safeParse(spec);
    if (!parsed.success) throw new BenchError(`suite ${suite.name}: episode ${index}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    if (spec.suite !== suite.name) throw new BenchError(`suite ${suite.name}: episode ${index} names suite "${spec.suite}"`);
    const key = episodeKey(spec);
    if (seen.has(key)) throw new BenchError(`suite ${suite.name}: episode ${index} repeats an earlier episode (${key})`);
    seen.add(key);
  });
  if (!shard) return specs;
  return specs.filter((_, index) => index % shard.count === shard.index - 1);
}

/** Checks what a suite returned for an episode: finite numbers only, named after the suite and episode when not. */
export function checkOutcome(suite: string, spec: EpisodeSpec, outcome: EpisodeOutcome): EpisodeOutcome {
  for (const group of ["metrics", "costs"] as const) {
    const values = outcome[group] as Record<string, unknown> | undefined;
    if (values === null || typeof values !== "object") throw new BenchError(`suite ${suite}: episode ${spec.planner}/${spec.unit}: ${group} missing`);
    for (const [name, value] of Object.entries(values)) {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new BenchError(`suite ${suite}: episode ${spec.planner}/${spec.world}/${spec.unit}/seed ${spec.seed}: ${group}.${name} is ${String(value)}, not a finite number`);
      }
    }
  }
  return outcome;
}

/**
 * Reads `episodes.jsonl`. A last line cut short by a crash (no newline, not parseable) is dropped and the file is
 * rewritten without it; any other malformed line is an error naming the file and line. A repeated key keeps its first record.
 */
export function readEpisodeLog(file: string): EpisodeRecord[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const records: EpisodeRecord[] = [];
  const seen = new Set<string>();
  let torn = false;
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (index === lines.length - 1) {
        torn = true;
        return;
      }
      throw new BenchError(`${file}:${index + 1}: malformed JSON (${(error as Error).message})`);
    }
    const parsed = EpisodeRecordSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BenchError(`${file}:${index + 1}: ${issue?.path.join(".") || "record"}: ${issue?.message ?? "invalid"}`);
    }
    const record = parsed.data as EpisodeRecord;
    if (seen.has(record.key)) return;
    seen.add(record.key);
    records.push(record);
  });
  if (torn) writeEpisodeLog(file, records);
  return records;
}

/**
 * The record of `spec` built from the outcome of `source`, an episode with the same share key (the suite says their
 * outcomes are equal): its metrics, costs, transcript, wall time and machine, marked with the key it reuses.
 */
export function reuseOutcome(source: EpisodeRecord, spec: EpisodeSpec): EpisodeRecord {
  const record: EpisodeRecord = { key: episodeKey(spec), spec, metrics: source.metrics, costs: source.costs, wallMs: source.wallMs, machine: source.machine, reusedFrom: source.reusedFrom ?? source.key };
  if (source.transcript !== undefined) record.transcript = source.transcript;
  return record;
}

/** Appends one finished episode to `episodes.jsonl`. */
export function appendEpisode(file: string, record: EpisodeRecord): void {
  appendJsonLine(file, record);
}

/** Replaces `episodes.jsonl` with these records (atomically). */
export function writeEpisodeLog(file: string, records: readonly EpisodeRecord[]): void {
  writeFileAtomic(file, records.map((record) => `${JSON.stringify(record)}\n`).join(""));
}

/** Orders records as the suite enumerates their episodes (records of episodes it no longer lists are an error). */
export function orderRecords(specs: readonly EpisodeSpec[], records: readonly EpisodeRecord[], where: string): EpisodeRecord[] {
  const byKey = new Map(records.map((record) => [record.key, record]));
  const ordered: EpisodeRecord[] = [];
  for (const spec of specs) {
    const record = byKey.get(episodeKey(spec));
    if (record) ordered.push(record);
  }
  if (ordered.length !== byKey.size) {
    const known = new Set(specs.map(episodeKey));
    const stray = records.find((record) => !known.has(record.key));
    throw new BenchError(`${where}: holds an episode the suite does not list at this scale and seed (${stray?.key ?? "?"})`);
  }
  return ordered;
}
