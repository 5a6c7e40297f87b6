import { createRng, loadSgdDialogues, loadSgdSchemas, SGD_VALUE_SEPARATOR, type Dialogue, type Rng, type SgdIntent, type SgdServiceSchema, type SgdSplit } from "@foresight/dialogue";
import type { AgendaPersona } from "../multiwoz/persona.js";

/** A service of the SGD schemas (the first schema file's version) with every schema file that lists it. */
export interface SgdService extends Omit<SgdServiceSchema, "split"> {
  splits: SgdSplit[];
}

/** The services of `<data>/sgd/{train,dev,test}_schema.json`, once per name, with the files that list them. */
export function sgdServices(schemas: readonly SgdServiceSchema[]): SgdService[] {
  const byName = new Map<string, SgdService>();
  for (const { split, ...schema } of schemas) {
    const known = byName.get(schema.serviceName);
    if (known) known.splits.push(split);
    else byName.set(schema.serviceName, { ...schema, splits: [split] });
  }
  return [...byName.values()];
}

/**
 * The system act types of the offline SGD world (SGD's system acts; INFORM_COUNT travels with OFFER, NOTIFY_FAILURE
 * and OFFER_INTENT's alternatives are not modelled).
 */
export const SGD_SYSTEM_ACT_TYPES = ["REQUEST", "OFFER", "INFORM", "OFFER_INTENT", "CONFIRM", "NOTIFY_SUCCESS", "REQ_MORE", "GOODBYE"] as const;
export type SgdSystemActType = (typeof SGD_SYSTEM_ACT_TYPES)[number];

/** One act of the SGD world (`slot` empty for slot-less acts; `value` for INFORM-like acts). */
export interface SgdWorldAct {
  act: string;
  slot: string;
  value?: string;
}

/** The turn limit of SGD dialogues (the paper's T_max for SGD). */
export const SGD_MAX_TURNS = 20;

/** A service with a search intent, its optional transactional intent, and its schema-consistent entities. */
export interface SgdTask {
  service: SgdService;
  search: SgdIntent;
  transact?: SgdIntent;
  /** Entities: one value per slot of the search intent (required, optional and result slots). */
  entities: Record<string, string>[];
  /** The result slot an offer names its entity by (see {@link offerNameSlot}). */
  nameSlot: string;
}

/** A user goal over one service: search constraints, slots to ask for, and (optionally) booking values. */
export interface SgdGoal {
  id: string;
  service: string;
  /** `train` for services of the train schema, `test` for services only the test schema lists (unseen services). */
  split: "train" | "test";
  constraints: Record<string, string>;
  requests: string[];
  /** Values of the transactional intent's required slots, when the user wants to book. */
  book?: Record<string, string>;
}

/** The offline SGD world: tasks per service, goals, and the corpus-fit system act prior. */
export interface SgdWorld {
  tasks: Map<string, SgdTask>;
  goals: SgdGoal[];
  prior: SgdActPrior;
}

const ENTITIES_PER_SERVICE = 8;
const GOALS_PER_SERVICE = 12;

function humanize(slot: string): string {
  return slot.replace(/_/g, " ");
}

/** The search intent of a service (its first non-transactional intent with result slots), if any. */
function searchIntent(service: SgdService): SgdIntent | undefined {
  return service.intents.find((intent) => !intent.isTransactional && intent.resultSlots.length > 0);
}

/** Values of a slot seen in the SGD dialogues, by slot name. */
function corpusSlotValues(dialogues: readonly Dialogue[]): Map<string, string[]> {
  const values = new Map<string, Set<string>>();
  for (const dialogue of dialogues) {
    for (const turn of dialogue.turns) {
      for (const act of turn.acts ?? []) {
        if (!act.slot || act.value === undefined) continue;
        for (const value of act.value.split(SGD_VALUE_SEPARATOR)) (values.get(act.slot) ?? values.set(act.slot, new Set()).get(act.slot)!).add(value);
      }
    }
  }
  return new Map([...values].map(([slot, set]) => [slot, [...set].sort()]));
}

/**
 * Schema-consistent entities of a service: each slot of the search intent gets a categorical slot's possible value,
 * or (non-categorical) a value the corpus uses for that slot, or a numbered placeholder; constraint slots draw from
 * small pools (so several entities share a city), result slots are per entity.
 */
function buildEntities(service: SgdService, search: SgdIntent, corpus: Map<string, string[]>, rng: Rng): Record<string, string>[] {
  const slots = [...new Set([...search.requiredSlots, ...Object.keys(search.optionalSlots), ...search.resultSlots])];
  const constraintSlots = new Set([...search.requiredSlots, ...Object.keys(search.optionalSlots)]);
  const pools = new Map<string, string[]>();
  for (const name of slots) {
    const schema = service.slots.find((slot) => slot.name === name);
    const size = constraintSlots.has(name) ? 3 : ENTITIES_PER_SERVICE;
    let pool = schema?.isCategorical && schema.possibleValues.length > 0 ? schema.possibleValues : (corpus.get(name) ?? []);
    if (pool.length < size && !(schema?.isCategorical && schema.possibleValues.length > 0)) pool = Array.from({ length: size }, (_, i) => `${humanize(name)} ${i + 1}`);
    pools.set(name, pool.slice(0, Math.max(size, schema?.isCategorical ? pool.length : 0)));
  }
  return Array.from({ length: ENTITIES_PER_SERVICE }, (_, i) => {
    const entity: Record<string, string> = {};
    for (const name of slots) {
      const pool = pools.get(name)!;
      entity[name] = constraintSlots.has(name) ? pool[rng.int(pool.length)]! : pool[i % pool.length]!;
    }
    return entity;
  });
}

/**
 * The slot an offer names its entity by, as an SGD system names the restaurant or property it offers: the first
 * result slot outside the search constraints whose value differs between every two entities (every service has
 * one: non-categorical result slots get a value per entity).
 */
export function offerNameSlot(search: SgdIntent, entities: readonly Record<string, string>[]): string {
  const constraints = new Set([...search.requiredSlots, ...Object.keys(search.optionalSlots)]);
  const slot = search.resultSlots.find((name) => !constraints.has(name) && new Set(entities.map((e) => e[name])).size === entities.length);
  if (!slot) throw new Error(`SGD intent "${search.name}": no result slot tells its entities apart, so an offer cannot name one`);
  return slot;
}

function buildGoal(task: SgdTask, id: string, split: SgdGoal["split"], rng: Rng): SgdGoal {
  const target = task.entities[rng.int(task.entities.length)]!;
  const constraints: Record<string, string> = {};
  for (const slot of task.search.requiredSlots) constraints[slot] = target[slot]!;
  for (const slot of Object.keys(task.search.optionalSlots)) if (rng.next() < 0.3) constraints[slot] = target[slot]!;
  const askable = task.search.resultSlots.filter((slot) => !(slot in constraints));
  const requests: string[] = [];
  const wanted = Math.min(askable.length, 1 + rng.int(2));
  while (requests.length < wanted) {
    const slot = askable[rng.int(askable.length)]!;
    if (!requests.includes(slot)) requests.push(slot);
  }
  const goal: SgdGoal = { id, service: task.service.serviceName, split, constraints, requests };
  if (task.transact && rng.next() < 0.6) {
    const book: Record<string, string> = {};
    for (const slot of task.transact.requiredSlots) {
      if (slot in target) book[slot] = target[slot]!;
      else {
        const schema = task.service.slots.find((s) => s.name === slot);
        book[slot] = schema?.isCategorical && schema.possibleValues.length > 0 ? schema.possibleValues[rng.int(schema.possibleValues.length)]! : `${humanize(slot)} ${1 + rng.int(3)}`;
      }
    }
    goal.book = book;
  }
  return goal;
}

/**
 * Builds the offline SGD world from the schemas and dialogues in `<data>/sgd`: every service with a search intent
 * becomes a task with {@link ENTITIES_PER_SERVICE} schema-consistent entities and {@link GOALS_PER_SERVICE} goals
 * (seeded by `seed`); services of the train schema give `train` goals, services only the test schema lists give the
 * held-out `test` goals. The system act prior is fitted on the SGD dialogues.
 */
export function loadSgdWorld(options: { dataDir?: string; seed?: number } = {}): SgdWorld {
  const data = options.dataDir ? { dataDir: options.dataDir } : {};
  return buildSgdWorld(sgdServices(loadSgdSchemas(data)), loadSgdDialogues(data), options.seed ?? 1);
}

/** {@link loadSgdWorld} from loaded parts. */
export function buildSgdWorld(services: readonly SgdService[], dialogues: readonly Dialogue[], seed: number): SgdWorld {
  const corpus = corpusSlotValues(dialogues);
  const tasks = new Map<string, SgdTask>();
  const goals: SgdGoal[] = [];
  for (const service of services) {
    const search = searchIntent(service);
    if (!search) continue;
    const split = service.splits.includes("train") ? "train" : service.splits.includes("test") && !service.splits.includes("dev") ? "test" : undefined;
    if (!split) continue;
    const rng = createRng(`sgd:${seed}:${service.serviceName}`);
    const transact = service.intents.find((intent) => intent.isTransactional);
    const entities = buildEntities(service, search, corpus, rng);
    const task: SgdTask = { service, search, ...(transact ? { transact } : {}), entities, nameSlot: offerNameSlot(search, entities) };
    tasks.set(service.serviceName, task);
    for (let i = 0; i < GOALS_PER_SERVICE; i++) goals.push(buildGoal(task, `${service.serviceName}-${i}`, split, rng));
  }
  return { tasks, goals, prior: SgdActPrior.fit(dialogues) };
}

/** The world's task of a goal. */
export function sgdTask(world: SgdWorld, goal: SgdGoal): SgdTask {
  const task = world.tasks.get(goal.service);
  if (!task) throw new Error(`no SGD service "${goal.service}" in the world`);
  return task;
}

// ---------------------------------------------------------------------------------------------------------------
// The system side: tracked state and grounded acts.

/** What the system knows at a turn (tracked from both sides' acts). */
export interface SgdState {
  turn: number;
  /** Slot values the user gave (search and booking slots; `dontcare` allowed). */
  known: Record<string, string>;
  /** Index of the entity on offer. */
  offered?: number;
  rejected: number[];
  /** Slots the user asked about the offered entity, not yet answered. */
  userRequests: string[];
  phase: "search" | "book";
  confirmPending: boolean;
  confirmed: boolean;
  booked: boolean;
  /** The user's act types in its last turn. */
  lastUser: string[];
  /** The system's act type in its last turn. */
  lastSystem?: SgdSystemActType;
}

export function initialSgdState(): SgdState {
  return { turn: 0, known: {}, rejected: [], userRequests: [], phase: "search", confirmPending: false, confirmed: false, booked: false, lastUser: [] };
}

/** A grounded system turn: its type and acts, and the entity it offers. */
export interface SgdBundle {
  type: SgdSystemActType;
  acts: SgdWorldAct[];
  entity?: number;
}

/**
 * The entity an offer names: the one entity with every value the turn's OFFER acts show (undefined when the turn
 * offers nothing or its values fit no single entity).
 */
export function sgdOfferedEntity(task: SgdTask, acts: readonly SgdWorldAct[]): number | undefined {
  const shown = acts.filter((a) => a.act === "OFFER");
  if (shown.length === 0) return undefined;
  const fitting = task.entities.flatMap((e, i) => (shown.every((a) => e[a.slot] === a.value) ? [i] : []));
  return fitting.length === 1 ? fitting[0] : undefined;
}

function matches(entity: Record<string, string>, constraints: Record<string, string>): boolean {
  return Object.entries(constraints).every(([slot, value]) => value === "dontcare" || !(slot in entity) || entity[slot] === value);
}

/** The booking slot values the system would use: the user's, else the offered entity's. */
function bookingValues(task: SgdTask, state: SgdState): Record<string, string> | undefined {
  if (!task.transact || state.offered === undefined) return undefined;
  const entity = task.entities[state.offered]!;
  const values: Record<string, string> = {};
  for (const slot of task.transact.requiredSlots) {
    const value = state.known[slot] ?? entity[slot];
    if (value === undefined) return undefined;
    values[slot] = value;
  }
  return values;
}

/** The system turns the database and state ground now, one per grounded act type (in {@link SGD_SYSTEM_ACT_TYPES} order). */
export function groundedSgdBundles(task: SgdTask, state: SgdState): SgdBundle[] {
  const out: SgdBundle[] = [];
  const searchSlots = [...task.search.requiredSlots, ...Object.keys(task.search.optionalSlots)];
  const unknownSearch = searchSlots.filter((slot) => !(slot in state.known));
  const entity = state.offered !== undefined ? task.entities[state.offered] : undefined;
  const unknownBook = state.phase === "book" && task.transact ? task.transact.requiredSlots.filter((slot) => !(slot in state.known) && !(entity && slot in entity)) : [];
  const ask = state.phase === "book" ? unknownBook[0] : unknownSearch[0];
  if (ask) out.push({ type: "REQUEST", acts: [{ act: "REQUEST", slot: ask }] });
  if (state.phase === "search" && task.search.requiredSlots.every((slot) => slot in state.known)) {
    const constraints = Object.fromEntries(searchSlots.filter((slot) => slot in state.known).map((slot) => [slot, state.known[slot]!]));
    const found = task.entities.map((e, i) => [e, i] as const).filter(([e, i]) => matches(e, constraints) && !state.rejected.includes(i));
    if (found.length > 0) {
      const [e, i] = found[0]!;
      // The entity's name and a few of its search values: the offer names one entity, the one the state records.
      const shown = [...new Set([task.nameSlot, ...task.search.requiredSlots.slice(0, 2), ...task.search.resultSlots.slice(0, 1)])];
      out.push({ type: "OFFER", entity: i, acts: [{ act: "INFORM_COUNT", slot: "count", value: String(found.length) }, ...shown.map((slot) => ({ act: "OFFER", slot, value: e[slot]! }))] });
    }
  }
  if (entity && state.userRequests.length > 0) out.push({ type: "INFORM", acts: state.userRequests.map((slot) => ({ act: "INFORM", slot, value: entity[slot] ?? "unknown" })) });
  if (entity && task.transact && state.phase === "search") out.push({ type: "OFFER_INTENT", acts: [{ act: "OFFER_INTENT", slot: "intent", value: task.transact.name }] });
  const values = state.phase === "book" ? bookingValues(task, state) : undefined;
  if (values && !state.confirmed) out.push({ type: "CONFIRM", acts: Object.entries(values).map(([slot, value]) => ({ act: "CONFIRM", slot, value })) });
  if (values && state.confirmed && !state.booked) out.push({ type: "NOTIFY_SUCCESS", acts: [{ act: "NOTIFY_SUCCESS", slot: "" }] });
  out.push({ type: "REQ_MORE", acts: [{ act: "REQ_MORE", slot: "" }] });
  out.push({ type: "GOODBYE", acts: [{ act: "GOODBYE", slot: "" }] });
  return out;
}

/** The state after a system turn. */
export function applySgdSystemTurn(state: SgdState, bundle: SgdBundle): SgdState {
  const next: SgdState = { ...state, known: { ...state.known }, rejected: [...state.rejected], userRequests: [...state.userRequests], lastSystem: bundle.type };
  if (bundle.type === "OFFER" && bundle.entity !== undefined) next.offered = bundle.entity;
  if (bundle.type === "INFORM") next.userRequests = [];
  if (bundle.type === "CONFIRM") next.confirmPending = true;
  if (bundle.type === "NOTIFY_SUCCESS") next.booked = true;
  return next;
}

/** The state after a user turn. */
export function applySgdUserTurn(state: SgdState, acts: readonly SgdWorldAct[], task: SgdTask): SgdState {
  const next: SgdState = { ...state, known: { ...state.known }, rejected: [...state.rejected], userRequests: [...state.userRequests], turn: state.turn + 1, lastUser: [...new Set(acts.map((a) => a.act))] };
  for (const act of acts) {
    if (act.act === "INFORM" && act.value !== undefined) next.known[act.slot] = act.value;
    if ((act.act === "INFORM_INTENT" && act.value === task.transact?.name) || act.act === "AFFIRM_INTENT") next.phase = "book";
    if (act.act === "REQUEST" && !next.userRequests.includes(act.slot)) next.userRequests.push(act.slot);
    if (act.act === "REQUEST_ALTS" && next.offered !== undefined) {
      next.rejected.push(next.offered);
      delete next.offered;
    }
    if (act.act === "AFFIRM" && next.confirmPending) next.confirmed = true;
    if (act.act === "NEGATE" && next.confirmPending) next.confirmed = false;
  }
  if (state.confirmPending) next.confirmPending = false;
  return next;
}

// ---------------------------------------------------------------------------------------------------------------
// The user: an agenda user over the goal, with the MultiWOZ personas' patience and volunteering.

/** Why the SGD user ended the dialogue. */
export type SgdEndReason = "goal-complete" | "user-terminated" | "system-bye";

/** The agenda user of the SGD world (plain data inside; {@link clone} copies it). */
export class SgdUser {
  private constructor(
    readonly goal: SgdGoal,
    readonly task: SgdTask,
    readonly persona: AgendaPersona,
    private told: Set<string>,
    private received: Set<string>,
    private selected: number | undefined,
    private booked: boolean,
    private noProgress: number,
    public ended: boolean,
    public endReason: SgdEndReason | undefined,
  ) {}

  static create(goal: SgdGoal, task: SgdTask, persona: AgendaPersona): SgdUser {
    return new SgdUser(goal, task, persona, new Set(), new Set(), undefined, false, 0, false, undefined);
  }

  clone(): SgdUser {
    return new SgdUser(this.goal, this.task, this.persona, new Set(this.told), new Set(this.received), this.selected, this.booked, this.noProgress, this.ended, this.endReason);
  }

  /**
   * Follows a turn of a real conversation (the planning model's user replaying it): the system's acts (absent for
   * the opening) and what the real user answered, without answering itself.
   */
  observe(system: readonly SgdWorldAct[] | undefined, user: readonly SgdWorldAct[]): void {
    for (const act of system ?? []) {
      if (act.act === "INFORM" && this.goal.requests.includes(act.slot)) this.received.add(act.slot);
      if (act.act === "NOTIFY_SUCCESS" && this.goal.book && this.selected !== undefined) this.booked = true;
    }
    for (const act of user) {
      if (act.act === "INFORM") this.told.add(act.slot);
      if (act.act === "SELECT") {
        const entity = sgdOfferedEntity(this.task, system ?? []);
        if (entity !== undefined) this.selected = entity;
      }
      if (act.act === "REQUEST_ALTS") this.selected = undefined;
    }
    this.noProgress = 0;
  }

  /** Share of the requested slots the user was told, and (for a booking goal) whether it booked. */
  progress(): { inform: number; book?: number } {
    const inform = this.goal.requests.length === 0 ? 1 : this.goal.requests.filter((slot) => this.received.has(slot)).length / this.goal.requests.length;
    return { inform, ...(this.goal.book ? { book: this.booked ? 1 : 0 } : {}) };
  }

  /** The goal is complete: a matching entity selected, every request answered, booked when the goal books. */
  isComplete(): boolean {
    return this.selected !== undefined && this.goal.requests.every((slot) => this.received.has(slot)) && (!this.goal.book || this.booked);
  }

  /**
   * The value the user wants for a booking slot of its goal: the selected entity's own value for a slot of the
   * entity (the booking refers to the entity it chose), else its goal's; undefined for other slots.
   */
  private bookingValue(slot: string): string | undefined {
    if (!this.goal.book || !(slot in this.goal.book)) return undefined;
    const entity = this.selected !== undefined ? this.task.entities[this.selected] : undefined;
    return entity && slot in entity ? entity[slot] : this.goal.book[slot];
  }

  /** A cooperative user volunteers about half its constraints, a less-cooperative one fewer (at most `maxActs`). */
  private volunteer(rng: Rng, share: number): SgdWorldAct[] {
    const out: SgdWorldAct[] = [];
    for (const [slot, value] of Object.entries(this.goal.constraints)) {
      if (this.told.has(slot) || out.length >= this.persona.maxActs) continue;
      if (rng.next() < share) {
        out.push({ act: "INFORM", slot, value });
        this.told.add(slot);
      }
    }
    return out;
  }

  /** The opening turn: the search intent and some constraints. */
  open(rng: Rng): SgdWorldAct[] {
    return [{ act: "INFORM_INTENT", slot: "intent", value: this.task.search.name }, ...this.volunteer(rng, this.persona.rejectsIrrelevant ? 0.3 : 0.5)];
  }

  /** The user's answer to a system turn; ends the dialogue when the goal is complete or patience runs out. */
  respond(system: readonly SgdWorldAct[], rng: Rng): SgdWorldAct[] {
    const out: SgdWorldAct[] = [];
    let progress = false;
    for (const act of system) {
      if (act.act === "REQUEST") {
        const value = this.goal.constraints[act.slot] ?? this.bookingValue(act.slot) ?? "dontcare";
        out.push({ act: "INFORM", slot: act.slot, value });
        if (!this.told.has(act.slot)) progress = true;
        this.told.add(act.slot);
      } else if (act.act === "INFORM" && act.slot && this.goal.requests.includes(act.slot) && !this.received.has(act.slot)) {
        this.received.add(act.slot);
        progress = true;
      } else if (act.act === "NOTIFY_SUCCESS" && this.goal.book && this.selected !== undefined && !this.booked) {
        this.booked = true;
        progress = true;
      } else if (act.act === "GOODBYE") {
        this.ended = true;
        this.endReason = "system-bye";
        return [{ act: "GOODBYE", slot: "" }];
      }
    }
    const types = new Set(system.map((a) => a.act));
    if (types.has("OFFER")) {
      // The entity the offer names, checked against every constraint of the goal (shown or not).
      const entity = sgdOfferedEntity(this.task, system);
      const violated = Object.entries(this.goal.constraints).find(([slot, value]) => entity === undefined || this.task.entities[entity]![slot] !== value);
      if (entity !== undefined && !violated) {
        if (this.selected !== entity) progress = true;
        this.selected = entity;
        out.push({ act: "SELECT", slot: "" });
        for (const slot of this.goal.requests) if (!this.received.has(slot)) out.push({ act: "REQUEST", slot });
      } else {
        out.push({ act: "REQUEST_ALTS", slot: "" });
        if (violated && !this.told.has(violated[0])) {
          out.push({ act: "INFORM", slot: violated[0], value: violated[1] });
          this.told.add(violated[0]);
          progress = true;
        }
        this.selected = undefined;
      }
    }
    if (types.has("OFFER_INTENT")) {
      if (this.goal.book && this.selected !== undefined) {
        out.push({ act: "AFFIRM_INTENT", slot: "" });
        progress = true;
      } else out.push({ act: "NEGATE_INTENT", slot: "" });
    }
    if (types.has("CONFIRM")) {
      const wrong = system.filter((a) => a.act === "CONFIRM").find((a) => {
        const wanted = this.bookingValue(a.slot);
        return wanted !== undefined && wanted !== a.value;
      });
      if (this.goal.book && !wrong) {
        out.push({ act: "AFFIRM", slot: "" });
        progress = true;
      } else {
        out.push({ act: "NEGATE", slot: "" });
        if (wrong) out.push({ act: "INFORM", slot: wrong.slot, value: this.bookingValue(wrong.slot)! });
      }
    }
    if (this.isComplete()) {
      this.ended = true;
      this.endReason = "goal-complete";
      return [...out, { act: "THANK_YOU", slot: "" }, { act: "GOODBYE", slot: "" }];
    }
    // Asked for more without having what it wants: the user restates what is missing.
    if (types.has("REQ_MORE")) {
      const missing = this.goal.requests.filter((slot) => !this.received.has(slot));
      if (this.selected !== undefined && missing.length > 0) out.push(...missing.map((slot) => ({ act: "REQUEST", slot })));
      else if (this.selected !== undefined && this.goal.book && !this.persona.rejectsIrrelevant) out.push({ act: "INFORM_INTENT", slot: "intent", value: this.task.transact!.name });
      else out.push(...this.volunteer(rng, 1));
    }
    // A cooperative user asks to book once it has what it searched for.
    if (this.selected !== undefined && this.goal.book && !this.persona.rejectsIrrelevant && this.goal.requests.every((slot) => this.received.has(slot)) && !out.some((a) => a.act === "INFORM_INTENT" || a.act === "AFFIRM_INTENT")) {
      out.push({ act: "INFORM_INTENT", slot: "intent", value: this.task.transact!.name });
    }
    if (!this.persona.rejectsIrrelevant) out.push(...this.volunteer(rng, 0.3));
    this.noProgress = progress ? 0 : this.noProgress + 1;
    if (this.noProgress >= this.persona.patience || (this.noProgress > 0 && rng.next() < this.persona.quitProbability)) {
      this.ended = true;
      this.endReason = "user-terminated";
      return [...out, { act: "GOODBYE", slot: "" }];
    }
    return out.length > 0 ? out : [{ act: "THANK_YOU", slot: "" }];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The system act prior P_θ, fitted on the SGD dialogues, and template texts.

const USER_KEYS = ["REQUEST", "INFORM_INTENT", "AFFIRM_INTENT", "AFFIRM", "NEGATE", "REQUEST_ALTS", "SELECT", "INFORM", "THANK_YOU", "NEGATE_INTENT", "GOODBYE"] as const;

/**
 * The user turn's key act for the prior: the first of {@link USER_KEYS} it contains (a question first: it is what
 * the next system turn must answer).
 */
function userKey(acts: readonly string[]): string {
  return USER_KEYS.find((key) => acts.includes(key)) ?? "START";
}

/** The world's act type of a corpus system turn (INFORM_COUNT counts as OFFER; NOTIFY_FAILURE is not modelled). */
function corpusType(acts: readonly string[]): SgdSystemActType | undefined {
  for (const type of ["NOTIFY_SUCCESS", "CONFIRM", "OFFER_INTENT", "OFFER", "INFORM", "REQUEST", "GOODBYE", "REQ_MORE"] as const) if (acts.includes(type) || (type === "OFFER" && acts.includes("INFORM_COUNT"))) return type;
  return undefined;
}

/**
 * P_θ(a | h) over the grounded act types: the SGD dialogues' system act type given the user's key act before it,
 * smoothed towards the marginal (weight `backoff` in pseudo-counts).
 */
export class SgdActPrior {
  /** Σ of the marginal's counts, and of each conditional row's (fixed once fitted). */
  private readonly marginalTotal: number;
  private readonly rowTotals: Map<string, number>;

  private constructor(
    private readonly conditional: Map<string, Map<SgdSystemActType, number>>,
    private readonly marginal: Map<SgdSystemActType, number>,
    private readonly backoff: number,
  ) {
    const sum = (counts: Map<SgdSystemActType, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
    this.marginalTotal = sum(marginal);
    this.rowTotals = new Map([...conditional].map(([key, row]) => [key, sum(row)]));
  }

  static fit(dialogues: readonly Dialogue[], backoff = 2): SgdActPrior {
    const conditional = new Map<string, Map<SgdSystemActType, number>>();
    const marginal = new Map<SgdSystemActType, number>(SGD_SYSTEM_ACT_TYPES.map((t) => [t, 1]));
    for (const dialogue of dialogues) {
      let key = "START";
      for (const turn of dialogue.turns) {
        const acts = (turn.acts ?? []).map((a) => a.intent);
        if (turn.speaker === "user") {
          key = userKey(acts);
          continue;
        }
        const type = corpusType(acts);
        if (!type) continue;
        const row = conditional.get(key) ?? conditional.set(key, new Map()).get(key)!;
        row.set(type, (row.get(type) ?? 0) + 1);
        marginal.set(type, marginal.get(type)! + 1);
      }
    }
    return new SgdActPrior(conditional, marginal, backoff);
  }

  /** P_θ over `types` after a user turn with acts `lastUser`. */
  probabilities(lastUser: readonly string[], types: readonly SgdSystemActType[]): number[] {
    const key = userKey(lastUser);
    const row = this.conditional.get(key);
    const total = this.marginalTotal;
    const n = this.rowTotals.get(key) ?? 0;
    const scores = types.map((type) => ((row?.get(type) ?? 0) + (this.backoff * this.marginal.get(type)!) / total) / (n + this.backoff));
    const z = scores.reduce((a, b) => a + b, 0);
    return scores.map((s) => s / z);
  }
}

const SYSTEM_TEMPLATES: Record<SgdSystemActType, readonly string[]> = {
  REQUEST: ["What {slot} would you like?", "Could you tell me the {slot}?", "Which {slot} do you have in mind?"],
  OFFER: ["I found {count} options. How about {values}?", "There are {count} that match; one is {values}.", "What about {values}? I have {count} in total."],
  INFORM: ["The {values}.", "Sure: the {values}.", "Here you go: the {values}."],
  OFFER_INTENT: ["Would you like to {intent}?", "Shall I {intent} for you?"],
  CONFIRM: ["Please confirm: {values}.", "To be sure: {values}. Is that right?"],
  NOTIFY_SUCCESS: ["Done, it is booked.", "Your booking is confirmed."],
  REQ_MORE: ["Anything else I can help with?", "Can I do anything else for you?"],
  GOODBYE: ["Goodbye, have a nice day.", "Bye!"],
};

function listValues(acts: readonly SgdWorldAct[]): string {
  return acts.map((a) => `${humanize(a.slot)} is ${a.value}`).join(", ");
}

/** A template text for a system turn (M_θ's realisation). */
export function sgdSystemText(bundle: SgdBundle, rng: Rng): string {
  const templates = SYSTEM_TEMPLATES[bundle.type];
  const values = bundle.acts.filter((a) => a.value !== undefined && a.act !== "INFORM_COUNT" && a.act !== "OFFER_INTENT");
  return templates[rng.int(templates.length)]!
    .replace("{slot}", humanize(bundle.acts[0]?.slot ?? ""))
    .replace("{count}", bundle.acts.find((a) => a.act === "INFORM_COUNT")?.value ?? "")
    .replace("{values}", listValues(values))
    .replace("{intent}", (bundle.acts[0]?.value ?? "").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase());
}

/** A template text for a user turn. */
export function sgdUserText(acts: readonly SgdWorldAct[]): string {
  const parts = acts.map((a) => {
    switch (a.act) {
      case "INFORM_INTENT":
        return `I want to ${(a.value ?? "").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()}.`;
      case "INFORM":
        return a.value === "dontcare" ? `Any ${humanize(a.slot)} is fine.` : `The ${humanize(a.slot)} should be ${a.value}.`;
      case "REQUEST":
        return `What is the ${humanize(a.slot)}?`;
      case "REQUEST_ALTS":
        return "Something else, please.";
      case "SELECT":
        return "That one works.";
      case "AFFIRM":
      case "AFFIRM_INTENT":
        return "Yes, please.";
      case "NEGATE":
      case "NEGATE_INTENT":
        return "No.";
      case "THANK_YOU":
        return "Thanks.";
      default:
        return "Goodbye.";
    }
  });
  return parts.join(" ");
}
