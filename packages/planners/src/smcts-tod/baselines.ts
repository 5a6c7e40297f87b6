import { createRng } from "@foresight/dialogue";
import type { Conversation, Decision, PlanOptions, Planner, PlannerFactory } from "../types.js";
import { multiWozSmctsDomain, replyDetails, resolveSmctsTodSettings, setupTodPlanning, SMCTS_TOD_DEFAULTS, todStatistics, type SmctsDomain, type SmctsTodSettings } from "./planner.js";

/** How a one-step TOD baseline scores the legal acts: by the base prior ("prompting") or by V(h, a) (greedy on V). */
export type OneStepScorer = "prior" | "value";

/** The act a one-step baseline takes at `root`: the argmax of P_θ or of V(h, a) over the legal acts (first on ties). */
export function oneStepAct<H, A>(domain: SmctsDomain<H, A>, root: H, scorer: OneStepScorer, acts = domain.actions(root), scores?: { prior?: readonly number[]; value?: readonly number[] }): A {
  if (acts.length === 0) throw new Error("oneStepAct: no legal act");
  const score = scorer === "prior" ? (scores?.prior ?? Array.from(domain.basePrior(root, acts))) : (scores?.value ?? Array.from(domain.actionValues(root, acts)));
  let best = 0;
  for (let i = 1; i < acts.length; i++) if (score[i]! > score[best]!) best = i;
  return acts[best]!;
}

type Scorer = OneStepScorer;

/**
 * One-step TOD baselines on the same planning model as SMCTS-TOD: `prior` takes the base prior's most likely act
 * ("prompting": what the prompted base model says without search), `value` the act with the highest V(h, a)
 * (greedy on the value model). The reply is one realisation of the act by M_θ.
 */
class TodBaselinePlanner implements Planner<SmctsTodSettings> {
  constructor(
    readonly name: string,
    private readonly scorer: Scorer,
    private readonly defaults: SmctsTodSettings,
    private readonly dirs: { dataDir?: string; modelsDir?: string },
  ) {}

  async plan(conversation: Conversation, options: PlanOptions<SmctsTodSettings> = {}): Promise<Decision> {
    const settings = resolveSmctsTodSettings(this.defaults, options.settings, this.name);
    const seed = options.seed ?? 0;
    const setup = setupTodPlanning(this.name, conversation, settings, seed, this.dirs);
    const { env, root, values } = setup;
    const domain = multiWozSmctsDomain(env, values, createRng(`judge:${seed}`));
    const types = env.actTypes(root);
    const prior = Array.from(domain.basePrior(root, types));
    const value = this.scorer === "value" ? Array.from(domain.actionValues(root, types)) : undefined;
    const act = oneStepAct(domain, root, this.scorer, types, { prior, ...(value ? { value } : {}) });
    const best = types.indexOf(act);
    const next = env.step(root, act, createRng(`reply:${seed}`));
    const reply = next.reply!;
    const candidates = types
      .map((type, i) => ({
        act: type,
        value: value ? value[i]! : null,
        visits: 0,
        prior: prior[i]!,
        ...(i === best ? { text: reply.text, details: replyDetails(reply) } : {}),
      }))
      .sort((a, b) => (a.act === act ? -1 : b.act === act ? 1 : (b.value ?? b.prior) - (a.value ?? a.prior)));
    return { planner: this.name, act, reply: reply.text, candidates, stats: todStatistics(setup, 0, "converged"), ...(setup.degraded ? { degraded: setup.degraded } : {}), traceId: `${this.name}-${seed}-${root.state.turn}` };
  }
}

/** A factory of a one-step TOD baseline. */
export function todBaselineFactory(name: string, summary: string, scorer: Scorer, heldOutConversation: NonNullable<PlannerFactory["heldOutConversation"]>): PlannerFactory<SmctsTodSettings> {
  return {
    name,
    summary,
    domain: "tod",
    async create(options = {}) {
      return new TodBaselinePlanner(name, scorer, resolveSmctsTodSettings(SMCTS_TOD_DEFAULTS, options.settings, name), {
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        ...(options.modelsDir ? { modelsDir: options.modelsDir } : {}),
      });
    },
    heldOutConversation,
  };
}
