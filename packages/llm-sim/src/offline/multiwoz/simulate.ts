import { createRng, toMultiWozActs, type Dialogue, type DialogueAct, type MultiWozGoal, type Turn } from "@foresight/dialogue";
import { AgendaUser, type AgendaUserEndReason } from "./agenda.js";
import { createMultiWozGoalAvailability } from "./availability.js";
import { MultiWozTemplateNlg } from "./nlg.js";
import { COOPERATIVE_AGENDA_PERSONA, type AgendaPersona } from "./persona.js";
import { correctMultiWozPolicy, playMultiWozSystemTurn, type MultiWozSystemPolicy } from "./policies.js";
import type { MultiWozActBundle, MultiWozTurnContext } from "./candidates.js";
import type { MultiWozSimDomain } from "./slots.js";
import { applyMultiWozSystemActs, applyMultiWozUserActs, initialMultiWozState, type MultiWozTrackedState, type MultiWozSimBooking } from "./state.js";
import type { MultiWozWorld } from "./world.js";

/** The default turn limit: exchanges (a user turn and the system's reply). */
export const MULTIWOZ_MAX_TURNS = 15;

/** How a simulated dialogue ended. */
export type MultiWozEndReason = AgendaUserEndReason | "turn-limit";

/** The outcome of a simulated dialogue, as the user saw it and as the system tracked it. */
export interface MultiWozSimOutcome {
  endReason: MultiWozEndReason;
  /** Every domain of the goal complete from the user's point of view. */
  goalComplete: boolean;
  domains: Partial<Record<MultiWozSimDomain, boolean>>;
  bookings: MultiWozSimBooking[];
  exchanges: number;
  /** Acts realised with the generic rendering because no template existed. */
  nlgFallbacks: number;
}

/** Options of {@link simulateMultiWozDialogue}. */
export interface SimulateMultiWozOptions {
  world: MultiWozWorld;
  goal: MultiWozGoal;
  /** The corpus dialogue id of the goal (kept in metadata and in the dialogue id). */
  goalId?: string;
  seed: number;
  persona?: AgendaPersona;
  /** The system side (default: the rule-based correct policy). */
  policy?: MultiWozSystemPolicy;
  /** A name for the policy in the metadata. */
  policyName?: string;
  maxTurns?: number;
  /** Shared template NLG (to accumulate fallback counts across dialogues); a new one by default. */
  nlg?: MultiWozTemplateNlg;
  /** Called at every system turn with the tracked state before it, the turn's options, the chosen bundle and the state after. */
  onSystemTurn?: (turn: { state: MultiWozTrackedState; context: MultiWozTurnContext; bundle: MultiWozActBundle; next: MultiWozTrackedState }) => void;
}

/** A simulated dialogue with the final tracked state. */
export interface SimulatedMultiWozDialogue {
  dialogue: Dialogue;
  outcome: MultiWozSimOutcome;
  finalState: MultiWozTrackedState;
}

/**
 * Simulates one MultiWOZ dialogue offline: the agenda user pursues the corpus goal, the system policy picks one of
 * the turn's grounded act bundles, both are realised with the ConvLab templates. Ends when the user says goodbye
 * (goal complete or out of patience), when the system says goodbye, or after `maxTurns` exchanges. The result is a
 * {@link Dialogue} (`domain: "multiwoz"`, the goal, acts per turn, the belief state as `state` of system turns, as in
 * the corpus loader) with the outcome; the same seed gives the same dialogue.
 */
export function simulateMultiWozDialogue(options: SimulateMultiWozOptions): SimulatedMultiWozDialogue {
  const { world, goal, seed } = options;
  const persona = options.persona ?? COOPERATIVE_AGENDA_PERSONA;
  const policy = options.policy ?? correctMultiWozPolicy;
  const maxTurns = options.maxTurns ?? MULTIWOZ_MAX_TURNS;
  if (!Number.isInteger(maxTurns) || maxTurns < 1) throw new RangeError(`maxTurns must be a positive integer, got ${maxTurns}`);
  const rng = createRng(seed);
  const userRng = rng.fork("user");
  const systemRng = rng.fork("system");
  const nlgRng = rng.fork("nlg");
  const nlg = options.nlg ?? new MultiWozTemplateNlg(world.templates);
  const fallbacksBefore = nlg.stats.fallbacks;
  const systemWorld = { db: world.db, availability: createMultiWozGoalAvailability(world.db, goal, seed) };
  const user = AgendaUser.create(goal, persona, world.userActCounts);
  let state = initialMultiWozState();
  const turns: Turn[] = [];
  let systemActs: DialogueAct[] | undefined;
  let endReason: MultiWozEndReason = "turn-limit";
  for (let exchange = 0; exchange < maxTurns; exchange++) {
    const userActs = systemActs === undefined ? user.next(userRng) : user.respond(systemActs, userRng);
    if (systemActs !== undefined && user.ended && user.endReason === "system-bye") {
      endReason = "system-bye";
      break;
    }
    turns.push({ speaker: "user", text: nlg.user(userActs, nlgRng).text, acts: userActs, metadata: { dialogAct: toMultiWozActs(userActs) } });
    state = applyMultiWozUserActs(state, userActs, world.db);
    const { bundle, context } = playMultiWozSystemTurn(state, systemWorld, policy, systemRng);
    const domain = state.activeDomain;
    const before = state;
    state = applyMultiWozSystemActs(state, bundle.acts, world.db, bundle.entity ? { entity: bundle.entity } : {});
    options.onSystemTurn?.({ state: before, context, bundle, next: state });
    systemActs = bundle.acts;
    turns.push({
      speaker: "system",
      text: nlg.system(bundle.acts, nlgRng, domain).text,
      acts: bundle.acts,
      state: structuredClone(state.belief),
      metadata: { dialogAct: toMultiWozActs(bundle.acts), actType: bundle.type, label: bundle.label, candidates: context.bundles.length, matches: context.matches?.length ?? null },
    });
    if (user.ended) {
      endReason = user.endReason ?? "user-terminated";
      break;
    }
    if (bundle.type === "bye") {
      endReason = "system-bye";
      break;
    }
  }
  const outcome: MultiWozSimOutcome = {
    endReason,
    goalComplete: user.isComplete(),
    domains: user.domainStatus(),
    bookings: state.bookings.map((booking) => ({ ...booking, slots: { ...booking.slots } })),
    exchanges: turns.filter((turn) => turn.speaker === "system").length,
    nlgFallbacks: nlg.stats.fallbacks - fallbacksBefore,
  };
  const goalId = options.goalId ?? "goal";
  const dialogue: Dialogue = {
    id: `sim-multiwoz-${goalId}-${seed}`,
    domain: "multiwoz",
    turns,
    goal: goal as unknown as Record<string, unknown>,
    outcome: outcome as unknown as Record<string, unknown>,
    metadata: {
      simulator: "agenda-based MultiWOZ user (offline, ConvLab tradition) with template NLG",
      goalId,
      seed,
      persona: persona.name,
      systemPolicy: options.policyName ?? (options.policy ? "custom" : "correct"),
      maxTurns,
    },
  };
  return { dialogue, outcome, finalState: state };
}
