import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { SacFileError } from "./errors.js";
import { parseJsonl, readJsonl } from "./jsonl.js";

const Row = z.object({ id: z.string(), n: z.number() });

describe("JSONL reading", () => {
  it("parses every non-blank line in order", () => {
    expect(parseJsonl('{"id":"a","n":1}\n\n{"id":"b","n":2}\n', "rows.jsonl", Row)).toEqual([
      { id: "a", n: 1 },
      { id: "b", n: 2 },
    ]);
  });

  it("names the file, line and field of a bad line", () => {
    expect(() => parseJsonl('{"id":"a","n":1}\n{"id":"b"', "rows.jsonl", Row)).toThrow(/rows\.jsonl.*line 2.*malformed JSON/);
    expect(() => parseJsonl('{"id":"a","n":"x"}\n', "rows.jsonl", Row)).toThrow(/line 1.*field n:/);
    expect(() => parseJsonl('{"id":"a"}\n', "rows.jsonl", Row, () => "not a row")).toThrow(/not a row/);
  });

  it("reads a file, and fails naming a missing one", () => {
    const file = join(mkdtempSync(join(tmpdir(), "sac-jsonl-")), "rows.jsonl");
    expect(() => readJsonl(file, Row)).toThrow(SacFileError);
    writeFileSync(file, '{"id":"a","n":1}\n');
    expect(readJsonl(file, Row)).toEqual([{ id: "a", n: 1 }]);
  });
});
