import { describe, expect, it } from "vitest";
import { PlannerInputError, resolveSettings } from "./types.js";

describe("resolveSettings", () => {
  const defaults = { depth: 4, variant: "ensemble", replay: false };
  it("fills defaults and takes valid overrides", () => {
    expect(resolveSettings(defaults, { depth: 6 }, "scope")).toEqual({ depth: 6, variant: "ensemble", replay: false });
  });
  it("rejects unknown keys, wrong types and non-finite numbers, naming the field", () => {
    expect(() => resolveSettings(defaults, { dept: 6 } as never, "scope")).toThrow(PlannerInputError);
    expect(() => resolveSettings(defaults, { dept: 6 } as never, "scope")).toThrow(/unknown setting "dept"/);
    expect(() => resolveSettings(defaults, { depth: "6" } as never, "scope")).toThrow(/must be a number/);
    expect(() => resolveSettings(defaults, { depth: Infinity }, "scope")).toThrow(/finite/);
    try {
      resolveSettings(defaults, { variant: 3 } as never, "scope");
    } catch (error) {
      expect((error as PlannerInputError).field).toBe("settings.variant");
    }
  });
});
