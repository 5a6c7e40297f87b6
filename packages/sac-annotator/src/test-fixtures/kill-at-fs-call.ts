// Repairs an annotations file (readAnnotatedIds) and SIGKILLs itself at its K-th file-system write call: before
// the call, after it, or halfway through it (when it writes data). Without K it counts the calls and prints `calls N`.
// Usage: node --import tsx kill-at-fs-call.ts FILE [K before|after|mid]
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

const [file, killAt, mode] = process.argv.slice(2);
const target = killAt === undefined ? Number.POSITIVE_INFINITY : Number(killAt);
const die = (): never => {
  process.kill(process.pid, "SIGKILL");
  for (;;);
};
let calls = 0;
const mutable = fs as unknown as Record<string, (...args: unknown[]) => unknown>;
for (const name of ["openSync", "writeSync", "fsyncSync", "closeSync", "renameSync", "ftruncateSync", "truncateSync", "appendFileSync", "writeFileSync", "unlinkSync"]) {
  const original = mutable[name] as (...args: unknown[]) => unknown;
  mutable[name] = function (this: unknown, ...args: unknown[]) {
    if (++calls !== target) return original.apply(this, args);
    if (mode === "before") die();
    // Halfway through a write: the first half of the data is written (for writeFileSync, after it truncated the file,
    // as a kill inside its native fast path would leave it).
    const index = name === "writeSync" || name === "writeFileSync" || name === "appendFileSync" ? 1 : -1;
    const data = args[index];
    if (mode === "mid" && (typeof data === "string" || data instanceof Uint8Array)) {
      const half = typeof data === "string" ? data.slice(0, Math.floor(data.length / 2)) : data.subarray(0, Math.floor(data.byteLength / 2));
      original.apply(this, [...args.slice(0, index), half]);
      die();
    }
    original.apply(this, args);
    return die();
  };
}
// Node's own fs functions call these through the module object; ESM importers see them after this sync.
syncBuiltinESMExports();
const { readAnnotatedIds } = await import("../annotate/runner.js");
readAnnotatedIds(file as string);
process.stdout.write(`calls ${calls}\n`);
