import { createRng, hashString, type DialogueAct, type MultiWozGoal, type Turn } from "@foresight/dialogue";
import type { ActInput, PriorOptions, PriorPolicy, PriorResult, RoleCallOptions, SystemCandidate, SystemRole, UserReply, UserSimulator } from "../../roles/types.js";
import { AgendaUser } from "./agenda.js";
import { createMultiWozGoalAvailability } from "./availability.js";
import { MULTIWOZ_SYSTEM_ACT_TYPES, multiWozTurnContext, type MultiWozSystemWorld } from "./candidates.js";
import { MultiWozTemplateNlg } from "./nlg.js";
import { COOPERATIVE_AGENDA_PERSONA, type AgendaPersona } from "./persona.js";
import { applyMultiWozSystemActs, applyMultiWozUserActs, initialMultiWozState, type MultiWozTrackedState } from "./state.js";
import type { MultiWozWorld } from "./world.js";

/**
 * Remembers the acts behind each text the offline roles produced, so that a history built by a planner from
 * texts alone (`Turn` without `acts`) can be read back. `turn.acts` always wins over the ledger.
 */
export class MultiWozActLedger {
  private readonly byText = new Map<string, DialogueAct[]>();

  /** Records the acts a text realises. */
  record(text: string, acts: readonly DialogueAct[]): void {
    this.byText.set(text.trim(), acts.map((act) => ({ ...act })));
  }

  /** The acts of a turn: its own `acts`, else the recorded ones, else `undefined` (an unreadable turn). */
  actsOf(turn: Pick<Turn, "text" | "acts">): DialogueAct[] | undefined {
    return turn.acts ?? this.byText.get(turn.text.trim());
  }
}

/** Replays a history through the system-side state tracker; unreadable turns count in `unread`. */
export function trackMultiWozHistory(history: readonly Turn[], world: Pick<MultiWozWorld, "db">, ledger: MultiWozActLedger): { state: MultiWozTrackedState; unread: number } {
  let state = initialMultiWozState();
  let unread = 0;
  for (const turn of history) {
    const acts = ledger.actsOf(turn);
    if (acts === undefined) unread += 1;
    state = turn.speaker === "user" ? applyMultiWozUserActs(state, acts ?? [], world.db) : applyMultiWozSystemActs(state, acts ?? [], world.db);
  }
  return { state, unread };
}

function historyKey(history: readonly Turn[]): string {
  return String(hashString(history.map((turn) => `${turn.speaker}:${turn.text}`).join("\n")));
}

/** A user reply of the offline user, with the acts it realises. */
export interface AgendaUserReply extends UserReply {
  acts: DialogueAct[];
}

/** Options of {@link AgendaMultiWozUser}. */
export interface AgendaMultiWozUserOptions {
  world: MultiWozWorld;
  goal: MultiWozGoal;
  persona?: AgendaPersona;
  seed?: number;
  /** Shared with the system role so each can read the other's texts (a new one by default). */
  ledger?: MultiWozActLedger;
}

/**
 * The agenda-based MultiWOZ user behind the {@link UserSimulator} interface (no LLM). It is stateless across calls:
 * each `respond(history)` rebuilds the user from the goal and replays the history (its own turns are taken off the
 * agenda, the system's acts are reacted to), with randomness derived from the seed and the history, so the same
 * history always gets the same reply and branching search can call it from any node.
 */
export class AgendaMultiWozUser implements UserSimulator {
  readonly ledger: MultiWozActLedger;
  private readonly nlg: MultiWozTemplateNlg;
  private readonly seed: number;
  private readonly persona: AgendaPersona;
  /** System turns whose acts could not be read (neither `acts` nor a ledger entry). */
  unreadTurns = 0;

  constructor(private readonly options: AgendaMultiWozUserOptions) {
    this.ledger = options.ledger ?? new MultiWozActLedger();
    this.nlg = new MultiWozTemplateNlg(options.world.templates);
    this.seed = options.seed ?? 0;
    this.persona = options.persona ?? COOPERATIVE_AGENDA_PERSONA;
  }

  /** The user's state after a history (for inspection and for planners that branch on it). */
  userAfter(history: readonly Turn[]): AgendaUser {
    const user = AgendaUser.create(this.options.goal, this.persona, this.options.world.userActCounts);
    history.forEach((turn, index) => {
      const acts = this.ledger.actsOf(turn);
      if (turn.speaker === "user") user.observeOwnActs(acts ?? []);
      else {
        if (acts === undefined) this.unreadTurns += 1;
        user.receive(acts ?? [], createRng(`${this.seed}:receive:${index}:${historyKey(history.slice(0, index + 1))}`));
      }
    });
    return user;
  }

  /** The user's next turn after `history`. */
  async respond(history: readonly Turn[], options: RoleCallOptions = {}): Promise<AgendaUserReply> {
    options.signal?.throwIfAborted();
    const user = this.userAfter(history);
    const rng = createRng(`${this.seed}:user:${history.length}:${historyKey(history)}`);
    const acts = user.next(rng);
    const text = this.nlg.user(acts, rng.fork("nlg")).text;
    this.ledger.record(text, acts);
    return { text, acts, ended: user.ended, fallback: false };
  }
}

/** A system candidate of the template system, with the acts it realises. */
export interface TemplateSystemCandidate extends SystemCandidate {
  acts: DialogueAct[];
}

/** Options of {@link TemplateMultiWozSystem}. */
export interface TemplateMultiWozSystemOptions {
  world: MultiWozWorld;
  /** The goal of the dialogue, only for the world's availability (its `fail_info` / `fail_book`); none by default. */
  goal?: MultiWozGoal;
  seed?: number;
  ledger?: MultiWozActLedger;
}

/**
 * The system role without an LLM: realises an act type (`Inform`, `Request`, `Book`, … — the `tod` pack's labels)
 * as the grounded bundles of that type at this turn (database values, booking references), each with template NLG.
 * When the act has no grounded bundle at this turn (e.g. `Book` before a venue is known), it returns the
 * `reqmore` realisation flagged `fallback: true`.
 */
export class TemplateMultiWozSystem implements SystemRole {
  readonly ledger: MultiWozActLedger;
  private readonly nlg: MultiWozTemplateNlg;
  private readonly world: MultiWozSystemWorld;
  private readonly seed: number;

  constructor(private readonly options: TemplateMultiWozSystemOptions) {
    this.ledger = options.ledger ?? new MultiWozActLedger();
    this.nlg = new MultiWozTemplateNlg(options.world.templates);
    this.seed = options.seed ?? 0;
    this.world = { db: options.world.db, availability: createMultiWozGoalAvailability(options.world.db, options.goal, this.seed) };
  }

  /** Up to `m` distinct replies realising `act`. */
  async reply(history: readonly Turn[], act: ActInput, m: number, options: RoleCallOptions = {}): Promise<TemplateSystemCandidate[]> {
    options.signal?.throwIfAborted();
    if (!Number.isInteger(m) || m < 1) throw new RangeError(`m must be a positive integer, got ${m}`);
    const label = typeof act === "string" ? act : act.label;
    const type = MULTIWOZ_SYSTEM_ACT_TYPES.find((candidate) => candidate.toLowerCase() === label.trim().toLowerCase());
    if (type === undefined) throw new RangeError(`unknown MultiWOZ system act "${label}"; known: ${MULTIWOZ_SYSTEM_ACT_TYPES.join(", ")}`);
    const { state } = trackMultiWozHistory(history, this.options.world, this.ledger);
    const context = multiWozTurnContext(state, this.world);
    let bundles = context.bundles.filter((bundle) => bundle.type === type);
    const fallback = bundles.length === 0;
    if (fallback) bundles = context.bundles.filter((bundle) => bundle.type === "reqmore");
    const rng = createRng(`${this.seed}:system:${label}:${historyKey(history)}`);
    const seen = new Set<string>();
    const out: TemplateSystemCandidate[] = [];
    for (let attempt = 0; attempt < m * 4 && out.length < m; attempt++) {
      const bundle = bundles[attempt % bundles.length]!;
      const text = this.nlg.system(bundle.acts, rng, state.activeDomain).text;
      if (seen.has(text)) continue;
      seen.add(text);
      this.ledger.record(text, bundle.acts);
      out.push({ text, act: label, fallback, acts: bundle.acts.map((one) => ({ ...one })) });
    }
    return out;
  }
}

/** Options of {@link CorpusMultiWozPrior}. */
export interface CorpusMultiWozPriorOptions {
  world: MultiWozWorld;
  ledger?: MultiWozActLedger;
}

/**
 * The corpus-derived prior behind the {@link PriorPolicy} interface: P(act type | active domain, phase) fitted on
 * the real system turns (see `MultiWozActPrior`), restricted to and renormalised over the requested acts.
 */
export class CorpusMultiWozPrior implements PriorPolicy {
  readonly ledger: MultiWozActLedger;

  constructor(private readonly options: CorpusMultiWozPriorOptions) {
    this.ledger = options.ledger ?? new MultiWozActLedger();
  }

  /** The prior over `options.acts` (default: every MultiWOZ system act type). */
  async prior(history: readonly Turn[], options: PriorOptions = {}): Promise<PriorResult> {
    options.signal?.throwIfAborted();
    const labels = (options.acts ?? MULTIWOZ_SYSTEM_ACT_TYPES).map((act) => (typeof act === "string" ? act : act.label));
    if (labels.length === 0) throw new RangeError("prior: no acts to choose from");
    const { state } = trackMultiWozHistory(history, this.options.world, this.ledger);
    const probabilities = this.options.world.prior.labelProbabilities(state, labels);
    const known = labels.some((label) => MULTIWOZ_SYSTEM_ACT_TYPES.some((type) => type.toLowerCase() === label.trim().toLowerCase()));
    return { acts: labels, probabilities, method: known ? "corpus" : "uniform", requests: 0, completions: 0, unparsed: 0, fallback: !known };
  }
}
