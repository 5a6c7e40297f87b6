import {
  normalizeMultiWozSlot,
  parseMultiWozTime,
  type DialogueAct,
  type MultiWozBeliefState,
  type MultiWozDatabase,
  type MultiWozDomainGoal,
  type MultiWozEntity,
  type MultiWozGoal,
} from "@foresight/dialogue";
import { partialRatio } from "./fuzzy.js";
import { resolveTrain, resolveVenue } from "./resolve.js";
import {
  EVALUATED_DOMAINS,
  INFORM_SLOT_MAPPING,
  NUL_VALUES,
  REQUESTABLE_SLOTS,
  canonicalInformValue,
  isEvaluatedDomain,
  isWellFormedInform,
  type EvaluatedDomain,
} from "./tables.js";

/** Inform precision/recall/F1 over requested slots (`null` where undefined, as in ConvLab). */
export interface InformScore {
  precision: number | null;
  recall: number | null;
  f1: number | null;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

/** The evaluation of one dialogue session against its goal. */
export interface MultiWozEvaluation {
  inform: InformScore;
  /** Mean share of the goal's informable constraints the booked entities satisfy, over goal domains with a booking; null if none. */
  bookRate: number | null;
  /** Share of goal domains whose constraints (and booked entity) the database confirms; 1 when nothing to check. */
  finalGoal: number;
  /**
   * ConvLab-3's booking-constraint check (`book_rate_constrains`): per goal domain with booking constraints (taxi
   * excepted), the share of the goal's `book` slots (`people`, `day`, `stay`, `time`) that the belief state held when
   * the booking was made carries with the same value; 0 for a domain where nothing was booked, 1 where the booking
   * came without a belief state or the state tracks no booking slot; the mean over domains, null if none.
   */
  bookConstraints: number | null;
  /** ConvLab's task success: book rate 1 and inform recall 1 (where defined), and final goal 1. */
  success: boolean;
  /**
   * ConvLab-3's strict success (`success_strict`, what its `task_success` returns by default): success and booking
   * constraints 1 (or none to check).
   */
  strictSuccess: boolean;
  /** ConvLab's per-domain success (book rate and inform recall of that domain), for the goal's domains. */
  domainSuccess: Partial<Record<string, boolean>>;
  /** What was booked per domain: the entity's name or train id, or `taxi` for a booked taxi. */
  booked: Partial<Record<string, string>>;
}

const BOOKABLE = ["hotel", "restaurant", "train"] as const;
const INFORM_INTENTS = new Set(["inform", "recommend", "offerbook", "offerbooked"]);
/** Domains whose database answer ignores soft constraints (ConvLab returns taxi, police and hospital early). */
const SPECIAL_DOMAINS: ReadonlySet<string> = new Set(["taxi", "police", "hospital"]);

interface SystemInform {
  domain: EvaluatedDomain;
  slot: string;
  value: string;
  wellFormed: boolean;
}

function lower(text: string | undefined): string {
  return (text ?? "").toLowerCase();
}

function sameEntity(a: MultiWozEntity, b: MultiWozEntity): boolean {
  if (a === b) return true;
  const key = (e: MultiWozEntity): string => String(e.trainID ?? e.id ?? e.name ?? "");
  return key(a) !== "" && key(a) === key(b) && a.name === b.name && a.day === b.day;
}

/**
 * ConvLab's MultiWOZ evaluator (`MultiWozEvaluator`, goal-referenced): feed it a goal, then each turn's user and
 * system acts in order; it tracks the current domain, the informed slots and the first booking per domain, and
 * scores inform precision/recall/F1, book rate, the final-goal database check, success and strict success.
 *
 * Bookings: a `Booking-Book(Ref)` (under the current domain), `Train-OfferBooked(Ref)` or `Train-Inform(Ref)` books
 * the entity found by, in order, a reference registered with {@link registerBooking}, the turn's belief state
 * (`booked` entry with that reference, looked up by name / train id), or ConvLab's convention of an 8-digit database
 * index; `Taxi-Inform(Car)` books a taxi. A system turn's belief state also books, where nothing is booked yet in a
 * domain, its first confirmed booking (human corpus turns book without a parseable reference act).
 *
 * Two deliberate differences from ConvLab's code: informed values are compared case-insensitively in the format
 * checks, and the false-positive test compares informed slots with the requestable slots in the goal's spelling
 * (ConvLab compares `address` with `addr` and so never counts unrequested addresses, postcodes or prices).
 */
export class MultiWozEvaluator {
  private goal: MultiWozGoal = { domains: {}, message: [] };
  private currentDomain = "";
  private informs: SystemInform[] = [];
  private readonly booked = new Map<string, MultiWozEntity | "taxi">();
  /** The belief state's booking slots of a domain when its booking was made (ConvLab-3's `booked_states`). */
  private readonly bookedStates = new Map<string, Readonly<Record<string, string>> | undefined>();
  private readonly references = new Map<string, { domain: string; entity: MultiWozEntity }>();

  /** Creates an evaluator over the venue database (used for bookings and the final-goal check). */
  constructor(private readonly db: MultiWozDatabase) {}

  /** Starts a new session with this goal. */
  reset(goal: MultiWozGoal): void {
    this.goal = goal;
    this.currentDomain = "";
    this.informs = [];
    this.booked.clear();
    this.bookedStates.clear();
    this.references.clear();
  }

  /** Declares that `reference` books `entity` in `domain` (for systems that book through the database). */
  registerBooking(domain: string, reference: string, entity: MultiWozEntity): void {
    this.references.set(reference.toLowerCase(), { domain: domain.toLowerCase(), entity });
  }

  private track(act: DialogueAct): string {
    const domain = lower(act.domain);
    if (isEvaluatedDomain(domain) && domain !== this.currentDomain) this.currentDomain = domain;
    return domain;
  }

  /** Adds the user's acts of one turn (they move the current domain). */
  addUserActs(acts: readonly DialogueAct[]): void {
    for (const act of acts) this.track(act);
  }

  /** Adds the system's acts of one turn, with the turn's belief state when there is one. */
  addSystemActs(acts: readonly DialogueAct[], belief?: MultiWozBeliefState): void {
    for (const act of acts) {
      const domain = this.track(act);
      const intent = lower(act.intent);
      const slot = lower(act.slot);
      const value = act.value ?? "";
      if (isEvaluatedDomain(domain) && INFORM_INTENTS.has(intent)) {
        const goalSlot = INFORM_SLOT_MAPPING[domain][slot];
        if (goalSlot !== undefined && !NUL_VALUES.has(value.trim())) {
          const canonical = canonicalInformValue(goalSlot, value);
          this.informs.push({ domain, slot: goalSlot, value: canonical, wellFormed: isWellFormedInform(domain, goalSlot, canonical) });
        }
      }
      const da = `${domain}-${intent}-${slot}`;
      if (da === "booking-book-ref" && (BOOKABLE as readonly string[]).includes(this.currentDomain)) {
        this.book(this.currentDomain, value, belief);
      } else if (da === "train-offerbooked-ref" || da === "train-inform-ref") {
        this.book("train", value, belief);
      } else if (da === "taxi-inform-car" && !this.booked.has("taxi")) {
        this.booked.set("taxi", "taxi");
      }
    }
    if (!belief) return;
    for (const domain of BOOKABLE) {
      const first = belief[domain]?.booked[0];
      if (first && !this.booked.has(domain)) {
        const entity = this.lookUpBooking(domain, first, belief);
        if (entity) this.setBooked(domain, entity, belief);
      }
    }
    if ((belief.taxi?.booked.length ?? 0) > 0 && !this.booked.has("taxi")) this.booked.set("taxi", "taxi");
  }

  private book(domain: string, reference: string, belief?: MultiWozBeliefState): void {
    if (this.booked.has(domain)) return;
    const registered = this.references.get(reference.toLowerCase());
    if (registered && registered.domain === domain) {
      this.setBooked(domain, registered.entity, belief);
      return;
    }
    const entry = belief?.[domain]?.booked.find((b) => lower(b.reference) === reference.toLowerCase());
    const fromBelief = entry ? this.lookUpBooking(domain, entry, belief) : undefined;
    if (fromBelief) {
      this.setBooked(domain, fromBelief, belief);
      return;
    }
    const rows = this.db.entities(domain);
    if (/^\d{8}$/.test(reference) && Number(reference) < rows.length) this.setBooked(domain, rows[Number(reference)]!, belief);
  }

  private setBooked(domain: string, entity: MultiWozEntity, belief?: MultiWozBeliefState): void {
    this.booked.set(domain, entity);
    const state = belief?.[domain]?.book;
    this.bookedStates.set(domain, state === undefined ? undefined : { ...state });
  }

  private lookUpBooking(domain: string, entry: Record<string, string>, belief?: MultiWozBeliefState): MultiWozEntity | undefined {
    if (domain === "train") return entry.trainID ? resolveTrain(this.db, entry.trainID, belief?.train?.semi) : undefined;
    return entry.name ? resolveVenue(this.db, domain, entry.name) : undefined;
  }

  private domainGoal(domain: string): MultiWozDomainGoal | undefined {
    return (this.goal.domains as Record<string, MultiWozDomainGoal | undefined>)[domain];
  }

  private bookScores(domains: readonly string[]): number[] {
    const scores: number[] = [];
    for (const domain of domains) {
      const goal = this.domainGoal(domain);
      if (!goal || goal.book === undefined) continue;
      let total = Object.keys(goal.info).length;
      if (total === 0) continue;
      const entity = this.booked.get(domain);
      if (entity === undefined) {
        scores.push(0);
        continue;
      }
      if (domain === "taxi" || entity === "taxi") {
        scores.push(1);
        continue;
      }
      let match = 0;
      for (const [slot, wanted] of Object.entries(goal.info)) {
        if (slot === "destination" || slot === "departure") {
          total--;
        } else if (slot === "leaveAt" || slot === "arriveBy") {
          const bound = parseMultiWozTime(wanted);
          const actual = parseMultiWozTime(String(entity[slot] ?? ""));
          if (bound === undefined || actual === undefined || (slot === "leaveAt" ? actual >= bound : actual <= bound)) match++;
        } else if (typeof entity[slot] === "string" && wanted.trim() === (entity[slot] as string).trim()) {
          match++;
        }
      }
      if (total !== 0) scores.push(match / total);
    }
    return scores;
  }

  private bookConstraintScores(domains: readonly string[]): number[] {
    const scores: number[] = [];
    for (const domain of domains) {
      const goal = this.domainGoal(domain);
      if (domain === "taxi" || !goal?.book) continue;
      const wanted = Object.entries(goal.book);
      if (wanted.length === 0) continue;
      if (!this.booked.has(domain)) {
        scores.push(0);
        continue;
      }
      const state = this.bookedStates.get(domain);
      if (state === undefined || Object.keys(state).length === 0) {
        scores.push(1);
        continue;
      }
      const match = wanted.filter(([slot, value]) => lower(state[slot]).trim() === value.trim().toLowerCase()).length;
      scores.push(match / wanted.length);
    }
    return scores;
  }

  /** ConvLab-3's booking-constraint rate (`book_rate_constrains`, see {@link MultiWozEvaluation.bookConstraints}). */
  bookConstraints(): number | null {
    const scores = this.bookConstraintScores(EVALUATED_DOMAINS);
    return scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length;
  }

  /** Book rate over the goal's domains with a booking (ConvLab's `book_rate`); null when there is none. */
  bookRate(): number | null {
    const scores = this.bookScores(EVALUATED_DOMAINS);
    return scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length;
  }

  private informCounts(domains: readonly EvaluatedDomain[]): { tp: number; fp: number; fn: number } {
    const informed = new Map<string, Set<string>>(domains.map((d) => [d, new Set<string>()]));
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const inform of this.informs) {
      const slots = informed.get(inform.domain);
      if (!slots) continue;
      if (inform.wellFormed) slots.add(inform.slot);
      else fp++;
    }
    for (const domain of domains) {
      const goal = this.domainGoal(domain);
      const reqt = goal?.reqt ?? [];
      const info = goal?.info ?? {};
      const slots = informed.get(domain)!;
      for (const slot of reqt) {
        if (slots.has(slot)) tp++;
        else fn++;
      }
      for (const slot of slots) {
        if (!reqt.includes(slot) && !(slot in info) && REQUESTABLE_SLOTS[domain].includes(slot)) fp++;
      }
    }
    return { tp, fp, fn };
  }

  /** Inform precision/recall/F1 (ConvLab's `inform_F1`): all null when nothing was requested. */
  inform(): InformScore {
    const { tp, fp, fn } = this.informCounts(EVALUATED_DOMAINS);
    const base = { truePositives: tp, falsePositives: fp, falseNegatives: fn };
    if (tp + fn === 0) return { precision: null, recall: null, f1: null, ...base };
    const recall = tp / (tp + fn);
    if (tp + fp === 0 || tp === 0) return { precision: 0, recall, f1: 0, ...base };
    const precision = tp / (tp + fp);
    return { precision, recall, f1: (2 * precision * recall) / (precision + recall), ...base };
  }

  /** The last well-formed informed value of each requested slot of a domain (ConvLab's filled `reqt`). */
  private informedRequests(domain: string, reqt: readonly string[]): [string, string][] {
    const values = new Map<string, string>();
    for (const inform of this.informs) {
      if (inform.domain === domain && inform.wellFormed && reqt.includes(inform.slot) && inform.value !== "none") {
        values.set(inform.slot, inform.value);
      }
    }
    return [...values];
  }

  private satisfiesSoft(domain: string, entity: MultiWozEntity, slot: string, value: string): boolean {
    const column = normalizeMultiWozSlot(domain, slot);
    if (column === undefined) return true;
    const stored = entity[column];
    if (typeof stored !== "string" && typeof stored !== "number") return true;
    const text = String(stored).trim();
    if (column === "leaveAt" || column === "arriveBy") {
      const bound = parseMultiWozTime(value);
      const actual = parseMultiWozTime(text);
      if (bound === undefined || actual === undefined) return true;
      return column === "leaveAt" ? actual >= bound : actual <= bound;
    }
    return text === "?" || partialRatio(value, text) >= 60;
  }

  /**
   * The final-goal check (ConvLab's `final_goal_analyze`): per goal domain, the database must hold an entity meeting
   * the goal's constraints and, as soft constraints (partial ratio ≥ 60; time bounds for times), the values the system
   * informed for the requested slots; where the goal asks for a booking, the booked entity must be among them.
   */
  finalGoal(): number {
    let match = 0;
    let mismatch = 0;
    for (const [domain, goal] of Object.entries(this.goal.domains)) {
      if (!goal) continue;
      const soft = SPECIAL_DOMAINS.has(domain) ? [] : this.informedRequests(domain, goal.reqt);
      const found = this.db
        .query(domain, goal.info)
        .filter((entity) => soft.every(([slot, value]) => this.satisfiesSoft(domain, entity, slot, value)));
      if (found.length === 0) {
        mismatch++;
        continue;
      }
      const booked = this.booked.get(domain);
      if (goal.book === undefined || booked === undefined || booked === "taxi") match++;
      else if (found.some((entity) => sameEntity(entity, booked))) match++;
      else mismatch++;
    }
    return match + mismatch === 0 ? 1 : match / (match + mismatch);
  }

  private static succeeded(book: number | null, recall: number | null): boolean {
    return (book === 1 && recall === 1) || (book === 1 && recall === null) || (book === null && recall === 1);
  }

  /** Per-domain success (ConvLab's `domain_success`); `undefined` for a domain the goal lacks. */
  domainSuccess(domain: string): boolean | undefined {
    if (!this.domainGoal(domain) || !isEvaluatedDomain(domain)) return undefined;
    const scores = this.bookScores([domain]);
    const book = scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length;
    const { tp, fn } = this.informCounts([domain]);
    return MultiWozEvaluator.succeeded(book, tp + fn === 0 ? null : tp / (tp + fn));
  }

  /** Every score of the session. */
  evaluate(): MultiWozEvaluation {
    const inform = this.inform();
    const bookRate = this.bookRate();
    const finalGoal = this.finalGoal();
    const bookConstraints = this.bookConstraints();
    const success = MultiWozEvaluator.succeeded(bookRate, inform.recall) && finalGoal === 1;
    const domainSuccess: Partial<Record<string, boolean>> = {};
    for (const domain of Object.keys(this.goal.domains)) {
      const result = this.domainSuccess(domain);
      if (result !== undefined) domainSuccess[domain] = result;
    }
    const booked: Partial<Record<string, string>> = {};
    for (const [domain, entity] of this.booked) {
      booked[domain] = entity === "taxi" ? "taxi" : String(entity.trainID ?? entity.name ?? "");
    }
    return {
      inform,
      bookRate,
      finalGoal,
      bookConstraints,
      success,
      strictSuccess: success && (bookConstraints === null || bookConstraints === 1),
      domainSuccess,
      booked,
    };
  }
}
