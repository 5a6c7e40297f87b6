import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  SOPDAIL_NAMING,
  SopFormatError,
  SopGraph,
  countIssues,
  loadSop,
  parseAdjacencyList,
  parseMermaid,
  readSopFile,
  toAdjacencyList,
  toMermaid,
  validateSop,
  type SopIssue,
} from "./index.js";
import { sampleSop } from "./test-fixtures/sample-sop.js";

const codes = (issues: readonly SopIssue[]) => issues.map((i) => `${i.severity}:${i.code}`);

describe("SopGraph built from code", () => {
  it("answers structure queries", () => {
    const graph = sampleSop();
    expect(graph.nodeCount).toBe(9);
    expect(graph.edgeCount).toBe(10);
    expect(graph.successorsOf("Agent.Offer")).toEqual(["User.Accepts", "User.Declines"]);
    expect([...graph.predecessorsOf("Agent.Offer")].sort()).toEqual(["User.Declines", "User.IsCustomer"]);
    expect(graph.kindOf("User.Accepts")).toBe("user");
    expect(graph.kindOf("Offer")).toBe("unknown");
    expect(graph.addEdge("Agent.Start", "Agent.VerifyIdentity")).toBe(false);
    expect(validateSop(graph).ok).toBe(true);
  });

  it("glosses names through an attached table", () => {
    const graph = new SopGraph({ naming: SOPDAIL_NAMING, gloss: { 核对身份: "verify identity" } });
    expect(graph.gloss("代理.核对身份")).toBe("Agent.verify identity");
    expect(graph.gloss("用户.是本人")).toBe("User.是本人");
  });
});

describe("adjacency list and mermaid serialisation", () => {
  it("round-trips through JSON and mermaid", () => {
    const graph = sampleSop();
    const json = toAdjacencyList(graph);
    expect(json["Agent.PoliteEnd"]).toEqual([]);
    const back = parseAdjacencyList(JSON.parse(JSON.stringify(json)));
    expect(back.issues).toEqual([]);
    expect(back.graph.sameStructure(graph)).toBe(true);
    const text = toMermaid(graph);
    expect(text.split("\n")[0]).toBe("graph TD");
    expect(text).toContain("Agent.VerifyIdentity -->|User.WrongPerson| Agent.PoliteEnd");
    const parsed = parseMermaid(text);
    expect(parsed.issues).toEqual([]);
    expect(parsed.graph.sameStructure(graph)).toBe(true);
  });

  it("round-trips awkward names and shapes through mermaid", () => {
    const graph = SopGraph.fromEdges([
      ["Agent.Start", "Agent.Say \"hi\" twice"],
      ["Agent.Say \"hi\" twice", "User.No reply"], // a user state with no successor: written plainly
      ["Agent.Say \"hi\" twice", "User.Yes|no"], // a '|' cannot sit in a label
      ["User.Yes|no", "Agent.PoliteEnd"],
      ["User.Orphan", "Agent.PoliteEnd"], // a user state without predecessor
      ["Agent.Check-in--fast", "Agent.PoliteEnd"],
    ]);
    graph.addNode("Agent.Lonely");
    const parsed = parseMermaid(toMermaid(graph));
    expect(parsed.issues).toEqual([]);
    expect(parsed.graph.sameStructure(graph)).toBe(true);
  });

  it("reads chains, text-on-link labels, declared ids, comments and flowchart headers", () => {
    const text = [
      "flowchart LR",
      "  %% a comment",
      '  s["Agent.Start"] --> Agent.Ask',
      "  Agent.Ask -- User.Yes --> Agent.Do --> Agent.PoliteEnd;",
      "  Agent.Ask --> | User.No | s",
      "  style s fill:#f9f",
    ].join("\n");
    const { graph, issues } = parseMermaid(text);
    expect(codes(issues)).toEqual(["warning:mermaid-syntax"]);
    expect(graph.edges()).toEqual([
      ["Agent.Start", "Agent.Ask"],
      ["Agent.Ask", "User.Yes"],
      ["Agent.Ask", "User.No"],
      ["User.Yes", "Agent.Do"],
      ["Agent.Do", "Agent.PoliteEnd"],
      ["User.No", "Agent.Start"],
    ]);
  });

  it("treats SOPDAIL's mermaid quirks as errors in strict mode and repairs them in tolerant mode", () => {
    const text = "graph TD/n代理.开始 --> 代理.核对身份/n代理.核对身份 --> |非本人|代理.礼貌结束";
    const strict = parseMermaid(text);
    expect(strict.ok).toBe(false);
    expect(codes(strict.issues)).toEqual(["error:mermaid-line-separator", "error:mermaid-label-not-user-state"]);
    const tolerant = parseMermaid(text, { tolerant: true });
    expect(tolerant.ok).toBe(true);
    expect(codes(tolerant.issues)).toEqual(["repaired:mermaid-line-separator", "repaired:mermaid-label-not-user-state"]);
    expect(tolerant.graph.naming).toBe(SOPDAIL_NAMING);
    expect(tolerant.graph.hasEdge("用户.非本人", "代理.礼貌结束")).toBe(true);
  });

  it("names the line of a syntax error", () => {
    const { ok, issues } = parseMermaid("graph TD\n  Agent.Start --> Agent.A\n  Agent.A ==> \n");
    expect(ok).toBe(false);
    expect(issues[0]).toMatchObject({ code: "mermaid-syntax", line: 3 });
    expect(parseMermaid("Agent.Start --> Agent.PoliteEnd").issues.map((i) => i.code)).toEqual(["mermaid-header"]);
  });

  it("rejects a structurally bad adjacency list naming the field", () => {
    expect(() => parseAdjacencyList({ "Agent.Start": "Agent.PoliteEnd" }, { source: "pred.json" })).toThrow(
      /pred\.json: field adjacency_list\.Agent\.Start/,
    );
    expect(() => parseAdjacencyList([1, 2])).toThrow(/field adjacency_list/);
  });
});

describe("validation", () => {
  it("reports every structural problem precisely", () => {
    const graph = SopGraph.fromEdges([
      ["Agent.A", "User.X"],
      ["User.X", "User.Y"],
      ["User.Y", "Agent.B"],
      ["Agent.B", "Agent.B"],
      ["Greeting", "Agent.A"],
    ]);
    const report = validateSop(graph);
    expect(report.ok).toBe(false);
    const byCode = new Map(report.issues.map((i) => [i.code, i]));
    expect(byCode.get("unknown-role")?.nodes).toEqual(["Greeting"]);
    expect(byCode.get("missing-start")?.message).toBe('the start "Agent.Start" is missing');
    expect(byCode.get("missing-sink")?.message).toBe('the sink "Agent.PoliteEnd" is missing');
    expect(byCode.get("user-after-user")?.message).toBe('user state "User.X" is followed by user state "User.Y"');
  });

  it("finds unreachable vertices, dead ends and extra sources", () => {
    const graph = sampleSop();
    graph.addEdge("Agent.Orphan", "Agent.PoliteEnd");
    graph.addEdge("Agent.Offer", "Agent.DeadEnd");
    const strict = validateSop(graph);
    expect(codes(strict.issues)).toEqual(["error:multiple-sources", "error:unreachable", "error:cannot-reach-sink"]);
    expect(strict.issues[1]?.nodes).toEqual(["Agent.Orphan"]);
    expect(strict.issues[2]?.message).toBe('vertices that cannot reach the sink "Agent.PoliteEnd": "Agent.DeadEnd"');
    const tolerant = validateSop(graph, { tolerant: true });
    expect(codes(tolerant.issues)).toEqual(["repaired:multiple-sources", "error:cannot-reach-sink"]);
    expect(tolerant.graph.hasEdge("Agent.Start", "Agent.Orphan")).toBe(true);
    expect(graph.hasEdge("Agent.Start", "Agent.Orphan")).toBe(false);
  });

  it("repairs a sink listed only as a successor and a disagreeing vertex list in tolerant mode", () => {
    const adjacency = { "Agent.Start": ["Agent.Ask", "Agent.Ask"], "Agent.Ask": ["Agent.PoliteEnd"] };
    const vertex = ["Agent.Start", "Agent.Start", "Agent.PoliteEnd"];
    const strict = loadSop({ adjacencyList: adjacency, vertex });
    expect(strict.ok).toBe(false);
    const tolerant = loadSop({ adjacencyList: adjacency, vertex }, { tolerant: true });
    expect(tolerant.ok).toBe(true);
    expect(countIssues(tolerant.issues)).toEqual({
      "repaired:duplicate-successor": 1,
      "repaired:successor-only": 1,
      "repaired:duplicate-vertex": 1,
      "repaired:undeclared-vertex": 1,
    });
    expect(tolerant.issues.find((i) => i.code === "undeclared-vertex")?.message).toBe(
      'unknown vertices (used but not in the vertex list): "Agent.Ask"',
    );
  });

  it("cross-checks mermaid text against the adjacency list", () => {
    const report = loadSop({
      adjacencyList: { "Agent.Start": ["Agent.PoliteEnd"], "Agent.PoliteEnd": [] },
      mermaid: "graph TD\n  Agent.Start --> Agent.Other --> Agent.PoliteEnd",
    });
    expect(report.ok).toBe(true);
    const warning = report.issues.find((i) => i.code === "representations-disagree");
    expect(warning?.message).toContain("only in the adjacency list: Agent.Start → Agent.PoliteEnd");
    expect(warning?.message).toContain("Agent.Start → Agent.Other");
  });
});

describe("reading SOP files", () => {
  it("reads each kind and fails with a SopFormatError naming the file, never a raw fs error", () => {
    const dir = mkdtempSync(join(tmpdir(), "foresight-sop-file-"));
    const file = join(dir, "sop.json");
    writeFileSync(file, JSON.stringify({ "Agent.Start": ["Agent.PoliteEnd"], "Agent.PoliteEnd": [] }));
    expect(readSopFile(file)).toMatchObject({ kind: "adjacency-list", ok: true });
    writeFileSync(file, "graph TD\n  Agent.Start --> Agent.PoliteEnd\n");
    expect(readSopFile(file)).toMatchObject({ kind: "mermaid", ok: true });
    const fails = (path: string, message: RegExp) => {
      expect(() => readSopFile(path)).toThrow(SopFormatError);
      expect(() => readSopFile(path)).toThrow(message);
    };
    fails(join(dir, "absent.json"), /absent\.json: file not found/);
    fails(dir, /foresight-sop-file-\w+: not a regular file/);
    writeFileSync(file, "{oops");
    fails(file, /sop\.json: malformed JSON/);
    writeFileSync(file, JSON.stringify({ sop: { adjacency_list: [] } }));
    fails(file, /sop\.json: field sop\.adjacency_list/);
  });
});
