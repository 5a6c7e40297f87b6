import { createRng, toMultiWozActs, type DialogueAct, type Turn } from "@foresight/dialogue";
import {
  AgendaUser,
  applyMultiWozSystemActs,
  applyMultiWozUserActs,
  correctMultiWozPolicy,
  createMultiWozGoalAvailability,
  initialMultiWozState,
  multiWozWorldGoal,
  MultiWozTemplateNlg,
  playMultiWozSystemTurn,
} from "@foresight/llm-sim";
import { PlannerInputError, type Conversation, type PlannerFactory } from "../types.js";
import { todConversation } from "./episode.js";
import { smctsTodFactory, todBaselineFactory } from "./factories.js";
import { heldOutPersona, todWorld } from "./resources.js";
import { heldOutSgdConversation } from "./sgd.js";

export * from "./environment.js";
export * from "./value.js";
export * from "./resources.js";
export * from "./planner.js";
export * from "./baselines.js";
export * from "./factories.js";
export * from "./episode.js";
export * from "./flywheel.js";
export * from "./sgd.js";

/**
 * A held-out MultiWOZ conversation: a goal of the test side of the deduplicated split (chosen by `seed`, or
 * `context.goalId`), opened by the agenda user (`context.persona`, cooperative by default) and played for
 * `seed mod 3` exchanges by the reference policy, cut before a system turn. With `context.world` "sgd", a held-out
 * SGD goal instead ({@link heldOutSgdConversation}).
 */
export async function heldOutTodConversation(options: { seed: number; dataDir?: string; context?: Record<string, string> }): Promise<Conversation> {
  const world = options.context?.world;
  if (world !== undefined && world !== "multiwoz" && world !== "sgd") throw new PlannerInputError(`unknown TOD world "${world}" (multiwoz or sgd)`, "context.world");
  if (world === "sgd") return heldOutSgdConversation(options);
  const multiWoz = todWorld(options.dataDir);
  const heldOut = multiWoz.goals.filter((goal) => goal.split === "test");
  let goal = heldOut[((options.seed % heldOut.length) + heldOut.length) % heldOut.length]!;
  if (options.context?.goalId ?? options.context?.goal) {
    try {
      goal = multiWozWorldGoal(multiWoz, (options.context.goalId ?? options.context.goal)!);
    } catch (error) {
      throw new PlannerInputError((error as Error).message, "context.goalId");
    }
  }
  const persona = heldOutPersona(options.context);
  const rng = createRng(`held-out:${options.seed}`);
  const nlg = new MultiWozTemplateNlg(multiWoz.templates);
  const user = AgendaUser.create(goal.goal, persona, multiWoz.userActCounts);
  const systemWorld = { db: multiWoz.db, availability: createMultiWozGoalAvailability(multiWoz.db, goal.goal, options.seed) };
  let state = initialMultiWozState();
  const turns: Turn[] = [];
  let systemActs: DialogueAct[] | undefined;
  const exchanges = ((options.seed % 3) + 3) % 3;
  for (let i = 0; i <= exchanges; i++) {
    const userActs = systemActs === undefined ? user.next(rng) : user.respond(systemActs, rng);
    turns.push({ speaker: "user", text: nlg.user(userActs, rng).text, acts: userActs, metadata: { dialogAct: toMultiWozActs(userActs) } });
    state = applyMultiWozUserActs(state, userActs, multiWoz.db);
    if (i === exchanges || user.ended) break;
    const { bundle } = playMultiWozSystemTurn(state, systemWorld, correctMultiWozPolicy, rng);
    state = applyMultiWozSystemActs(state, bundle.acts, multiWoz.db, bundle.entity ? { entity: bundle.entity } : {});
    systemActs = bundle.acts;
    turns.push({ speaker: "system", text: nlg.system(bundle.acts, rng, state.activeDomain).text, acts: bundle.acts });
  }
  return todConversation(goal.id, turns, persona.name);
}

const held = heldOutTodConversation;

/** SMCTS-TOD, its ablations and its baselines, for the planner registry. */
export const smctsTodFactories: PlannerFactory<never>[] = [
  smctsTodFactory("smcts-tod", "SMCTS-TOD: value-guided open-loop MCTS over dialogue acts (MultiWOZ, or SGD with context world sgd; offline roles)", {}, held),
  smctsTodFactory("smcts-tod-closed-loop", "SMCTS-TOD ablation: closed loop (the first realization of each act is the node)", { loop: "closed" }, held),
  smctsTodFactory("smcts-tod-prompt-value", "SMCTS-TOD ablation: a prompted judge of rollouts instead of the learned value", { leafValue: "prompt" }, held),
  smctsTodFactory("smcts-tod-prior-only", "SMCTS-TOD ablation: the base prior only (λ = 1, no value prior)", { lambda: 1 }, held),
  smctsTodFactory("smcts-tod-no-best-of-k", "SMCTS-TOD ablation: no best-of-K filtering (K = 1)", { bestOfK: 1 }, held),
  smctsTodFactory("smcts-tod-seed-value", "SMCTS-TOD ablation: the seed-only value model (no flywheel)", { valueModel: "seed" }, held),
  todBaselineFactory("smcts-tod-prompting", "TOD baseline: the base prior's most likely act, no search (prompting)", "prior", held),
  todBaselineFactory("smcts-tod-greedy-v", "TOD baseline: the act with the highest V(h, a), no search", "value", held),
] as unknown as PlannerFactory<never>[];
