import type { Dialogue } from "@foresight/dialogue";
import { createMultiWozGoalAvailability } from "./availability.js";
import { multiWozSystemTurnTypes, multiWozTurnContext } from "./candidates.js";
import { COOPERATIVE_AGENDA_PERSONA, LESS_COOPERATIVE_AGENDA_PERSONA, type AgendaPersona } from "./persona.js";
import {
  correctMultiWozPolicy,
  epsilonMultiWozPolicy,
  neverBookMultiWozPolicy,
  priorSamplingMultiWozPolicy,
  uniformMultiWozPolicy,
  type MultiWozSystemPolicy,
} from "./policies.js";
import { simulateMultiWozDialogue } from "./simulate.js";
import { applyMultiWozSystemActs, applyMultiWozUserActs, initialMultiWozState } from "./state.js";
import {
  advanceMultiWozValueHistory,
  initialMultiWozValueHistory,
  multiWozValueActFeatures,
  multiWozValueStateFeatures,
} from "./value-features.js";
import type { MultiWozWorld, MultiWozWorldGoal } from "./world.js";

/** One (h, a, target) row of value training: state and act features, γ^(T−t)·y, and where it came from. */
export interface MultiWozValueRow {
  goalId: string;
  /** `corpus`, or the simulated policy's name. */
  source: string;
  state: Float32Array;
  act: Float32Array;
  target: number;
  /** y: the dialogue's final success. */
  success: boolean;
  /** 1-based index of the system turn. */
  turn: number;
}

/** A named system policy that generates value-training rollouts. */
export interface NamedMultiWozPolicy {
  name: string;
  policy: MultiWozSystemPolicy;
}

/**
 * The rollout policies of value training, good and bad: the reference policy, the reference policy with 20 % and
 * 50 % random turns, the corpus prior sampled, a uniformly random policy and one that never books.
 */
export function multiWozValueRolloutPolicies(world: Pick<MultiWozWorld, "prior">): NamedMultiWozPolicy[] {
  const prior = priorSamplingMultiWozPolicy(world.prior);
  return [
    { name: "correct", policy: correctMultiWozPolicy },
    { name: "correct-eps0.2", policy: epsilonMultiWozPolicy(correctMultiWozPolicy, uniformMultiWozPolicy, 0.2) },
    { name: "correct-eps0.5", policy: epsilonMultiWozPolicy(correctMultiWozPolicy, uniformMultiWozPolicy, 0.5) },
    { name: "prior", policy: prior },
    { name: "uniform", policy: uniformMultiWozPolicy },
    { name: "never-book", policy: neverBookMultiWozPolicy },
  ];
}

/** Options of {@link simulatedMultiWozValueRows}. */
export interface SimulatedValueRowsOptions {
  policies: readonly NamedMultiWozPolicy[];
  personas?: readonly AgendaPersona[];
  /** Rollouts per goal, policy and persona (default 1). */
  repeats?: number;
  seed: number;
  gamma: number;
}

/**
 * Value rows from simulated dialogues: every goal × policy × persona × repeat is played by the offline simulator and
 * each system turn t of a dialogue with T system turns becomes a row with target γ^(T−t)·y, y = the user's goal
 * complete. Also returns each rollout's outcome so callers can compare policies.
 */
export function simulatedMultiWozValueRows(world: MultiWozWorld, goals: readonly MultiWozWorldGoal[], options: SimulatedValueRowsOptions): { rows: MultiWozValueRow[]; dialogues: { goalId: string; policy: string; persona: string; success: boolean; rows: number }[] } {
  const personas = options.personas ?? [COOPERATIVE_AGENDA_PERSONA, LESS_COOPERATIVE_AGENDA_PERSONA];
  const repeats = options.repeats ?? 1;
  const rows: MultiWozValueRow[] = [];
  const dialogues: { goalId: string; policy: string; persona: string; success: boolean; rows: number }[] = [];
  let index = 0;
  for (const goal of goals) {
    for (const { name, policy } of options.policies) {
      for (const persona of personas) {
        for (let r = 0; r < repeats; r++) {
          const seed = options.seed * 1_000_003 + index++;
          const turns: Omit<MultiWozValueRow, "target" | "success">[] = [];
          let history = initialMultiWozValueHistory();
          const run = simulateMultiWozDialogue({
            world,
            goal: goal.goal,
            goalId: goal.id,
            seed,
            persona,
            policy,
            policyName: name,
            onSystemTurn: ({ state, context, bundle, next }) => {
              turns.push({
                goalId: goal.id,
                source: name,
                state: multiWozValueStateFeatures(state, history, context),
                act: multiWozValueActFeatures([bundle.type], state, history, context),
                turn: turns.length + 1,
              });
              history = advanceMultiWozValueHistory(history, bundle.acts, state, next);
            },
          });
          const success = run.outcome.goalComplete;
          for (const row of turns) rows.push({ ...row, target: success ? options.gamma ** (turns.length - row.turn) : 0, success });
          dialogues.push({ goalId: goal.id, policy: name, persona: persona.name, success, rows: turns.length });
        }
      }
    }
  }
  return { rows, dialogues };
}

/**
 * Value rows from corpus dialogues, replayed through the same state tracker and turn context the simulator uses
 * (the database with the goal's availability); `success` labels each dialogue.
 */
export function corpusMultiWozValueRows(world: Pick<MultiWozWorld, "db">, dialogues: readonly Dialogue[], success: (dialogue: Dialogue) => boolean, gamma: number): MultiWozValueRow[] {
  const rows: MultiWozValueRow[] = [];
  for (const dialogue of dialogues) {
    const goal = dialogue.goal as Parameters<typeof createMultiWozGoalAvailability>[1];
    const systemWorld = { db: world.db, availability: createMultiWozGoalAvailability(world.db, goal, 0) };
    const y = success(dialogue);
    const T = dialogue.turns.filter((turn) => turn.speaker !== "user").length;
    let state = initialMultiWozState();
    let history = initialMultiWozValueHistory();
    let t = 0;
    for (const turn of dialogue.turns) {
      const acts = turn.acts ?? [];
      if (turn.speaker === "user") {
        state = applyMultiWozUserActs(state, acts, world.db);
        continue;
      }
      t += 1;
      const context = multiWozTurnContext(state, systemWorld);
      rows.push({
        goalId: dialogue.id,
        source: "corpus",
        state: multiWozValueStateFeatures(state, history, context),
        act: multiWozValueActFeatures(multiWozSystemTurnTypes(acts), state, history, context),
        target: y ? gamma ** (T - t) : 0,
        success: y,
        turn: t,
      });
      const next = applyMultiWozSystemActs(state, acts, world.db);
      history = advanceMultiWozValueHistory(history, acts, state, next);
      state = next;
    }
  }
  return rows;
}
