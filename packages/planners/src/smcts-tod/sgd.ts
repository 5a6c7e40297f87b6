import { createRng } from "@foresight/dialogue";
import {
  agendaPersona,
  applySgdSystemTurn,
  applySgdUserTurn,
  fitSgdValueModel,
  groundedSgdBundles,
  initialSgdState,
  loadSgdWorld,
  referenceSgdPolicy,
  sgdActionValues,
  sgdSystemText,
  sgdTask,
  SgdUser,
  sgdUserText,
  SGD_MAX_TURNS,
  type SgdBundle,
  type SgdGoal,
  type SgdState,
  type SgdSystemActType,
  type SgdTask,
  type SgdValueModel,
  type SgdWorld,
  type SgdWorldAct,
} from "@foresight/llm-sim";
import { z } from "zod";
import { PlannerInputError, type Conversation, type ConversationTurn } from "../types.js";
import { approximateTokens, chargeRole, chargeValueBatch, emptyTodCosts, promptTokens, type TodCosts } from "./environment.js";
import { heldOutPersona, readTodContext, TodContextBaseSchema } from "./resources.js";
import { valuesPerHistory } from "./value.js";
import { SMCTS_TOD_DEFAULTS, type SmctsDomain, type SmctsTodSettings, type TodPlanning } from "./planner.js";

/** A history of the SGD planning model: the tracked state, the planning user, and the turn that led here. */
export interface SgdHistory {
  state: SgdState;
  user: SgdUser;
  ended: boolean;
  complete: boolean;
  reply?: { bundle: SgdBundle; text: string };
  userText?: string;
  parent?: SgdHistory;
  /** Prompt tokens of the conversation before the planning root (the offline roles' prompts include it). */
  rootTokens: number;
}

/** The offline SGD world and its value model, loaded once per data folder. */
export interface SgdResources {
  world: SgdWorld;
  value: SgdValueModel;
}

const worlds = new Map<string, SgdWorld>();
const resources = new Map<string, SgdResources>();

/** The SGD world of `<data>/sgd` alone (cached per folder): enough to list goals without fitting the value model. */
export function sgdWorld(dataDir?: string): SgdWorld {
  const key = dataDir ?? "";
  let world = worlds.get(key);
  if (!world) {
    world = loadSgdWorld(dataDir ? { dataDir } : {});
    worlds.set(key, world);
  }
  return world;
}

/** The SGD world of `<data>/sgd` and its value model fitted on the train-service goals (cached per folder). */
export function sgdResources(dataDir?: string): SgdResources {
  const key = dataDir ?? "";
  let found = resources.get(key);
  if (!found) {
    const world = sgdWorld(dataDir);
    found = { world, value: fitSgdValueModel(world) };
    resources.set(key, found);
  }
  return found;
}

/**
 * SMCTS-TOD's planning model on the SGD world as an {@link SmctsDomain}: the grounded act types, the corpus-fit prior
 * P_θ, V(h, a) of the SGD value model, transitions realised by template text and answered by the planning user; every
 * role call is charged to `costs` as MultiWOZ's planning model does. A history's grounded bundles and V(h, a) are
 * computed once (the search asks for them at expansion, for the prior and for V̄).
 */
export function sgdSmctsDomain(world: SgdWorld, task: SgdTask, value: SgdValueModel, costs: TodCosts): SmctsDomain<SgdHistory, SgdSystemActType> {
  const grounded = new WeakMap<SgdHistory, SgdBundle[]>();
  const bundlesOf = (history: SgdHistory): SgdBundle[] => {
    let bundles = grounded.get(history);
    if (!bundles) {
      bundles = groundedSgdBundles(task, history.state);
      grounded.set(history, bundles);
    }
    return bundles;
  };
  const actionValues = valuesPerHistory((history: SgdHistory, acts: readonly SgdSystemActType[]) => {
    chargeValueBatch(costs, acts.length);
    return sgdActionValues(value, task, history.state, acts);
  });
  return {
    actions: (history) => (history.ended ? [] : bundlesOf(history).map((b) => b.type)),
    basePrior: (history, acts) => {
      chargeRole(costs, "prior", promptTokens(history), 4 * acts.length);
      return world.prior.probabilities(history.state.lastUser, acts);
    },
    actionValues,
    step: (history, act, rng) => {
      const bundles = bundlesOf(history);
      const bundle = bundles.find((b) => b.type === act) ?? bundles.find((b) => b.type === "REQ_MORE")!;
      const text = sgdSystemText(bundle, rng);
      chargeRole(costs, "system", promptTokens(history), approximateTokens(text));
      const user = history.user.clone();
      const userActs = user.respond(bundle.acts, rng);
      const userText = sgdUserText(userActs);
      chargeRole(costs, "user", promptTokens(history) + approximateTokens(text), approximateTokens(userText));
      const state = applySgdUserTurn(applySgdSystemTurn(history.state, bundle), userActs, task);
      const ended = user.ended || act === "GOODBYE" || state.turn >= SGD_MAX_TURNS;
      return { state, user, ended, complete: user.isComplete(), reply: { bundle, text }, userText, parent: history, rootTokens: history.rootTokens };
    },
    ended: (history) => history.ended,
    verdict: (history) => (history.complete ? 1 : 0),
    parent: (history) => history.parent,
    actOf: (history) => history.reply?.bundle.type,
  };
}

/** The acts of one SGD turn (a conversation's `turnActs` entry, a decision's `replyActs`). */
export const SgdActsSchema = z.array(z.object({ act: z.string(), slot: z.string(), value: z.string().optional() }));

const SgdContextSchema = TodContextBaseSchema.extend({
  world: z.literal("sgd"),
  /** The SGD acts of each turn (a system turn's are one of the bundles the task grounds at that point). */
  turnActs: z.array(SgdActsSchema).optional(),
});

/** True for a conversation of the SGD world (`context.world: "sgd"`); the TOD planners plan MultiWOZ otherwise. */
export function isSgdConversation(conversation: Conversation): boolean {
  return conversation.context?.world === "sgd";
}

function sgdGoal(world: SgdWorld, id: string, field: string): SgdGoal {
  const goal = world.goals.find((g) => g.id === id);
  if (!goal) throw new PlannerInputError(`no SGD goal "${id}" (e.g. "${world.goals.find((g) => g.split === "test")?.id}")`, field);
  return goal;
}

/**
 * A held-out SGD conversation: a goal of a service only SGD's test schema lists (chosen by `seed`, or
 * `context.goalId`), opened by the agenda user (`context.persona`, cooperative by default) and played for `seed mod 3`
 * exchanges by the reference policy, cut before a system turn. Its context: `{ world: "sgd", goalId, persona, turnActs }`.
 */
export function heldOutSgdConversation(options: { seed: number; dataDir?: string; context?: Record<string, string> }): Conversation {
  const world = sgdWorld(options.dataDir);
  const heldOut = world.goals.filter((goal) => goal.split === "test");
  const id = options.context?.goalId ?? options.context?.goal;
  const goal = id ? sgdGoal(world, id, "context.goalId") : heldOut[((options.seed % heldOut.length) + heldOut.length) % heldOut.length]!;
  const persona = heldOutPersona(options.context);
  const task = sgdTask(world, goal);
  const rng = createRng(`held-out-sgd:${options.seed}`);
  let user = SgdUser.create(goal, task, persona);
  const opening = user.open(rng);
  let state = applySgdUserTurn(initialSgdState(), opening, task);
  const turns: ConversationTurn[] = [{ speaker: "user", text: sgdUserText(opening) }];
  const turnActs: SgdWorldAct[][] = [opening];
  const exchanges = ((options.seed % 3) + 3) % 3;
  for (let i = 0; i < exchanges; i++) {
    const bundle = referenceSgdPolicy(task, state, groundedSgdBundles(task, state), rng);
    if (bundle.type === "GOODBYE") break;
    const answering = user.clone();
    const reply = answering.respond(bundle.acts, rng);
    // Cut before an exchange after which the user has left: the conversation must still need a system turn.
    if (answering.ended) break;
    user = answering;
    turns.push({ speaker: "agent", text: sgdSystemText(bundle, rng), act: bundle.type }, { speaker: "user", text: sgdUserText(reply) });
    turnActs.push(bundle.acts, reply);
    state = applySgdUserTurn(applySgdSystemTurn(state, bundle), reply, task);
  }
  return { turns, context: { world: "sgd", goalId: goal.id, persona: persona.name, turnActs } };
}

const sameActs = (a: readonly SgdWorldAct[], b: readonly SgdWorldAct[]) => a.length === b.length && a.every((act, i) => act.act === b[i]!.act && act.slot === b[i]!.slot && act.value === b[i]!.value);

/** The bundle the task grounds at `state` with act type `type` and exactly `acts` (a said system turn), if any. */
export function groundedSgdBundle(task: SgdTask, state: SgdState, type: string | undefined, acts: readonly SgdWorldAct[]): SgdBundle | undefined {
  return groundedSgdBundles(task, state).find((bundle) => bundle.type === type && sameActs(bundle.acts, acts));
}

/**
 * The SGD planning model of a plan call as a TOD planning: the conversation's goal and turns replayed into the
 * tracked state and the planning user (the `persona` setting or `context.persona`), with SGD's own value model
 * (fitted on the training services). A bad context is a {@link PlannerInputError} naming the field.
 */
export function sgdPlanning(name: string, conversation: Conversation, settings: SmctsTodSettings, dataDir: string | undefined): TodPlanning<SgdHistory, SgdSystemActType> {
  const started = performance.now();
  if (settings.leafValue !== "learned") throw new PlannerInputError(`${name}: the SGD world has no prompt-judged value (setting "leafValue")`, "settings.leafValue");
  if (settings.valueModel !== SMCTS_TOD_DEFAULTS.valueModel) throw new PlannerInputError(`${name}: setting "valueModel" names a MultiWOZ value model; the SGD world plans with its own`, "settings.valueModel");
  const { goalId, turnActs, persona } = readTodContext(SgdContextSchema, conversation, name, 'an SGD context needs { world: "sgd", goalId, turnActs }');
  const { world, value } = sgdResources(dataDir);
  const goal = sgdGoal(world, goalId, "conversation.context.goalId");
  const task = sgdTask(world, goal);
  const { turns } = conversation;
  const user = SgdUser.create(goal, task, agendaPersona(persona ?? settings.persona));
  let state = initialSgdState();
  let said: SgdBundle | undefined;
  turns.forEach((turn, i) => {
    const acts = turnActs[i]!;
    if (turn.speaker === "user") {
      user.observe(said?.acts, acts);
      state = applySgdUserTurn(state, acts, task);
      said = undefined;
      return;
    }
    said = groundedSgdBundle(task, state, turn.act, acts);
    if (!said) throw new PlannerInputError(`${name}: turn ${i} (${turn.act ?? "no act"}) is not a system turn the SGD task grounds there (its act and turnActs)`, "conversation.context.turnActs");
    state = applySgdSystemTurn(state, said);
  });
  if (state.turn >= SGD_MAX_TURNS) throw new PlannerInputError(`${name}: the conversation has reached SGD's turn limit (${SGD_MAX_TURNS})`, "conversation.turns");
  const costs = emptyTodCosts();
  const rootTokens = turns.reduce((sum, turn) => sum + approximateTokens(turn.text), 0);
  return {
    domain: sgdSmctsDomain(world, task, value, costs),
    root: { state, user, ended: false, complete: false, rootTokens },
    costs,
    started,
    turn: state.turn,
    reply: (history) => ({ text: history.reply!.text, details: { reply: history.reply!.text, replyActs: history.reply!.bundle.acts } }),
  };
}
