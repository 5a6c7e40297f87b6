import type { Dialogue, MultiWozDatabase } from "@foresight/dialogue";
import { SYSTEM_ACT_TYPES, systemTurnTypes, type SystemActBundle, type SystemActType } from "./candidates.js";
import { applySystemActs, applyUserActs, dialoguePhase, initialTrackedState, type DialoguePhase, type MultiWozTrackedState } from "./state.js";

/** Counts per act type. */
export type TypeCounts = Record<SystemActType, number>;

function zeroCounts(): TypeCounts {
  return Object.fromEntries(SYSTEM_ACT_TYPES.map((type) => [type, 0])) as TypeCounts;
}

/** The prior's context key: active domain (or `none`) and phase, e.g. `hotel|offered`. */
export function priorKey(state: MultiWozTrackedState): string {
  return `${state.activeDomain ?? "none"}|${dialoguePhase(state)}`;
}

/** One corpus system turn with the key of the state before it and the act types it used. */
export interface PriorObservation {
  key: string;
  types: SystemActType[];
}

/**
 * Replays corpus dialogues through the same state tracker the simulator uses and returns, for every system turn,
 * the context key (active domain, phase) of the state before it and the act types it used.
 */
export function observeSystemTurns(dialogues: readonly Dialogue[], db: MultiWozDatabase): PriorObservation[] {
  const observations: PriorObservation[] = [];
  for (const dialogue of dialogues) {
    let state = initialTrackedState();
    for (const turn of dialogue.turns) {
      const acts = turn.acts ?? [];
      if (turn.speaker === "user") {
        state = applyUserActs(state, acts, db);
      } else {
        observations.push({ key: priorKey(state), types: systemTurnTypes(acts) });
        state = applySystemActs(state, acts, db);
      }
    }
  }
  return observations;
}

/** Options of {@link SystemActPrior.fit}. */
export interface FitPriorOptions {
  /** Weight of the phase-level back-off in the key's Dirichlet smoothing (default 5 pseudo-turns). */
  backoff?: number;
}

/**
 * The corpus-derived prior over the system's act types given the active domain and the dialogue phase
 * (`searching`, `offered`, `booked`, `closing`). Fitted from the real system turns: `c(t, k)` counts the system turns
 * in context `k` that use type `t` (a turn using several types counts for each). Estimate:
 * `P(t | k) = (c(t, k) + β · P₀(t | phase)) / (Σₜ c(t, k) + β)` with `P₀(t | phase) = (c(t, phase) + 1) / (Σₜ c(t, phase) + |T|)`
 * (add-one at the phase level, Dirichlet back-off with weight β at the domain level).
 */
export class SystemActPrior {
  private constructor(
    private readonly keyCounts: ReadonlyMap<string, TypeCounts>,
    private readonly phaseCounts: ReadonlyMap<string, TypeCounts>,
    /** The back-off weight β. */
    readonly backoff: number,
    /** How many system turns the prior was fitted on. */
    readonly turns: number,
  ) {}

  /** Fits the prior from corpus dialogues (replayed through the state tracker with the database). */
  static fit(dialogues: readonly Dialogue[], db: MultiWozDatabase, options: FitPriorOptions = {}): SystemActPrior {
    return SystemActPrior.fromObservations(observeSystemTurns(dialogues, db), options);
  }

  /** Fits the prior from already extracted observations. */
  static fromObservations(observations: readonly PriorObservation[], options: FitPriorOptions = {}): SystemActPrior {
    const backoff = options.backoff ?? 5;
    if (!(backoff > 0)) throw new RangeError(`backoff must be positive, got ${backoff}`);
    if (observations.length === 0) throw new Error("SystemActPrior: no system turns to fit on");
    const keyCounts = new Map<string, TypeCounts>();
    const phaseCounts = new Map<string, TypeCounts>();
    for (const { key, types } of observations) {
      const phase = key.split("|")[1]!;
      const byKey = keyCounts.get(key) ?? zeroCounts();
      const byPhase = phaseCounts.get(phase) ?? zeroCounts();
      for (const type of types) {
        byKey[type] += 1;
        byPhase[type] += 1;
      }
      keyCounts.set(key, byKey);
      phaseCounts.set(phase, byPhase);
    }
    return new SystemActPrior(keyCounts, phaseCounts, backoff, observations.length);
  }

  /** P(type | domain, phase) for a context key, over all {@link SYSTEM_ACT_TYPES}. */
  distributionForKey(key: string): TypeCounts {
    const phase = (key.split("|")[1] ?? "searching") as DialoguePhase;
    const phaseCounts = this.phaseCounts.get(phase) ?? zeroCounts();
    const phaseTotal = SYSTEM_ACT_TYPES.reduce((sum, type) => sum + phaseCounts[type], 0);
    const counts = this.keyCounts.get(key) ?? zeroCounts();
    const total = SYSTEM_ACT_TYPES.reduce((sum, type) => sum + counts[type], 0);
    const out = zeroCounts();
    for (const type of SYSTEM_ACT_TYPES) {
      const base = (phaseCounts[type] + 1) / (phaseTotal + SYSTEM_ACT_TYPES.length);
      out[type] = (counts[type] + this.backoff * base) / (total + this.backoff);
    }
    return out;
  }

  /** P(type | domain, phase) at a tracked state. */
  distribution(state: MultiWozTrackedState): TypeCounts {
    return this.distributionForKey(priorKey(state));
  }

  /** Probabilities of the given bundles: each type's mass split evenly among its bundles, renormalised over the set. */
  bundleProbabilities(state: MultiWozTrackedState, bundles: readonly SystemActBundle[]): number[] {
    if (bundles.length === 0) return [];
    const distribution = this.distribution(state);
    const perType = new Map<SystemActType, number>();
    for (const bundle of bundles) perType.set(bundle.type, (perType.get(bundle.type) ?? 0) + 1);
    const raw = bundles.map((bundle) => distribution[bundle.type] / perType.get(bundle.type)!);
    const total = raw.reduce((sum, value) => sum + value, 0);
    return raw.map((value) => value / total);
  }

  /** Probabilities over arbitrary act type labels at a state (case-insensitive; unknown labels get zero mass before renormalising). */
  labelProbabilities(state: MultiWozTrackedState, labels: readonly string[]): number[] {
    const distribution = this.distribution(state);
    const raw = labels.map((label) => {
      const type = SYSTEM_ACT_TYPES.find((candidate) => candidate.toLowerCase() === label.trim().toLowerCase());
      return type === undefined ? 0 : distribution[type];
    });
    const total = raw.reduce((sum, value) => sum + value, 0);
    return total === 0 ? labels.map(() => 1 / labels.length) : raw.map((value) => value / total);
  }

  /** The context keys seen in fitting with their number of act-type uses (the weight of each key in the corpus). */
  keys(): { key: string; uses: number; counts: TypeCounts }[] {
    return [...this.keyCounts].map(([key, counts]) => ({ key, counts: { ...counts }, uses: SYSTEM_ACT_TYPES.reduce((sum, type) => sum + counts[type], 0) }));
  }

  /** The corpus' relative frequency of each act type over all act-type uses it was fitted on. */
  corpusFrequencies(): TypeCounts {
    const out = zeroCounts();
    let total = 0;
    for (const counts of this.keyCounts.values()) {
      for (const type of SYSTEM_ACT_TYPES) {
        out[type] += counts[type];
        total += counts[type];
      }
    }
    for (const type of SYSTEM_ACT_TYPES) out[type] /= total;
    return out;
  }
}
