#!/usr/bin/env node
// Reads a turbo log (a file argument or stdin) and prints the grand total of vitest's per-package summaries as one
// line: "N passed, N failed" (plus skipped when any). A test file that failed as a whole (a suite whose set-up threw
// or timed out, an import error) counts as one failure when its package's test count shows fewer failures, so a
// broken suite never reads as "0 failed".
import { readFileSync } from "node:fs";

const text = readFileSync(process.argv[2] ?? 0, "utf8").replace(/\u001b\[[0-9;]*m/g, "");
/** Per package (the turbo prefix `@scope/name:test:`): test counts and failed test files. */
const packages = new Map();
const entry = (name) => {
  if (!packages.has(name)) packages.set(name, { passed: 0, failed: 0, skipped: 0, failedFiles: 0 });
  return packages.get(name);
};
for (const line of text.split("\n")) {
  const name = /^(\S+):test:/.exec(line)?.[1] ?? "";
  const tests = /^\S*\s*Tests\s+(.*\(\d+\))\s*$/.exec(line);
  if (tests) {
    for (const [, count, kind] of tests[1].matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
      entry(name)[kind === "todo" ? "skipped" : kind] += Number(count);
    }
  }
  const files = /^\S*\s*Test Files\s+(\d+) failed/.exec(line);
  if (files) entry(name).failedFiles += Number(files[1]);
}
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const counts of packages.values()) {
  totals.passed += counts.passed;
  totals.failed += Math.max(counts.failed, counts.failedFiles);
  totals.skipped += counts.skipped;
}
const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : "";
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed${skipped}\n`);
