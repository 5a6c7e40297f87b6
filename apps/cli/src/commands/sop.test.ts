import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveDataDir } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import { runCli } from "../cli.js";

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const goldTask = join(resolveDataDir(), "sopdail", "task", "white_goods-repair_appointment.json");

function tempFile(name: string, content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "foresight-sop-cli-")), name);
  writeFileSync(file, content);
  return file;
}

describe("foresight sop check", () => {
  it("validates a SOPDAIL task file, reporting the repaired second source", async () => {
    const result = await run(["sop", "check", goldTask, "--json"]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out);
    expect(report).toMatchObject({ kind: "sopdail-task", nodes: 21, edges: 28, ok: true });
    expect(report.issues.map((i: { code: string }) => i.code)).toContain("multiple-sources");
    const strict = await run(["sop", "check", goldTask, "--strict"]);
    expect(strict.code).toBe(1);
    expect(strict.out).toMatch(/INVALID SOP .*error +multiple-sources/s);
  });

  it("reports a task whose success mark is not a node of its SOP as an error naming the task", async () => {
    const task = join(resolveDataDir(), "sopdail", "task", "shopping-sams_club_member_day_invitation.json");
    const result = await run(["sop", "check", task]);
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/error +unknown-success-mark: task shopping-sams_club_member_day_invitation: .*用户\.日期可行/);
  });

  it("checks a plain adjacency list and names the problems", async () => {
    const file = tempFile("pred.json", JSON.stringify({ "Agent.Start": ["User.Yes"], "User.Yes": ["User.No"], "User.No": [] }));
    const result = await run(["sop", "check", file]);
    expect(result.code).toBe(1);
    expect(result.out).toContain('user state "User.Yes" is followed by user state "User.No"');
    expect(result.out).toContain('the sink "Agent.PoliteEnd" is missing');
  });

  it("names the file and field of a malformed SOP and rejects bad usage", async () => {
    const file = tempFile("bad.json", JSON.stringify({ sop: { adjacency_list: { "代理.开始": "代理.礼貌结束" } } }));
    const bad = await run(["sop", "check", file]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(`${file}: field sop.adjacency_list.代理.开始`);
    expect((await run(["sop", "check"])).code).toBe(2);
    const folder = mkdtempSync(join(tmpdir(), "foresight-sop-cli-"));
    const directory = await run(["sop", "check", folder]);
    expect(directory.code).toBe(1);
    expect(directory.err).toBe(`foresight sop check: ${folder}: not a regular file`);
  });
});

describe("foresight sop metrics", () => {
  it("scores a task against itself and a perturbed prediction", async () => {
    const same = await run(["sop", "metrics", "--pred", goldTask, "--gold", goldTask, "--json"]);
    expect(same.code).toBe(0);
    const exact = JSON.parse(same.out);
    expect(exact.ged).toMatchObject({ distance: 0, exact: true, gedr: 0, goldSize: 49 });
    expect(exact.paths).toMatchObject({ precision: 1, recall: 1, f1: 1, truncated: false });

    const pred = tempFile(
      "pred.mmd",
      [
        "graph TD",
        "  代理.开始 --> 代理.询问用户是否进行报修",
        "  代理.询问用户是否进行报修 -->|用户.需要报修| 代理.询问报修信息",
        "  代理.询问用户是否进行报修 -->|用户.不需要报修| 代理.礼貌结束",
        "  代理.询问报修信息 -->|用户.提供报修信息| 代理.礼貌结束",
      ].join("\n"),
    );
    const scored = await run(["sop", "metrics", "--pred", pred, "--gold", goldTask]);
    expect(scored.code).toBe(0);
    expect(scored.out).toMatch(/^GED {3}\d+ \((exact|approximate, lower bound \d+)\)$/m);
    expect(scored.out).toMatch(/^GEDR {2}0\.\d{4} \(gold \|V\|\+\|E\| = 49\)$/m);
    // one of the prediction's two paths (ask → no repair needed → end) is one of the gold SOP's seven
    expect(scored.out).toContain("paths P=0.5000 R=0.1429 F1=0.2222 (1 shared of 2 predicted, 7 gold)");
    expect((await run(["sop", "metrics", "--pred", pred])).err).toContain("--gold FILE is required");
    const negative = await run(["sop", "metrics", "--pred", pred, "--gold", goldTask, "--max-exact-nodes=-1"]);
    expect(negative.code).toBe(2);
    expect(negative.err).toContain("--max-exact-nodes must be at least 0");
  });
});
