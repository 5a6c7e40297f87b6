import { describe, expect, it } from "vitest";
import { RecentMap } from "./recent-map.js";

describe("RecentMap", () => {
  it("keeps the latest `limit` entries, dropping the oldest inserted first", () => {
    const map = new RecentMap<string, number>(3);
    for (const [i, key] of ["a", "b", "c", "d"].entries()) map.set(key, i);
    expect([...map.keys()]).toEqual(["b", "c", "d"]);
    expect(map.get("a")).toBeUndefined();
    map.set("e", 4).set("f", 5);
    expect([...map.entries()]).toEqual([
      ["d", 3],
      ["e", 4],
      ["f", 5],
    ]);
  });

  it("updates a kept key in place: it keeps its age, and nothing is dropped", () => {
    const map = new RecentMap<string, number>(2);
    map.set("a", 1).set("b", 2).set("a", 10);
    expect([...map.entries()]).toEqual([
      ["a", 10],
      ["b", 2],
    ]);
    map.set("c", 3);
    expect([...map.keys()]).toEqual(["b", "c"]);
  });

  it("get leaves the order alone; touch makes a kept key the latest, so it outlives older ones", () => {
    const map = new RecentMap<string, number>(2);
    map.set("a", 1).set("b", 2);
    expect(map.get("a")).toBe(1);
    expect(map.touch("a")).toBe(1);
    expect([...map.keys()]).toEqual(["b", "a"]);
    map.set("c", 3);
    expect([...map.keys()]).toEqual(["a", "c"]);
    expect(map.touch("b")).toBeUndefined();
    expect([...map.keys()]).toEqual(["a", "c"]);
  });

  it("rejects a limit that is not a positive integer", () => {
    expect(() => new RecentMap(0)).toThrow("RecentMap limit must be a positive integer, got 0");
    expect(() => new RecentMap(1.5)).toThrow("RecentMap limit must be a positive integer, got 1.5");
  });
});
