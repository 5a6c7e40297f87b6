import type { Dialogue, MultiWozDatabase } from "@foresight/dialogue";
import { MULTIWOZ_SYSTEM_ACT_TYPES, multiWozSystemTurnTypes, type MultiWozActBundle, type MultiWozSystemActType } from "./candidates.js";
import { applyMultiWozSystemActs, applyMultiWozUserActs, multiWozPhase, initialMultiWozState, type MultiWozPhase, type MultiWozTrackedState } from "./state.js";

/** Counts per act type. */
export type MultiWozActTypeCounts = Record<MultiWozSystemActType, number>;

function zeroCounts(): MultiWozActTypeCounts {
  return Object.fromEntries(MULTIWOZ_SYSTEM_ACT_TYPES.map((type) => [type, 0])) as MultiWozActTypeCounts;
}

/** The prior's context key: active domain (or `none`) and phase, e.g. `hotel|offered`. */
export function multiWozPriorKey(state: MultiWozTrackedState): string {
  return `${state.activeDomain ?? "none"}|${multiWozPhase(state)}`;
}

/** One corpus system turn with the key of the state before it and the act types it used. */
export interface MultiWozPriorObservation {
  key: string;
  types: MultiWozSystemActType[];
}

/**
 * Replays corpus dialogues through the same state tracker the simulator uses and returns, for every system turn,
 * the context key (active domain, phase) of the state before it and the act types it used.
 */
export function observeMultiWozSystemTurns(dialogues: readonly Dialogue[], db: MultiWozDatabase): MultiWozPriorObservation[] {
  const observations: MultiWozPriorObservation[] = [];
  for (const dialogue of dialogues) {
    let state = initialMultiWozState();
    for (const turn of dialogue.turns) {
      const acts = turn.acts ?? [];
      if (turn.speaker === "user") {
        state = applyMultiWozUserActs(state, acts, db);
      } else {
        observations.push({ key: multiWozPriorKey(state), types: multiWozSystemTurnTypes(acts) });
        state = applyMultiWozSystemActs(state, acts, db);
      }
    }
  }
  return observations;
}

/** Options of {@link MultiWozActPrior.fit}. */
export interface FitMultiWozPriorOptions {
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
export class MultiWozActPrior {
  private constructor(
    private readonly keyCounts: ReadonlyMap<string, MultiWozActTypeCounts>,
    private readonly phaseCounts: ReadonlyMap<string, MultiWozActTypeCounts>,
    /** The back-off weight β. */
    readonly backoff: number,
    /** How many system turns the prior was fitted on. */
    readonly turns: number,
  ) {}

  /** Fits the prior from corpus dialogues (replayed through the state tracker with the database). */
  static fit(dialogues: readonly Dialogue[], db: MultiWozDatabase, options: FitMultiWozPriorOptions = {}): MultiWozActPrior {
    return MultiWozActPrior.fromObservations(observeMultiWozSystemTurns(dialogues, db), options);
  }

  /** Fits the prior from already extracted observations. */
  static fromObservations(observations: readonly MultiWozPriorObservation[], options: FitMultiWozPriorOptions = {}): MultiWozActPrior {
    const backoff = options.backoff ?? 5;
    if (!(backoff > 0)) throw new RangeError(`backoff must be positive, got ${backoff}`);
    if (observations.length === 0) throw new Error("MultiWozActPrior: no system turns to fit on");
    const keyCounts = new Map<string, MultiWozActTypeCounts>();
    const phaseCounts = new Map<string, MultiWozActTypeCounts>();
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
    return new MultiWozActPrior(keyCounts, phaseCounts, backoff, observations.length);
  }

  /** P(type | domain, phase) for a context key, over all {@link MULTIWOZ_SYSTEM_ACT_TYPES}. */
  distributionForKey(key: string): MultiWozActTypeCounts {
    const phase = (key.split("|")[1] ?? "searching") as MultiWozPhase;
    const phaseCounts = this.phaseCounts.get(phase) ?? zeroCounts();
    const phaseTotal = MULTIWOZ_SYSTEM_ACT_TYPES.reduce((sum, type) => sum + phaseCounts[type], 0);
    const counts = this.keyCounts.get(key) ?? zeroCounts();
    const total = MULTIWOZ_SYSTEM_ACT_TYPES.reduce((sum, type) => sum + counts[type], 0);
    const out = zeroCounts();
    for (const type of MULTIWOZ_SYSTEM_ACT_TYPES) {
      const base = (phaseCounts[type] + 1) / (phaseTotal + MULTIWOZ_SYSTEM_ACT_TYPES.length);
      out[type] = (counts[type] + this.backoff * base) / (total + this.backoff);
    }
    return out;
  }

  /** P(type | domain, phase) at a tracked state. */
  distribution(state: MultiWozTrackedState): MultiWozActTypeCounts {
    return this.distributionForKey(multiWozPriorKey(state));
  }

  /** Probabilities of the given bundles: each type's mass split evenly among its bundles, renormalised over the set. */
  bundleProbabilities(state: MultiWozTrackedState, bundles: readonly MultiWozActBundle[]): number[] {
    if (bundles.length === 0) return [];
    const distribution = this.distribution(state);
    const perType = new Map<MultiWozSystemActType, number>();
    for (const bundle of bundles) perType.set(bundle.type, (perType.get(bundle.type) ?? 0) + 1);
    const raw = bundles.map((bundle) => distribution[bundle.type] / perType.get(bundle.type)!);
    const total = raw.reduce((sum, value) => sum + value, 0);
    return raw.map((value) => value / total);
  }

  /** Probabilities over arbitrary act type labels at a state (case-insensitive; unknown labels get zero mass before renormalising). */
  labelProbabilities(state: MultiWozTrackedState, labels: readonly string[]): number[] {
    const distribution = this.distribution(state);
    const raw = labels.map((label) => {
      const type = MULTIWOZ_SYSTEM_ACT_TYPES.find((candidate) => candidate.toLowerCase() === label.trim().toLowerCase());
      return type === undefined ? 0 : distribution[type];
    });
    const total = raw.reduce((sum, value) => sum + value, 0);
    return total === 0 ? labels.map(() => 1 / labels.length) : raw.map((value) => value / total);
  }

  /** The context keys seen in fitting with their number of act-type uses (the weight of each key in the corpus). */
  keys(): { key: string; uses: number; counts: MultiWozActTypeCounts }[] {
    return [...this.keyCounts].map(([key, counts]) => ({ key, counts: { ...counts }, uses: MULTIWOZ_SYSTEM_ACT_TYPES.reduce((sum, type) => sum + counts[type], 0) }));
  }

  /** The corpus' relative frequency of each act type over all act-type uses it was fitted on. */
  corpusFrequencies(): MultiWozActTypeCounts {
    const out = zeroCounts();
    let total = 0;
    for (const counts of this.keyCounts.values()) {
      for (const type of MULTIWOZ_SYSTEM_ACT_TYPES) {
        out[type] += counts[type];
        total += counts[type];
      }
    }
    for (const type of MULTIWOZ_SYSTEM_ACT_TYPES) out[type] /= total;
    return out;
  }
}
