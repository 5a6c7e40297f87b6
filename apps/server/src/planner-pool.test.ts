import type { Planner, PlannerFactory } from "@foresight/planners";
import { describe, expect, it } from "vitest";
import { PlannerPool, type PlannerSource } from "./planner-pool.js";

/**
 * A source of one planner whose loads wait at a gate the test opens, and which counts them: the pool's calls are
 * made while a load is held, so what they do with an in-flight load shows whatever the machine's speed.
 */
function gatedSource(options: { keepsTree: boolean; failFirst?: boolean }) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const loads: Array<Planner<Record<string, unknown>>> = [];
  const factory = {
    name: "gated",
    summary: "a planner whose loads wait at a gate",
    domain: "chat",
    async create() {
      const load = loads.length;
      const planner: Planner<Record<string, unknown>> = {
        name: "gated",
        plan: () => Promise.reject(new Error("not planned in these tests")),
        ...(options.keepsTree ? { observe: () => {} } : {}),
      };
      loads.push(planner);
      await gate;
      if (options.failFirst && load === 0) throw new Error("the first load fails");
      return planner;
    },
    heldOutConversation: () => Promise.resolve({ turns: [] }),
  } as unknown as PlannerFactory<Record<string, unknown>>;
  const source: PlannerSource = { names: () => ["gated"], factory: () => factory };
  return { source, loads, open };
}

describe("PlannerPool", () => {
  it("a session started while the shared instance loads waits for that load instead of loading a second instance", async () => {
    const { source, loads, open } = gatedSource({ keepsTree: false });
    const pool = new PlannerPool(source, {});
    const shared = pool.sharedInstance("gated");
    const session = pool.sessionInstance("gated");
    open();
    expect(await session).toBeUndefined(); // stateless: the session plans with the shared instance
    expect(await shared).toBe(loads[0]);
    expect(loads).toHaveLength(1);
    expect(await pool.sharedInstance("gated")).toBe(loads[0]);
    expect(await pool.sessionInstance("gated")).toBeUndefined();
    expect(loads).toHaveLength(1);
  });

  it("a planner that keeps a tree still gets the session its own instance, once the shared load has told so", async () => {
    const { source, loads, open } = gatedSource({ keepsTree: true });
    const pool = new PlannerPool(source, {});
    const shared = pool.sharedInstance("gated");
    const session = pool.sessionInstance("gated");
    open();
    const own = await session;
    expect(own).toBe(loads[1]);
    expect(await shared).toBe(loads[0]);
    expect(loads).toHaveLength(2);
  });

  it("a failed shared load leaves the session to load its own", async () => {
    const { source, loads, open } = gatedSource({ keepsTree: false, failFirst: true });
    const pool = new PlannerPool(source, {});
    const shared = pool.sharedInstance("gated");
    const session = pool.sessionInstance("gated");
    open();
    await expect(shared).rejects.toThrow("the first load fails");
    expect(await session).toBeUndefined();
    expect(loads).toHaveLength(2);
    // The session's load became the shared instance.
    expect(await pool.sharedInstance("gated")).toBe(loads[1]);
    expect(loads).toHaveLength(2);
  });
});
