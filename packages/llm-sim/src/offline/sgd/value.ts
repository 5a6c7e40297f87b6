import { createRng, type Rng } from "@foresight/dialogue";
import { areaUnderRoc, fitLogisticRegression, predictLogistic, type LogisticModel } from "../stats/logistic.js";
import { COOPERATIVE_AGENDA_PERSONA, LESS_COOPERATIVE_AGENDA_PERSONA, type AgendaPersona } from "../multiwoz/persona.js";
import {
  applySgdSystemTurn,
  applySgdUserTurn,
  groundedSgdBundles,
  initialSgdState,
  sgdTask,
  SgdUser,
  SGD_MAX_TURNS,
  SGD_SYSTEM_ACT_TYPES,
  type SgdBundle,
  type SgdGoal,
  type SgdState,
  type SgdSystemActType,
  type SgdTask,
  type SgdWorld,
} from "./world.js";

/** Names of the SGD value model's state features (see {@link sgdStateFeatures}). */
export const SGD_STATE_FEATURES = [
  "turn/20",
  "phase=book",
  "requiredKnown",
  "optionalKnown",
  "offered",
  "userRequests>0",
  "confirmPending",
  "confirmed",
  "booked",
  "hasTransact",
  "rejected/3",
  "lastUser=REQUEST_ALTS",
  "lastUser=NEGATE",
  "lastUser=INFORM_INTENT",
  "repeat",
] as const;

/** The state features of a history for V(h, a): progress of the search and booking, the last user turn. */
export function sgdStateFeatures(task: SgdTask, state: SgdState): number[] {
  const required = task.search.requiredSlots;
  const optional = Object.keys(task.search.optionalSlots);
  const share = (slots: readonly string[]) => (slots.length === 0 ? 1 : slots.filter((slot) => slot in state.known).length / slots.length);
  const last = new Set(state.lastUser);
  return [
    state.turn / SGD_MAX_TURNS,
    state.phase === "book" ? 1 : 0,
    share(required),
    share(optional),
    state.offered !== undefined ? 1 : 0,
    state.userRequests.length > 0 ? 1 : 0,
    state.confirmPending ? 1 : 0,
    state.confirmed ? 1 : 0,
    state.booked ? 1 : 0,
    task.transact ? 1 : 0,
    Math.min(3, state.rejected.length) / 3,
    last.has("REQUEST_ALTS") ? 1 : 0,
    last.has("NEGATE") ? 1 : 0,
    last.has("INFORM_INTENT") ? 1 : 0,
    0,
  ];
}

/** The input of act `act`'s logistic model: intercept, the state features, and whether the system repeats itself. */
export function sgdValueInput(task: SgdTask, state: SgdState, act: SgdSystemActType): number[] {
  const s = sgdStateFeatures(task, state);
  s[s.length - 1] = state.lastSystem === act ? 1 : 0;
  return [1, ...s];
}

/** A system policy of the SGD world: picks one of the grounded bundles. */
export type SgdPolicy = (task: SgdTask, state: SgdState, bundles: readonly SgdBundle[], rng: Rng) => SgdBundle;

const REFERENCE_ORDER: readonly SgdSystemActType[] = ["INFORM", "NOTIFY_SUCCESS", "CONFIRM", "REQUEST", "OFFER", "OFFER_INTENT", "REQ_MORE", "GOODBYE"];

/**
 * The reference policy: answer the user's questions, book once confirmed, confirm once the booking slots are known,
 * ask for what is missing, offer, offer to book when the user's goal may include it, else ask for more.
 */
export const referenceSgdPolicy: SgdPolicy = (_task, state, bundles) => {
  for (const type of REFERENCE_ORDER) {
    const bundle = bundles.find((b) => b.type === type);
    if (!bundle) continue;
    if (type === "REQUEST" && state.phase === "search" && bundles.some((b) => b.type === "OFFER")) continue;
    if (type === "OFFER_INTENT" && (state.userRequests.length > 0 || state.lastSystem === "OFFER_INTENT")) continue;
    return bundle;
  }
  return bundles[bundles.length - 1]!;
};

function epsilon(policy: SgdPolicy, eps: number): SgdPolicy {
  return (task, state, bundles, rng) => (rng.next() < eps ? bundles[rng.int(bundles.length)]! : policy(task, state, bundles, rng));
}

/** The policies whose rollouts train V: the reference, ε-noisy versions of it, and uniform. */
export const SGD_VALUE_POLICIES: readonly { name: string; policy: SgdPolicy }[] = [
  { name: "reference", policy: referenceSgdPolicy },
  { name: "reference-eps0.3", policy: epsilon(referenceSgdPolicy, 0.3) },
  { name: "reference-eps0.6", policy: epsilon(referenceSgdPolicy, 0.6) },
  { name: "uniform", policy: epsilon(referenceSgdPolicy, 1) },
];

/** One simulated SGD dialogue: its system turns (state and act) and whether the user's goal was completed. */
export interface SgdRollout {
  turns: { state: SgdState; type: SgdSystemActType }[];
  success: boolean;
}

/** Plays a goal with a system policy against the agenda user (the world's own simulator). */
export function simulateSgdDialogue(world: SgdWorld, goal: SgdGoal, persona: AgendaPersona, policy: SgdPolicy, seed: number): SgdRollout {
  const rng = createRng(seed);
  const task = sgdTask(world, goal);
  const user = SgdUser.create(goal, task, persona);
  let state = applySgdUserTurn(initialSgdState(), user.open(rng), task);
  const turns: SgdRollout["turns"] = [];
  while (!user.ended && state.turn < SGD_MAX_TURNS) {
    const bundle = policy(task, state, groundedSgdBundles(task, state), rng);
    turns.push({ state, type: bundle.type });
    state = applySgdSystemTurn(state, bundle);
    const reply = user.respond(bundle.acts, rng);
    state = applySgdUserTurn(state, reply, task);
    if (bundle.type === "GOODBYE") break;
  }
  return { turns, success: user.isComplete() };
}

/**
 * The SGD value model V(h, a): one logistic regression per act type on {@link sgdValueInput} (the state features
 * crossed with the act, fitted block by block), with its held-out quality.
 */
export interface SgdValueModel {
  models: Partial<Record<SgdSystemActType, LogisticModel>>;
  gamma: number;
  /** Held-out (test-service goals) AUC of V(h_t, a_t) against success, and Brier against γ^(T−t)·y. */
  heldOut: { auc: number; brier: number; constantBrier: number; rows: number };
}

function valueRows(world: SgdWorld, goals: readonly SgdGoal[], gamma: number, seed: number) {
  const rows: { type: SgdSystemActType; input: number[]; target: number; label: number }[] = [];
  let index = 0;
  for (const goal of goals) {
    const task = sgdTask(world, goal);
    for (const { policy } of SGD_VALUE_POLICIES) {
      for (const persona of [COOPERATIVE_AGENDA_PERSONA, LESS_COOPERATIVE_AGENDA_PERSONA]) {
        const rollout = simulateSgdDialogue(world, goal, persona, policy, seed * 1_000_003 + index++);
        const T = rollout.turns.length;
        rollout.turns.forEach((turn, t) => {
          rows.push({ type: turn.type, input: sgdValueInput(task, turn.state, turn.type), target: rollout.success ? gamma ** (T - 1 - t) : 0, label: rollout.success ? 1 : 0 });
        });
      }
    }
  }
  return rows;
}

/** V(h, a) of one act under a fitted model (0 for an act type no rollout took). */
function predict(value: Pick<SgdValueModel, "models">, input: readonly number[], type: SgdSystemActType): number {
  const model = value.models[type];
  return model ? predictLogistic(model, input) : 0;
}

/**
 * Fits V(h, a) ≈ γ^(T−t)·y (Eq. 9, 12) on rollouts of {@link SGD_VALUE_POLICIES} × both personas on the train-service
 * goals, and measures it on the test-service goals (services the train schema does not have).
 */
export function fitSgdValueModel(world: SgdWorld, options: { seed?: number; gamma?: number } = {}): SgdValueModel {
  const seed = options.seed ?? 1;
  const gamma = options.gamma ?? 0.95;
  const train = valueRows(world, world.goals.filter((g) => g.split === "train"), gamma, seed);
  const models: SgdValueModel["models"] = {};
  for (const type of SGD_SYSTEM_ACT_TYPES) {
    const rows = train.filter((row) => row.type === type);
    if (rows.length > 0) models[type] = fitLogisticRegression(rows.map((row) => row.input), rows.map((row) => row.target), { l2: 1, maxIterations: 30 });
  }
  const test = valueRows(world, world.goals.filter((g) => g.split === "test"), gamma, seed + 7919);
  const predictions = test.map((row) => predict({ models }, row.input, row.type));
  const mean = train.reduce((sum, row) => sum + row.target, 0) / train.length;
  const brier = (p: (i: number) => number) => test.reduce((sum, row, i) => sum + (p(i) - row.target) ** 2, 0) / test.length;
  return {
    models,
    gamma,
    heldOut: { auc: areaUnderRoc(predictions, test.map((row) => row.label)), brier: brier((i) => predictions[i]!), constantBrier: brier(() => mean), rows: test.length },
  };
}

/** V(h, a) for each act type at a state. */
export function sgdActionValues(value: SgdValueModel, task: SgdTask, state: SgdState, types: readonly SgdSystemActType[]): number[] {
  return types.map((type) => predict(value, sgdValueInput(task, state, type), type));
}
