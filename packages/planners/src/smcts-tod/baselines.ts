import { createRng } from "@foresight/dialogue";
import type { Decision } from "../types.js";
import { todStatistics, type SmctsDomain, type TodPlanning } from "./planner.js";

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

/**
 * A one-step baseline's decision in a world: the act `scorer` ranks first over the legal acts at the root, and one
 * realisation of it by M_θ as the reply; every legal act with its prior (and V(h, a) for `value`).
 */
export function oneStepDecision<H extends object, A extends string>(name: string, scorer: OneStepScorer, planning: TodPlanning<H, A>, seed: number): Decision {
  const { domain, root } = planning;
  const types = domain.actions(root);
  const prior = Array.from(domain.basePrior(root, types));
  const value = scorer === "value" ? Array.from(domain.actionValues(root, types)) : undefined;
  const act = oneStepAct(domain, root, scorer, types, { prior, ...(value ? { value } : {}) });
  const best = types.indexOf(act);
  const reply = planning.reply(domain.step(root, act, createRng(`reply:${seed}`)));
  const candidates = types
    .map((type, i) => ({
      act: type,
      value: value ? value[i]! : null,
      visits: 0,
      prior: prior[i]!,
      ...(i === best ? { text: reply.text, details: reply.details } : {}),
    }))
    .sort((a, b) => (a.act === act ? -1 : b.act === act ? 1 : (b.value ?? b.prior) - (a.value ?? a.prior)));
  return { planner: name, act, reply: reply.text, candidates, stats: todStatistics(planning, 0, "converged"), ...(planning.degraded ? { degraded: planning.degraded } : {}), traceId: `${name}-${seed}-${planning.turn}` };
}
