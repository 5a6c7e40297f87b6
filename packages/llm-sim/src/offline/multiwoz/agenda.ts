import { plainGoalMessage, type DialogueAct, type MultiWozDomainGoal, type MultiWozGoal, type Rng } from "@foresight/dialogue";
import { effectiveFailBook, effectiveFailInfo, sameMultiWozVenueName } from "./availability.js";
import { mutableCopy } from "./copy.js";
import type { AgendaPersona } from "./persona.js";
import { actDomainOf, actSlotOf, goalDomainOf, goalSlotOf, makeMultiWozAct, sameMultiWozValue, MULTIWOZ_SIM_DOMAINS, type MultiWozSimDomain } from "./slots.js";

/** One pending user act on the agenda (goal slot spelling). */
export interface MultiWozAgendaItem {
  domain: MultiWozSimDomain;
  intent: "Inform" | "Request";
  slot: string;
  value?: string;
}

/** What the user knows about one domain of its goal. */
export interface AgendaDomainProgress {
  /** Slot values the system told the user (goal spelling). */
  informed: Record<string, string>;
  /** The venue the system offered (name, train id or car type). */
  offered?: string;
  /** The booking reference, once booked. */
  reference?: string;
  /** Whether the user still pursues the goal's `fail_info` constraints (until the system says there is no match). */
  failInfoActive: boolean;
  /** Whether the user still books with the goal's `fail_book` slots (until the system says the booking failed). */
  failBookActive: boolean;
  /** Slot values the user has said in this domain (goal spelling), so a question already answered is no progress. */
  told: Record<string, string>;
  /** Whether the system has offered to book the venue currently offered (a repeated offer is no progress). */
  bookingOffered: boolean;
}

/** Why the user ended the dialogue. */
export type AgendaUserEndReason = "goal-complete" | "user-terminated" | "system-bye";

/** The agenda user's whole state (plain data, cloneable). */
export interface AgendaState {
  /** The stack: the last item is the top. */
  agenda: MultiWozAgendaItem[];
  progress: Partial<Record<MultiWozSimDomain, AgendaDomainProgress>>;
  /** The domain the user last spoke about. */
  currentDomain?: MultiWozSimDomain;
  noProgress: number;
  ended: boolean;
  endReason?: AgendaUserEndReason;
  /** Answers pushed in reaction to the system, still on top of the agenda. */
  answers: number;
  turns: number;
}

const DOMAIN_WORDS: Record<MultiWozSimDomain, readonly string[]> = {
  hotel: ["hotel", "place to stay", "guesthouse", "guest house"],
  restaurant: ["restaurant", "place to eat", "place to dine", "food"],
  attraction: ["attraction", "place to go", "places to go", "museum", "college", "entertainment", "park", "pool", "theatre", "cinema", "church", "nightclub", "architecture", "boat"],
  train: ["train"],
  taxi: ["taxi", "cab"],
  hospital: ["hospital"],
  police: ["police"],
};

/**
 * The order the user pursues its goal's domains in: the order the task description first mentions them
 * (MultiWOZ task messages describe one domain after another); unmentioned domains follow in a fixed order.
 */
export function multiWozGoalDomainOrder(goal: MultiWozGoal): MultiWozSimDomain[] {
  const domains = MULTIWOZ_SIM_DOMAINS.filter((domain) => goal.domains[domain] !== undefined);
  const text = plainGoalMessage(goal).join(" ").toLowerCase();
  const position = (domain: MultiWozSimDomain) => {
    const hits = DOMAIN_WORDS[domain].map((word) => text.indexOf(word)).filter((index) => index >= 0);
    return hits.length === 0 ? Number.MAX_SAFE_INTEGER : Math.min(...hits);
  };
  return [...domains].sort((a, b) => position(a) - position(b) || MULTIWOZ_SIM_DOMAINS.indexOf(a) - MULTIWOZ_SIM_DOMAINS.indexOf(b));
}

/** The constraints the user currently pursues in a domain: `info`, overridden by `fail_info` while that is active. */
export function agendaActiveInfo(goal: MultiWozDomainGoal, progress: AgendaDomainProgress): Record<string, string> {
  return progress.failInfoActive ? { ...goal.info, ...effectiveFailInfo(goal) } : { ...goal.info };
}

/** The booking slots the user currently asks for: `book`, or `fail_book` (over `book`) while that is active. */
export function agendaActiveBook(goal: MultiWozDomainGoal, progress: AgendaDomainProgress): Record<string, string> | undefined {
  if (!goal.book || Object.keys(goal.book).length === 0) return undefined;
  const failBook = effectiveFailBook(goal);
  return progress.failBookActive && failBook ? { ...goal.book, ...failBook } : { ...goal.book };
}

const NAME_SLOTS: Record<string, string> = { train: "trainID", taxi: "car type" };

/** Whether a domain of the goal is done from the user's point of view: venue found, requests answered, booked if wanted. */
export function multiWozDomainComplete(goal: MultiWozDomainGoal, progress: AgendaDomainProgress | undefined): boolean {
  if (!progress) return false;
  if (!goal.reqt.every((slot) => progress.informed[slot] !== undefined)) return false;
  if (goal.book && Object.keys(goal.book).length > 0 && progress.reference === undefined) return false;
  return progress.offered !== undefined || goal.reqt.length > 0;
}

function timeMinutes(value: string): number | undefined {
  const match = /^(\d{1,2}):(\d{2})$/.exec(value.trim());
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** Whether a value the system gave contradicts the user's constraint on that slot. */
function conflicts(slot: string, wanted: string, given: string): boolean {
  if (wanted === "dontcare" || sameMultiWozValue(wanted, given)) return false;
  if (slot === "leaveAt" || slot === "arriveBy") {
    const w = timeMinutes(wanted);
    const g = timeMinutes(given);
    if (w === undefined || g === undefined) return false;
    return slot === "leaveAt" ? g < w : g > w;
  }
  if (slot === "pricerange" || slot === "area" || slot === "type") {
    const norm = (value: string) => value.toLowerCase().replace(/\s+/g, "").replace("center", "centre").replace("moderately", "moderate").replace(/priced$/, "");
    return norm(wanted) !== norm(given);
  }
  return true;
}

/**
 * An agenda-based MultiWOZ user in the ConvLab tradition. The goal (`info`, `fail_info`, `book`, `fail_book`, `reqt`)
 * is turned into a stack of pending acts: per domain, in the order the task mentions them, first the constraints
 * (the `fail_info` values while they are active), then the booking slots (the `fail_book` values first), then the
 * requests. Each turn the user pops a number of acts drawn from the corpus distribution of acts per user turn
 * (capped by the persona), all of one domain, after the answers it owes the system. System acts push reactions:
 * a `Request` pushes the goal value (or `dontcare`), an `Inform`/`Recommend`/`Select` records values (and a
 * contradicted constraint is restated), `NoOffer` switches from `fail_info` to `info`, `NoBook` from `fail_book` to
 * `book`, an offer to book brings the booking slots to the top, `Book` records the reference, `bye` ends. Turns
 * without progress wear out the persona's patience. When every domain is complete the user thanks and says goodbye.
 */
export class AgendaUser {
  private constructor(
    readonly goal: MultiWozGoal,
    readonly persona: AgendaPersona,
    private readonly actCounts: readonly number[],
    private state: AgendaState,
  ) {}

  /** A fresh user for a goal; `actCounts[n - 1]` is P(n acts per turn) (see `fitMultiWozUserActCounts`). */
  static create(goal: MultiWozGoal, persona: AgendaPersona, actCounts: readonly number[]): AgendaUser {
    const order = multiWozGoalDomainOrder(goal);
    if (order.length === 0) throw new Error("AgendaUser: the goal has no domain");
    const progress: AgendaState["progress"] = {};
    const agenda: MultiWozAgendaItem[] = [];
    for (const domain of [...order].reverse()) {
      const part = goal.domains[domain]!;
      const state: AgendaDomainProgress = {
        informed: {},
        failInfoActive: Object.keys(effectiveFailInfo(part)).length > 0,
        failBookActive: effectiveFailBook(part) !== undefined,
        told: {},
        bookingOffered: false,
      };
      progress[domain] = state;
      for (const slot of [...part.reqt].reverse()) agenda.push({ domain, intent: "Request", slot });
      for (const [slot, value] of Object.entries(agendaActiveBook(part, state) ?? {}).reverse()) agenda.push({ domain, intent: "Inform", slot, value });
      for (const [slot, value] of Object.entries(agendaActiveInfo(part, state)).reverse()) agenda.push({ domain, intent: "Inform", slot, value });
    }
    return new AgendaUser(goal, persona, actCounts, { agenda, progress, noProgress: 0, ended: false, answers: 0, turns: 0 });
  }

  /** An independent copy (for search that branches on the user's reaction). */
  clone(): AgendaUser {
    return new AgendaUser(this.goal, this.persona, this.actCounts, mutableCopy(this.state));
  }

  /** The user's state (a copy). */
  snapshot(): AgendaState {
    return structuredClone(this.state);
  }

  /** Whether the user has ended the dialogue. */
  get ended(): boolean {
    return this.state.ended;
  }

  /** Why the user ended, once it has. */
  get endReason(): AgendaUserEndReason | undefined {
    return this.state.endReason;
  }

  /** Whether every domain of the goal is complete from the user's point of view. */
  isComplete(): boolean {
    return Object.entries(this.goal.domains).every(([domain, part]) => multiWozDomainComplete(part, this.state.progress[domain as MultiWozSimDomain]));
  }

  /** Per-domain completion. */
  domainStatus(): Partial<Record<MultiWozSimDomain, boolean>> {
    return Object.fromEntries(Object.entries(this.goal.domains).map(([domain, part]) => [domain, multiWozDomainComplete(part, this.state.progress[domain as MultiWozSimDomain])]));
  }

  private push(item: MultiWozAgendaItem, answer = false): void {
    this.state.agenda = this.state.agenda.filter((other) => !(other.domain === item.domain && other.slot === item.slot && other.intent === item.intent));
    this.state.agenda.push(item);
    if (answer) this.state.answers += 1;
  }

  private domainOfAct(act: DialogueAct): MultiWozSimDomain | undefined {
    if (act.domain === "Booking") return this.state.currentDomain;
    return goalDomainOf(act.domain);
  }

  /** Reacts to the system's acts (updates the agenda, progress and patience). `rng` decides whether an impatient user quits. */
  receive(acts: readonly DialogueAct[], rng: Rng): void {
    const s = this.state;
    if (s.ended) return;
    let progress = false;
    let irrelevant = false;
    const named = new Set<MultiWozSimDomain>();
    const refused = new Set<MultiWozSimDomain>();
    for (const act of acts) {
      if (act.domain === "general") {
        if (act.intent === "bye") {
          s.ended = true;
          s.endReason = this.isComplete() ? "goal-complete" : "system-bye";
        }
        continue;
      }
      const domain = this.domainOfAct(act);
      const part = domain ? this.goal.domains[domain] : undefined;
      const state = domain ? s.progress[domain] : undefined;
      if (!domain || !part || !state) {
        irrelevant = true;
        continue;
      }
      const slot = act.slot === undefined ? undefined : goalSlotOf(domain, act.slot);
      const info = agendaActiveInfo(part, state);
      const book = agendaActiveBook(part, state);
      switch (act.intent) {
        case "Request": {
          if (slot === undefined) break;
          const alternative = slot === "leaveAt" ? "arriveBy" : slot === "arriveBy" ? "leaveAt" : undefined;
          const answer: MultiWozAgendaItem =
            info[slot] === undefined && alternative !== undefined && info[alternative] !== undefined
              ? { domain, intent: "Inform", slot: alternative, value: info[alternative] }
              : { domain, intent: "Inform", slot, value: info[slot] ?? book?.[slot] ?? this.impliedValue(domain, slot) };
          this.push(answer, true);
          // Asking again for what the user already said (the same value) moves nothing forward.
          const said = state.told[answer.slot];
          if (said === undefined || !sameMultiWozValue(said, answer.value!)) progress = true;
          break;
        }
        case "NoOffer": {
          if (state.failInfoActive) {
            state.failInfoActive = false;
            for (const failed of Object.keys(effectiveFailInfo(part))) this.push({ domain, intent: "Inform", slot: failed, value: part.info[failed] ?? "dontcare" }, true);
            progress = true;
          }
          break;
        }
        case "NoBook": {
          // One refusal per domain and turn, whether it names the failing slot (`Booking-NoBook(Day=…)`, often alone
          // in the corpus), says none, or both.
          if (refused.has(domain)) break;
          refused.add(domain);
          const failBook = effectiveFailBook(part);
          if (state.failBookActive && failBook) {
            state.failBookActive = false;
            for (const [bookSlot, value] of Object.entries(part.book ?? {})) {
              if (failBook[bookSlot] === undefined || !sameMultiWozValue(failBook[bookSlot], value)) this.push({ domain, intent: "Inform", slot: bookSlot, value }, true);
            }
            progress = true;
          } else if (book) {
            for (const [bookSlot, value] of Object.entries(book)) this.push({ domain, intent: "Inform", slot: bookSlot, value });
          }
          break;
        }
        case "OfferBook":
        case "Inform":
        case "Recommend":
        case "Select":
        case "Book":
        case "OfferBooked": {
          if (act.intent === "OfferBook" || (act.domain === "Booking" && act.intent === "Inform" && act.slot === undefined)) {
            if (book && state.reference === undefined) {
              // The first offer to book the venue on the table is progress; offering it again without booking is not.
              if (state.offered !== undefined && !state.bookingOffered) {
                progress = true;
                state.bookingOffered = true;
              }
              for (const [bookSlot, value] of Object.entries(book).reverse()) this.push({ domain, intent: "Inform", slot: bookSlot, value });
            } else if (!book) irrelevant = true;
            if (act.intent === "OfferBook" || act.slot === undefined) break;
          }
          if (slot === undefined || act.value === undefined) break;
          if (slot === "reference") {
            if (book && state.reference === undefined) {
              state.reference = act.value;
              s.agenda = s.agenda.filter((item) => !(item.domain === domain && item.intent === "Inform" && book[item.slot] !== undefined));
              progress = true;
            } else if (!book) irrelevant = true;
            break;
          }
          const nameSlot = NAME_SLOTS[domain] ?? "name";
          if (slot === nameSlot || slot === "name") {
            if (named.has(domain)) break;
            named.add(domain);
            const wantedName = info.name;
            if (wantedName !== undefined && !sameMultiWozVenueName(wantedName, act.value)) {
              irrelevant = true;
              this.push({ domain, intent: "Inform", slot: "name", value: wantedName }, true);
              break;
            }
            if (state.offered === undefined || !sameMultiWozValue(state.offered, act.value)) {
              progress = true;
              state.bookingOffered = false;
            }
            state.offered = act.value;
          } else if (info[slot] !== undefined && conflicts(slot, info[slot], act.value)) {
            irrelevant = true;
            state.offered = undefined;
            state.bookingOffered = false;
            this.push({ domain, intent: "Inform", slot, value: info[slot] }, true);
            break;
          }
          if (state.informed[slot] === undefined && part.reqt.includes(slot)) progress = true;
          state.informed[slot] = act.value;
          s.agenda = s.agenda.filter((item) => !(item.domain === domain && item.intent === "Request" && item.slot === slot));
          break;
        }
        default:
          break;
      }
    }
    if (s.ended) return;
    if (irrelevant && this.persona.rejectsIrrelevant) progress = false;
    s.noProgress = progress ? 0 : s.noProgress + 1;
    // A user whose goal is complete leaves with thanks on its next turn rather than giving up.
    if (this.isComplete()) return;
    if (s.noProgress >= this.persona.patience || (s.noProgress > 0 && this.persona.quitProbability > 0 && rng.next() < this.persona.quitProbability)) {
      s.ended = true;
      s.endReason = "user-terminated";
      s.agenda = [];
    }
  }

  /**
   * A value the goal implies without stating it: a taxi between two venues of the goal departs from the first
   * venue the system offered and goes to the second; anything else is `dontcare`.
   */
  private impliedValue(domain: MultiWozSimDomain, slot: string): string {
    if (domain !== "taxi" || (slot !== "departure" && slot !== "destination")) return "dontcare";
    const venues = multiWozGoalDomainOrder(this.goal)
      .filter((other) => other !== "taxi" && other !== "train")
      .map((other) => this.state.progress[other]?.offered)
      .filter((name): name is string => name !== undefined);
    const value = slot === "departure" ? venues[0] : venues[1];
    return value ?? "dontcare";
  }

  private refill(): void {
    const s = this.state;
    for (const domain of multiWozGoalDomainOrder(this.goal).reverse()) {
      const part = this.goal.domains[domain]!;
      const state = s.progress[domain]!;
      if (multiWozDomainComplete(part, state)) continue;
      for (const slot of part.reqt) if (state.informed[slot] === undefined) this.push({ domain, intent: "Request", slot });
      const book = agendaActiveBook(part, state);
      if (book && state.reference === undefined) for (const [slot, value] of Object.entries(book)) this.push({ domain, intent: "Inform", slot, value });
      if (state.offered === undefined) for (const [slot, value] of Object.entries(agendaActiveInfo(part, state))) this.push({ domain, intent: "Inform", slot, value });
    }
  }

  private drawCount(rng: Rng): number {
    let u = rng.next();
    for (let i = 0; i < this.actCounts.length; i++) {
      u -= this.actCounts[i]!;
      if (u < 0) return i + 1;
    }
    return this.actCounts.length;
  }

  /** The user's next acts (popped from the agenda); `general-thank` + `general-bye` when done or giving up. */
  next(rng: Rng): DialogueAct[] {
    const s = this.state;
    s.turns += 1;
    const farewell = [makeMultiWozAct("general", "thank"), makeMultiWozAct("general", "bye")];
    if (s.ended) return s.endReason === "user-terminated" ? [makeMultiWozAct("general", "bye")] : farewell;
    const stale = (item: MultiWozAgendaItem) => {
      const part = this.goal.domains[item.domain]!;
      const state = s.progress[item.domain]!;
      if (item.intent === "Request") return state.informed[item.slot] !== undefined;
      const book = agendaActiveBook(part, state);
      return book?.[item.slot] !== undefined && state.reference !== undefined && agendaActiveInfo(part, state)[item.slot] === undefined;
    };
    s.agenda = s.agenda.filter((item) => !stale(item));
    if (s.agenda.length === 0) {
      if (this.isComplete()) {
        s.ended = true;
        s.endReason = "goal-complete";
        return farewell;
      }
      this.refill();
      if (s.agenda.length === 0) {
        s.ended = true;
        s.endReason = "user-terminated";
        return [makeMultiWozAct("general", "bye")];
      }
    }
    const answers = Math.min(s.answers, s.agenda.length);
    const budget = Math.max(answers, Math.min(this.drawCount(rng), this.persona.maxActs));
    const top = s.agenda[s.agenda.length - 1]!;
    const acts: DialogueAct[] = [];
    while (acts.length < budget && s.agenda.length > 0) {
      const item = s.agenda[s.agenda.length - 1]!;
      if (item.domain !== top.domain && acts.length >= answers) break;
      s.agenda.pop();
      acts.push(this.toAct(item));
      if (item.intent === "Inform" && item.value !== undefined) s.progress[item.domain]!.told[item.slot] = item.value;
      s.currentDomain = item.domain;
    }
    s.answers = 0;
    return acts;
  }

  /** The system acts' reaction and the next turn in one call. */
  respond(systemActs: readonly DialogueAct[], rng: Rng): DialogueAct[] {
    this.receive(systemActs, rng);
    return this.next(rng);
  }

  /**
   * Replays acts the user already said (e.g. from a history a planner built): removes them from the agenda and
   * updates the current domain, without drawing anything.
   */
  observeOwnActs(acts: readonly DialogueAct[]): void {
    const s = this.state;
    s.turns += 1;
    for (const act of acts) {
      if (act.domain === "general") {
        if (act.intent === "bye") {
          s.ended = true;
          s.endReason ??= this.isComplete() ? "goal-complete" : "user-terminated";
        }
        continue;
      }
      const domain = goalDomainOf(act.domain);
      if (!domain) continue;
      s.currentDomain = domain;
      const slot = act.slot === undefined ? undefined : goalSlotOf(domain, act.slot);
      const index = s.agenda.findIndex((item) => item.domain === domain && item.intent === act.intent && item.slot === slot);
      if (index >= 0) s.agenda.splice(index, 1);
      const progress = s.progress[domain];
      if (progress && act.intent === "Inform" && slot !== undefined && act.value !== undefined) progress.told[slot] = act.value;
    }
    s.answers = 0;
  }

  private toAct(item: MultiWozAgendaItem): DialogueAct {
    return makeMultiWozAct(actDomainOf(item.domain), item.intent, actSlotOf(item.domain, item.slot), item.intent === "Inform" ? item.value : undefined);
  }
}
