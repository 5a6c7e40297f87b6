import { describe, expect, it } from "vitest";
import { MAX_SEED, UsageError, nearest, parseFlags, parseIntFlag, parseSeedFlag } from "./command.js";

describe("parseSeedFlag", () => {
  it("takes every whole number from 0 to 2^32 - 1 and the fallback when absent", () => {
    expect(parseSeedFlag("0", 7)).toBe(0);
    expect(parseSeedFlag(String(MAX_SEED), 7)).toBe(4294967295);
    expect(parseSeedFlag(undefined, 7)).toBe(7);
  });

  it("refuses what the generators would fold onto another seed", () => {
    for (const bad of ["-1", "4294967296", "1.7", "1.0", "1e3", "0x10", "+1", "", " ", "abc", "99999999999999999999"]) {
      expect(() => parseSeedFlag(bad, 1), bad).toThrow(UsageError);
      expect(() => parseSeedFlag(bad, 1), bad).toThrow(`--seed must be a whole number from 0 to 4294967295, got "${bad}"`);
    }
    expect(() => parseSeedFlag("-1", 1, "split-seed")).toThrow(/^--split-seed must be/);
  });
});

describe("parseFlags", () => {
  const options = { seed: { type: "string" as const }, "max-turns": { type: "string" as const }, json: { type: "boolean" as const } };

  it("takes a negative number as a flag's value", () => {
    expect(parseFlags(["--seed", "-1", "--max-turns", "-2.5"], options).values).toEqual({ seed: "-1", "max-turns": "-2.5" });
  });

  it("still refuses a flag where a value is expected, and suggests the nearest flag for an unknown one", () => {
    expect(() => parseFlags(["--seed", "--json"], options)).toThrow(UsageError);
    expect(() => parseFlags(["--sed", "1"], options)).toThrow("unknown flag --sed; did you mean --seed?");
    expect(() => parseFlags(["--max-turn=3"], options)).toThrow("did you mean --max-turns?");
    expect(() => parseFlags(["--frobnicate"], options)).toThrow(/^unknown flag --frobnicate$/);
    expect(() => parseFlags(["extra"], options)).toThrow('unexpected argument "extra"');
  });
});

describe("parseIntFlag and nearest", () => {
  it("checks bounds and names them", () => {
    expect(parseIntFlag("threads", "64", 1, { min: 1, max: 64 })).toBe(64);
    expect(() => parseIntFlag("threads", "65", 1, { min: 1, max: 64 })).toThrow("--threads must be an integer from 1 to 64, got 65");
    expect(() => parseIntFlag("limit", "0", 1, { min: 1 })).toThrow("--limit must be an integer of at least 1, got 0");
    expect(() => parseIntFlag("limit", "1e99", 1)).toThrow('--limit must be an integer, got "1e99"');
  });

  it("suggests only near words", () => {
    expect(nearest("stat", ["stats", "check"])).toBe("stats");
    expect(nearest("zzzzzzzz", ["stats", "check"])).toBeUndefined();
  });
});
