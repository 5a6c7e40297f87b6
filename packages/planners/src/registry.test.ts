import { describe, expect, it } from "vitest";
import { plannerFactory, plannerNames } from "./registry.js";

describe("planner registry", () => {
  it("names the known planners when asked for an unknown one", () => {
    expect(() => plannerFactory("no-such-planner")).toThrow(/unknown planner "no-such-planner" \(known: /);
  });
  it("lists names sorted and without duplicates", () => {
    const names = plannerNames();
    expect([...names].sort()).toEqual(names);
    expect(new Set(names).size).toBe(names.length);
  });
});
