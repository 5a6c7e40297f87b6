import { createRng, hashString, type Turn } from "@foresight/dialogue";
import type { ValueEstimate, ValueFunction, ValueOptions } from "../../roles/types.js";
import { toSopNode } from "./roles.js";
import type { SopCorpusWorld } from "./world.js";

/** Options of {@link OfflineSopRationalityJudge}. */
export interface OfflineRationalityOptions {
  /** The agent actions the SOP allows after a history of node names (e.g. sop-graph's `allowedNextActions`). */
  allowedNext: (history: readonly string[]) => readonly string[];
  /** 0/1 votes per judgement, averaged (default 3). */
  samples?: number;
  /** Weight of SOP compliance against corpus plausibility in a vote's probability (default 0.5). */
  complianceWeight?: number;
  /** Seed of the votes (default 0); the same history, action and seed always give the same votes. */
  seed?: number;
}

/**
 * ChatSOP's rationality judge without an LLM, with the LLM judge's interface (0/1 votes, their mean). Each vote is
 * 1 with probability w·[the SOP allows the action after this history] + (1 − w)·P(action | history) / max over
 * actions of P(· | history), the corpus' node model giving P: an action the SOP prescribes and the corpus finds
 * usual here is judged rational, a proactive action off the SOP only as far as the corpus finds it usual here.
 */
export class OfflineSopRationalityJudge implements ValueFunction {
  readonly samples: number;
  readonly complianceWeight: number;
  private readonly seed: number;

  /** A judge over a built task world and an SOP (through `allowedNext`). */
  constructor(
    readonly world: SopCorpusWorld,
    private readonly options: OfflineRationalityOptions,
  ) {
    this.samples = options.samples ?? 3;
    this.complianceWeight = options.complianceWeight ?? 0.5;
    this.seed = options.seed ?? 0;
    if (!Number.isInteger(this.samples) || this.samples < 1) throw new RangeError(`samples must be a positive integer, got ${this.samples}`);
    if (!(this.complianceWeight >= 0 && this.complianceWeight <= 1)) throw new RangeError(`complianceWeight must be in [0, 1], got ${this.complianceWeight}`);
  }

  /** The probability that one vote finds `act` rational after `history` (node names, Agent.Start first). */
  probability(history: readonly string[], act: string): number {
    const compliant = this.options.allowedNext(history).includes(act) ? 1 : 0;
    const prior = this.world.agentDistribution(history);
    const best = Math.max(...prior.values());
    const plausible = best > 0 ? (prior.get(act) ?? 0) / best : 0;
    return this.complianceWeight * compliant + (1 - this.complianceWeight) * plausible;
  }

  /** The 0/1 votes on `act` after `history` (node names), deterministic in (seed, history, act). */
  votes(history: readonly string[], act: string): number[] {
    const p = this.probability(history, act);
    const rng = createRng(hashString(`${this.seed}\u0000${history.join("\u0001")}\u0000${act}`));
    return Array.from({ length: this.samples }, () => (rng.next() < p ? 1 : 0));
  }

  /** The value role: the mean vote on `options.act` after the history's nodes. */
  async evaluate(history: readonly Turn[], options: ValueOptions = {}): Promise<ValueEstimate> {
    if (options.act === undefined) throw new RangeError("OfflineSopRationalityJudge.evaluate needs options.act: the action to judge");
    const votes = this.votes(this.world.nodesOfTurns(history), toSopNode(options.act, "agent"));
    return { value: votes.reduce((s, v) => s + v, 0) / votes.length, samples: votes, unparsed: 0, fallback: false };
  }
}
