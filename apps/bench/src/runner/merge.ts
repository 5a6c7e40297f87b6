import { join } from "node:path";
import type { Suite } from "../suites/types.js";
import { enumerateEpisodes, episodeKey, orderRecords, readEpisodeLog, writeEpisodeLog, type EpisodeRecord } from "./episodes.js";
import { BenchError, readJsonIfExists, writeFileAtomic } from "./files.js";
import { writeRunReport, type WrittenReport } from "./output.js";
import { RUN_FILES, RunMetaSchema, type RunMeta } from "./run-suite.js";

/** Reads and checks `run.json` of a run folder. */
export function readMeta(dir: string): RunMeta {
  const file = join(dir, RUN_FILES.meta);
  const value = readJsonIfExists(file);
  if (value === undefined) throw new BenchError(`${dir}: no ${RUN_FILES.meta} (not a bench run folder)`);
  const parsed = RunMetaSchema.safeParse(value);
  if (!parsed.success) throw new BenchError(`${file}: not a bench run description`);
  return parsed.data;
}

/**
 * Joins the folders of `--shard i/n` runs (all n shards of one suite, scale, seed and commit) into `outDir`: one
 * `episodes.jsonl` in the suite's order and the same report an unsharded run writes.
 */
export async function mergeRuns(suites: readonly Suite[], dirs: readonly string[], outDir: string, dataDir?: string): Promise<WrittenReport & { meta: RunMeta; records: EpisodeRecord[] }> {
  if (dirs.length === 0) throw new BenchError("merge needs the folders of the shard runs");
  const metas = dirs.map(readMeta);
  const first = metas[0] as RunMeta;
  metas.forEach((meta, i) => {
    for (const field of ["suite", "scale", "seed", "commit", "llm"] as const) {
      if (meta[field] !== first[field]) throw new BenchError(`${dirs[i]}: ${field} ${String(meta[field])} differs from ${dirs[0]}'s ${String(first[field])}`);
    }
  });
  const count = first.shard?.count ?? 1;
  const seen = new Map<number, string>();
  metas.forEach((meta, i) => {
    const index = meta.shard?.index ?? 1;
    if ((meta.shard?.count ?? 1) !== count) throw new BenchError(`${dirs[i]}: shard ${meta.shard?.index ?? 1}/${meta.shard?.count ?? 1} is not one of ${count} shards`);
    if (seen.has(index)) throw new BenchError(`${dirs[i]}: shard ${index}/${count} is also in ${seen.get(index)}`);
    seen.set(index, dirs[i] as string);
  });
  const missingShards = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !seen.has(index));
  if (missingShards.length > 0) throw new BenchError(`merge: shard${missingShards.length > 1 ? "s" : ""} ${missingShards.map((i) => `${i}/${count}`).join(", ")} missing`);
  const suite = suites.find((s) => s.name === first.suite);
  if (!suite) throw new BenchError(`merge: unknown suite "${first.suite}" (known: ${suites.map((s) => s.name).join(", ") || "none"})`);
  const specs = enumerateEpisodes(suite, first.scale, first.seed, undefined, dataDir);
  const records = orderRecords(specs, dirs.flatMap((dir) => readEpisodeLog(join(dir, RUN_FILES.episodes))), "merge");
  if (records.length < specs.length) {
    const have = new Set(records.map((r) => r.key));
    const missing = specs.filter((spec) => !have.has(episodeKey(spec)));
    throw new BenchError(`merge: ${missing.length} of ${specs.length} episodes are not finished in any shard (first: ${missing[0]?.planner} ${missing[0]?.world} ${missing[0]?.unit} seed ${missing[0]?.seed}); resume that shard first`);
  }
  // Every commit any shard was extended at (in first-seen order), not only the first shard's.
  const extendedAt = [...new Set(metas.flatMap((m) => m.extendedAt ?? []))];
  const meta: RunMeta = { ...first, shard: null };
  if (extendedAt.length > 0) meta.extendedAt = extendedAt;
  writeFileAtomic(join(outDir, RUN_FILES.meta), `${JSON.stringify(meta, null, 2)}\n`);
  writeEpisodeLog(join(outDir, RUN_FILES.episodes), records);
  const written = await writeRunReport(suite, meta, records, outDir);
  return { ...written, meta, records };
}
