/**
 * V8 flags a server process runs with. A plan's garbage (request, candidates, search tree, model outputs) lives about
 * one time budget, longer than V8's default young generation (16 MB semi-spaces) holds at a few hundred plans a
 * second: it survived into the old generation and was scavenged again and again. 32 MB semi-spaces let most of it die
 * young: in the load test, GC time per plan fell by about half (README, "Load test").
 */
export const SERVER_V8_FLAGS: readonly string[] = ["--max-semi-space-size=32"];

/** `execArgv` with the server's V8 flags added, unless it sets them already (the caller's choice wins). */
export function withServerFlags(execArgv: readonly string[]): string[] {
  const set = (flag: string) => execArgv.some((arg) => arg.split("=")[0] === flag.split("=")[0]);
  return [...execArgv, ...SERVER_V8_FLAGS.filter((flag) => !set(flag))];
}
