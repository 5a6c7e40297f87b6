import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SERVER_V8_FLAGS, withServerFlags } from "./node-flags.js";

describe("server V8 flags", () => {
  it("are added to a worker's execArgv unless it sets them already", () => {
    expect(withServerFlags(["--import", "tsx"])).toEqual(["--import", "tsx", ...SERVER_V8_FLAGS]);
    expect(withServerFlags(["--max-semi-space-size=64"])).toEqual(["--max-semi-space-size=64"]);
  });

  it("are the ones `pnpm foresight` starts the CLI with (serve and bench server run the server in that process)", () => {
    const root = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { scripts: Record<string, string> };
    for (const flag of SERVER_V8_FLAGS) expect(root.scripts.foresight).toContain(flag);
  });
});
