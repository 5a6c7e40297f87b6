#!/usr/bin/env node
// Reads a turbo log (a file argument or stdin) and prints the grand total of vitest's per-package summaries as one
// line: "N passed, N failed" (plus skipped when any). A package whose tests could not run at all (a failed test
// file with no test summary) counts as one failure, so a broken suite never reads as "0 failed".
import { readFileSync } from "node:fs";

const text = readFileSync(process.argv[2] ?? 0, "utf8").replace(/\u001b\[[0-9;]*m/g, "");
const totals = { passed: 0, failed: 0, skipped: 0 };
const packagesWithTests = new Set();
const packagesWithFailedFiles = new Set();
for (const line of text.split("\n")) {
  const prefix = /^(\S+):test:/.exec(line)?.[1] ?? "";
  const tests = /^\S*\s*Tests\s+(.*\(\d+\))\s*$/.exec(line);
  if (tests) {
    packagesWithTests.add(prefix);
    for (const [, count, kind] of tests[1].matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
      if (kind === "todo") totals.skipped += Number(count);
      else totals[kind] += Number(count);
    }
  }
  if (/^\S*\s*Test Files\s+.*\d+ failed/.test(line)) packagesWithFailedFiles.add(prefix);
}
for (const pkg of packagesWithFailedFiles) if (!packagesWithTests.has(pkg)) totals.failed += 1;
const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : "";
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed${skipped}\n`);
