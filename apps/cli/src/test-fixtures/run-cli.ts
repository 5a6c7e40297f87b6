import { runCli } from "../cli.js";

/** Runs the CLI in-process on `argv`, capturing what it prints: the exit code, stdout and stderr. */
export async function runCapturing(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}
