import type { Conversation, Decision, PlanOptions, Planner, PlannerFactory } from "@foresight/planners";
import { PlannerInputError } from "@foresight/planners";
import type { PlannerSource } from "../planner-pool.js";

/** Calls the fixture planners saw, for assertions. */
export const seen = { observed: [] as number[], plans: 0, creates: 0, lastTurns: new Set<string>() };

/** The gates plans wait at (`settings.gate`), by name, each opened once by a test. */
const gates = new Map<string, { opened: Promise<void>; open: () => void }>();

function gate(name: string) {
  let found = gates.get(name);
  if (found === undefined) {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    found = { opened, open };
    gates.set(name, found);
  }
  return found;
}

/**
 * Opens gate `name`: plans waiting at it go on, later ones pass at once. A test holds plans at a gate instead of
 * letting them sleep, so what it asserts (a slot taken, a queue full, a warm-up running) holds however slow the
 * machine is.
 */
export function openGate(name: string): void {
  gate(name).open();
}

/**
 * A deterministic planner for server tests: scores each candidate by length plus a seeded jitter, "simulates" by
 * waiting at gate `settings.gate` (until a test opens it) and then sleeping `settings.sleepMs`, honours its time
 * budget and signal (the gate: only the signal), and returns a two-level trace. Its "tree" is the
 * turns it has observed: `stats.counters` reports the instance (numbered by creation) and how many turns it has
 * carried over, so tests can tell a reused tree from a fresh one. `stateless` planners have no `observe`.
 */
function lengthPlanner(name: string, options: { ignoreBudget?: boolean; stateless?: boolean } = {}): PlannerFactory {
  return {
    name,
    summary: `test planner ${name}`,
    domain: "chat",
    async create(createOptions) {
      const instance = ++seen.creates;
      let carriedTurns = 0;
      const base = createOptions?.settings ?? {};
      const planner: Planner = {
        name,
        async plan(conversation: Conversation, plan: PlanOptions = {}): Promise<Decision> {
          seen.plans++;
          seen.lastTurns.add(conversation.turns.at(-1)?.text ?? "");
          const settings = { ...base, ...plan.settings };
          for (const key of Object.keys(settings)) if (key !== "sleepMs" && key !== "gate") throw new PlannerInputError(`${name}: unknown setting "${key}"`, `settings.${key}`);
          const sleepMs = Number(settings.sleepMs ?? 0);
          const started = performance.now();
          const deadline = options.ignoreBudget ? Infinity : (plan.budget?.timeMs ?? Infinity);
          const candidates = plan.candidates ?? ["yes", "tell me more about that", "ok"];
          const signal = options.ignoreBudget ? undefined : plan.budget?.signal;
          if (settings.gate !== undefined && !signal?.aborted) {
            await new Promise<void>((resolve) => {
              void gate(String(settings.gate)).opened.then(resolve);
              signal?.addEventListener("abort", () => resolve(), { once: true });
            });
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, Math.min(sleepMs, deadline));
            if (!options.ignoreBudget) plan.budget?.signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
          });
          const scored = candidates.map((text, i) => ({ text, value: text.length + ((((plan.seed ?? 0) * 7 + i) % 3) / 10), visits: 10 + i, prior: 1 / candidates.length }));
          scored.sort((a, b) => b.value - a.value);
          const stop = plan.budget?.signal?.aborted ? "aborted" : "iterations";
          return {
            planner: name,
            reply: scored[0]!.text,
            candidates: scored,
            stats: { simulations: 12, modelCalls: 3, llmCalls: 0, tokens: 0, wallMs: performance.now() - started, stopReason: stop, counters: { instance, carriedTurns, budgetMs: plan.budget?.timeMs ?? -1 } },
            traceId: `${name}-${conversation.turns.length}-${plan.seed ?? 0}-${Math.random().toString(36).slice(2, 8)}`,
            ...(plan.trace
              ? { trace: { version: 1, loop: "closed", players: 1, discount: 1, nodeCount: 1 + scored.length, nodes: [{ id: 0, parent: null, action: null, depth: 0, visits: 12, value: 1, rawValue: 0, reward: 0, terminal: false, edges: [] }, ...scored.map((c, i) => ({ id: i + 1, parent: 0, action: c.text, depth: 1, visits: c.visits, value: c.value, rawValue: 0, reward: 0, terminal: false, edges: [] }))] } }
              : {}),
          };
        },
      };
      if (!options.stateless) {
        planner.observe = (turns) => {
          seen.observed.push(turns.length);
          carriedTurns += turns.length;
        };
      }
      return planner;
    },
    heldOutConversation: async ({ seed }) => ({ turns: [{ speaker: "user", text: `a held-out hello ${seed % 5}` }] }),
  };
}

/** The fixture planners: "length" (well behaved), "stubborn" (ignores its budget and signal), "stateless" (no `observe`). */
export const testPlanners: PlannerSource = (() => {
  const factories = [lengthPlanner("length"), lengthPlanner("stubborn", { ignoreBudget: true }), lengthPlanner("stateless", { stateless: true })];
  return {
    names: () => factories.map((f) => f.name),
    factory: (name) => factories.find((f) => f.name === name)! as PlannerFactory<Record<string, unknown>>,
  };
})();
