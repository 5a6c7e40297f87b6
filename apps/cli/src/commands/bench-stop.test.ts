import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";

const root = mkdtempSync(join(tmpdir(), "cli-bench-stop-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const fixture = join(import.meta.dirname, "../test-fixtures/bench-blocking.ts");

/** Runs the blocking bench and sends `signal` once it prints that its third episode blocks (never before). */
function stopWhenBlocked(outDir: string, signal: NodeJS.Signals): Promise<{ code: number | null; killedBy: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", fixture, outDir], { stdio: ["ignore", "pipe", "pipe"] });
  onTestFinished(() => void child.kill("SIGKILL")); // a failed test leaves no blocked child behind
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    const before = stdout;
    stdout += chunk.toString();
    if (!before.includes("blocked\n") && stdout.includes("blocked\n")) child.kill(signal);
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("exit", (code, killedBy) => resolve({ code, killedBy, stdout, stderr })));
}

describe("foresight bench stopped by a signal", () => {
  for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
    it(`stops the episode in flight on ${signal}, keeps the finished ones, says so in one line and exits ${code}`, { timeout: 240_000 }, async () => {
      const outDir = join(root, signal);
      const run = await stopWhenBlocked(outDir, signal);
      expect(run.killedBy).toBeNull();
      expect(run.code).toBe(code);
      const stops = run.stderr.split("\n").filter((line) => line.includes("stopped by"));
      expect(stops).toEqual([`foresight bench: stopped by ${signal}: blocking 2/4 episodes kept in ${outDir}; run the same command again to resume`]);
      const units = readFileSync(join(outDir, "blocking", "episodes.jsonl"), "utf8").trim().split("\n").map((line) => (JSON.parse(line) as { spec: { unit: string } }).spec.unit);
      expect(units).toEqual(["u0", "u1"]);
    });
  }
});
