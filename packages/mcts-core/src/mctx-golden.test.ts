import { describe, expect, it } from "vitest";
import { Mcts } from "./engine.js";
import type { TraceNode } from "./result.js";
import { loadGolden, replayModel, type GoldenFile, type GoldenNode } from "./test-fixtures/mctx.js";
import type { SearchOptions } from "./types.js";

const TOLERANCE = 1e-3;

function optionsFor(golden: GoldenFile): SearchOptions<GoldenNode, number> {
  const config = golden.algorithm_config;
  const kwargs = config.qtransform_kwargs ?? {};
  const common = { discount: golden.env_config.discount, expandLeaves: true };
  if (golden.algorithm === "muzero") {
    expect(config.qtransform).toBe("qtransform_by_parent_and_siblings");
    expect(config.dirichlet_fraction).toBe(0);
    return {
      ...common,
      selection: { kind: "muzero", pbCInit: config.pb_c_init as number, pbCBase: config.pb_c_base as number },
      valueTransform: { kind: "parentAndSiblings" },
    };
  }
  expect(config.qtransform).toBe("qtransform_completed_by_mix_value");
  return {
    ...common,
    selection: { kind: "gumbel", maxConsideredActions: config.max_num_considered_actions as number, gumbelScale: config.gumbel_scale as number },
    valueTransform: {
      kind: "completedByMixValue",
      valueScale: kwargs.value_scale as number,
      maxVisitInit: kwargs.maxvisit_init as number,
      rescaleValues: kwargs.rescale_values as boolean,
    },
  };
}

/** Compares a golden node with a traced node recursively; returns how many expanded nodes matched. */
function compare(golden: GoldenNode, nodes: TraceNode[], id: number, path: string): number {
  const node = nodes[id]!;
  const where = `${path} (evaluation ${golden.evaluation_index})`;
  expect(node.visits, `${where} visits`).toBe(golden.visit);
  expect(Math.abs(node.value - golden.value_view!), `${where} value_view ${node.value} vs ${golden.value_view}`).toBeLessThan(TOLERANCE);
  expect(Math.abs(node.rawValue - golden.raw_value_view!), `${where} raw_value_view`).toBeLessThan(TOLERANCE);
  // Every node but the root has an incoming reward in the file; a missing one must not skip the comparison.
  if (id !== 0) expect(golden.reward, `${where} reward in the golden file`).toBeTypeOf("number");
  expect(Math.abs(node.reward - (golden.reward ?? 0)), `${where} reward`).toBeLessThan(TOLERANCE);
  expect(node.edges.length, `${where} edges`).toBe(golden.child_stats.length);
  let matched = 1;
  golden.child_stats.forEach((child, a) => {
    const edge = node.edges[a]!;
    expect(edge.action).toBe(a);
    expect(Math.abs(edge.prior - child.prior), `${where} prior of action ${a}`).toBeLessThan(TOLERANCE);
    if (child.visit === undefined) {
      expect(edge.children, `${where}: action ${a} expanded here but not in mctx`).toEqual([]);
      expect(edge.visits).toBe(0);
    } else {
      expect(edge.children.length, `${where}: action ${a} expanded in mctx but not here`).toBe(1);
      expect(edge.visits).toBe(child.visit);
      matched += compare(child, nodes, edge.children[0]!, `${path}/${a}`);
    }
  });
  return matched;
}

function countExpanded(node: GoldenNode): number {
  return node.visit === undefined ? 0 : 1 + node.child_stats.reduce((s, c) => s + countExpanded(c), 0);
}

describe("mctx golden trees", () => {
  for (const file of ["muzero_qtransform_tree.json", "gumbel_muzero_reward_tree.json"]) {
    it(`reproduces ${file} node for node`, () => {
      const golden = loadGolden(file);
      const engine = new Mcts(replayModel(golden), golden.tree, optionsFor(golden));
      const result = engine.search({ iterations: golden.tree.visit! - 1 });
      expect(result.iterations).toBe(50);
      const trace = engine.trace();
      const matched = compare(golden.tree, trace.nodes, 0, "root");
      expect(matched).toBe(countExpanded(golden.tree));
      expect(matched).toBe(51);
      expect(trace.nodes.length).toBe(51);
    });
  }

  it("diverges from the golden trees when a setting is wrong (the comparison is sharp)", () => {
    const muzero = loadGolden("muzero_qtransform_tree.json");
    const wrongPb = { ...optionsFor(muzero), selection: { kind: "muzero", pbCInit: 1.0 } } as const;
    expect(() => new Mcts(replayModel(muzero), muzero.tree, wrongPb).search({ iterations: 50 })).toThrow(/never expanded/);
    const gumbel = loadGolden("gumbel_muzero_reward_tree.json");
    const wrongM = { ...optionsFor(gumbel), selection: { kind: "gumbel", maxConsideredActions: 4, gumbelScale: 0 } } as const;
    expect(() => new Mcts(replayModel(gumbel), gumbel.tree, wrongM).search({ iterations: 50 })).toThrow(/never expanded/);
  });
});
