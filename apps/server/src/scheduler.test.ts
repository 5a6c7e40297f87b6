import { setImmediate as nextMacrotask } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { DeadlineScheduler } from "./scheduler.js";

/** Lets queued macrotasks (the scheduler's hand-outs) run. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await nextMacrotask();
};

describe("DeadlineScheduler", () => {
  it("gives one turn at a time, and the next to the earliest deadline among the waiting plans", async () => {
    const scheduler = new DeadlineScheduler();
    const order: string[] = [];
    const ask = async (name: string, deadline: number) => {
      const end = await scheduler.forPlan(deadline).turn();
      order.push(name);
      return end;
    };
    const endFirst = await ask("first", 500);
    const waiting = [ask("late", 300), ask("early", 100), ask("middle", 200), ask("tie-later", 200)];
    await settle();
    expect(order).toEqual(["first"]);
    expect(scheduler.queued).toBe(4);
    endFirst();
    endFirst(); // ending twice ends nothing else
    const ends = [];
    for (const expected of ["early", "middle", "tie-later", "late"]) {
      await settle();
      expect(order.at(-1)).toBe(expected);
      ends.push(await waiting[["late", "early", "middle", "tie-later"].indexOf(expected)]!);
      ends.at(-1)!();
    }
    expect(scheduler.queued).toBe(0);
  });

  it("a plan that ends frees its turn, and one that ends while waiting is let go without blocking the others", async () => {
    const scheduler = new DeadlineScheduler();
    const holder = scheduler.forPlan(10);
    await holder.turn();
    const abandoned = scheduler.forPlan(20);
    const abandonedTurn = abandoned.turn();
    const other = scheduler.forPlan(30);
    let otherStarted = false;
    const otherTurn = other.turn().then((end) => ((otherStarted = true), end));
    abandoned.close();
    await abandonedTurn; // resolved at once, holding nothing
    await settle();
    expect(otherStarted).toBe(false);
    holder.close();
    (await otherTurn)();
    expect(otherStarted).toBe(true);
    // A closed plan's later turns hold nothing.
    const late = await abandoned.turn();
    late();
    const next = scheduler.forPlan(40);
    (await next.turn())();
  });

  it("a plan asking again without ending its turn gives it up first", async () => {
    const scheduler = new DeadlineScheduler();
    const plan = scheduler.forPlan(50);
    await plan.turn();
    const second = plan.turn();
    const other = scheduler.forPlan(10).turn();
    // The other plan's deadline is earlier: it goes first now that the plan's turn was given up.
    const order: string[] = [];
    await Promise.all([second.then(() => order.push("plan")), other.then((end) => (order.push("other"), end()))]);
    expect(order).toEqual(["other", "plan"]);
  });
});
