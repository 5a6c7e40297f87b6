import { loadSopdailDialogues, loadSopdailTasks, resolveDataDir, type Dialogue, type SopdailSop, type SopdailTask } from "@foresight/dialogue";
import { beforeAll, describe, expect, it } from "vitest";
import {
  SOPDAIL_NAMING,
  agentActionsOf,
  allowedNextActions,
  allowedNextActionsFrom,
  countIssues,
  dialogueCompliance,
  expansionActions,
  loadSop,
  localSubgraph,
  parseAdjacencyList,
  parseMermaid,
  pathMetrics,
  sopEditDistance,
  sopFromSopdailTask,
  sopNodesOf,
  summarizeCompliance,
  toAdjacencyList,
  toMermaid,
  type SopGraph,
  type SopIssue,
} from "./index.js";

let tasks: SopdailTask[] = [];
let dialogues: Dialogue[] = [];
const graphs = new Map<string, SopGraph>();
const issuesByTask = new Map<string, SopIssue[]>();

beforeAll(() => {
  // Throws a CorpusError naming the folder when the shared SOPDAIL corpus is absent: the suite fails loudly.
  const dataDir = resolveDataDir();
  tasks = loadSopdailTasks({ dataDir });
  dialogues = loadSopdailDialogues({ dataDir, tasks });
  for (const task of tasks) {
    const report = sopFromSopdailTask(task);
    graphs.set(task.id, report.graph);
    issuesByTask.set(task.id, report.issues);
  }
});

function graphOf(id: string): SopGraph {
  const graph = graphs.get(id);
  if (!graph) throw new Error(`no SOP for ${id}`);
  return graph;
}

describe("the 40 SOPDAIL task SOPs", () => {
  it("all parse and validate in tolerant mode, reporting what was repaired", () => {
    expect(tasks).toHaveLength(40);
    for (const task of tasks) {
      const errors = (issuesByTask.get(task.id) ?? []).filter((i) => i.severity === "error");
      expect({ task: task.id, errors }).toEqual({ task: task.id, errors: [] });
    }
    const all = [...issuesByTask.values()].flat();
    expect(countIssues(all)).toEqual({
      "repaired:successor-only": 10,
      "repaired:duplicate-vertex": 5,
      "repaired:mermaid-line-separator": 4,
      "repaired:mermaid-label-not-user-state": 4,
      "repaired:multiple-sources": 1,
      "warning:representations-disagree": 2,
      "warning:unknown-success-mark": 1,
    });
    const twoSources = issuesByTask.get("white_goods-repair_appointment")?.find((i) => i.code === "multiple-sources");
    expect(twoSources?.nodes).toEqual(["代理.询问是否重新安排维修"]);
    expect(graphOf("white_goods-repair_appointment").hasEdge("代理.开始", "代理.询问是否重新安排维修")).toBe(true);
    const disagree = issuesByTask.get("airport-check_in")?.find((i) => i.code === "representations-disagree");
    expect(disagree?.message).toContain("only in the mermaid text: 用户.身份信息错误 → 代理.礼貌结束");
  });

  it("fail strict mode exactly where a quirk was repaired", () => {
    for (const task of tasks) {
      const repaired = (issuesByTask.get(task.id) ?? []).some((i) => i.severity === "repaired");
      expect({ task: task.id, ok: sopFromSopdailTask(task, { tolerant: false }).ok }).toEqual({ task: task.id, ok: !repaired });
    }
    expect(tasks.filter((t) => !sopFromSopdailTask(t, { tolerant: false }).ok)).toHaveLength(16);
  });

  it("round-trip through mermaid and JSON", () => {
    for (const task of tasks) {
      const graph = graphOf(task.id);
      const viaMermaid = parseMermaid(toMermaid(graph), { naming: SOPDAIL_NAMING });
      expect({ task: task.id, issues: viaMermaid.issues, same: viaMermaid.graph.sameStructure(graph) }).toEqual({
        task: task.id,
        issues: [],
        same: true,
      });
      const viaJson = parseAdjacencyList(JSON.parse(JSON.stringify(toAdjacencyList(graph))));
      expect(viaJson.issues).toEqual([]);
      expect(viaJson.graph.sameStructure(graph)).toBe(true);
      expect(pathMetrics(viaJson.graph, graph).f1).toBe(1);
    }
  });

  it("answers planner queries on a real SOP", () => {
    const graph = graphOf("airport-check_in");
    expect(graph.gloss("代理.核对身份")).toBe("Agent.verify identity");
    expect(allowedNextActions(graph, ["代理.打招呼", "用户.打招呼", "代理.询问客户需求", "用户.要求值机"])).toEqual(["代理.核对身份"]);
    expect(localSubgraph(graph, "代理.核对身份").actions).toEqual(["代理.核对订单号", "代理.告知值机成功"]);
  });

  it("puts every action an SOP allows next into SGM's expansion set, on every task's SOP (loops back included)", () => {
    let loops = 0;
    for (const task of tasks) {
      const graph = graphOf(task.id);
      for (const node of graph.nodes()) {
        const allowed = allowedNextActionsFrom(graph, node);
        expect(expansionActions(graph, node, []), `${task.id} at ${node}`).toEqual(expect.arrayContaining(allowed));
        if (allowed.includes(node)) loops++;
      }
    }
    // 20 SOP steps of the 40 tasks are repeated through a user state (ask again after an unclear answer)
    expect(loops).toBe(20);
  });

  it("measures the GED of a dialogue's edited SOP against its task's", () => {
    const edited = dialogues.find((d) => d.metadata?.task === "cinema-movie_ticket_purchase" && d.metadata?.sop !== undefined);
    const sop = edited?.metadata?.sop as SopdailSop;
    const own = loadSop({ adjacencyList: sop.adjacencyList, vertex: sop.vertex }, { naming: SOPDAIL_NAMING, tolerant: true }).graph;
    const result = sopEditDistance(own, graphOf("cinema-movie_ticket_purchase"));
    // two user states renamed (确认座位号 → 确定座位号, 不确认座位号 → 不确定座位号): two node substitutions
    expect(result).toMatchObject({ distance: 2, exact: true });
    expect(result.ratio).toBeCloseTo(2 / (18 + 22), 10);
  });
});

describe("compliance of the 2,370 annotated SOPDAIL dialogues", () => {
  it("checks every dialogue against its own SOP and reports the rates", () => {
    const results = dialogues.map((dialogue) => {
      const own = dialogue.metadata?.sop as SopdailSop | undefined;
      const graph = own
        ? loadSop({ adjacencyList: own.adjacencyList, vertex: own.vertex }, { naming: SOPDAIL_NAMING, tolerant: true }).graph
        : graphOf(dialogue.metadata?.task as string);
      return dialogueCompliance(graph, dialogue);
    });
    const summary = summarizeCompliance(results);
    expect(summary.dialogues).toBe(2370);
    // the figures reported in the README
    expect(summary.compliant).toBe(2124);
    expect(summary.strictlyCompliant).toBe(1456);
    expect(summary.transitions).toBe(23397);
    expect(summary.byKind).toEqual({
      edge: 22240,
      repeat: 239,
      "implicit-user-state": 19,
      "implicit-agent-action": 184,
      "revised-user-state": 367,
      violation: 348,
    });
    expect(results.filter((r) => r.reachedSink)).toHaveLength(2325);
  });

  it("reads the gold agent actions of a known dialogue", () => {
    const dialogue = dialogues.find((d) => d.id === "airport-check_in-dialogue_0527225ddd92");
    if (!dialogue) throw new Error("known dialogue missing");
    const graph = graphOf("airport-check_in");
    expect(agentActionsOf(dialogue, graph).slice(0, 3)).toEqual(["代理.打招呼", "代理.询问客户需求", "代理.核对身份"]);
    expect(sopNodesOf(dialogue)).toHaveLength(dialogue.turns.length);
    const result = dialogueCompliance(graph, dialogue);
    // the adjacency list sends 身份信息错误 to 告知值机成功, but the dialogue (like the mermaid text) ends politely
    expect(result.violations.map((v) => [v.from, v.to])).toEqual([["用户.身份信息错误", "代理.礼貌结束"]]);
  });
});
