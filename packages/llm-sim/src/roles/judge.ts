import type { ChatMessage, Turn } from "@foresight/dialogue";
import { packVariables, renderMessages } from "../packs/render.js";
import { TEMPLATE_NAMES } from "../packs/schema.js";
import { parseVerdict, type ShownVerdict } from "../parse/values.js";
import { LlmRole, type LlmRoleOptions } from "./base.js";
import type { JudgeVerdict, PairwiseJudge, PairwiseWinner, RoleCallOptions } from "./types.js";

function unswap(verdict: ShownVerdict | undefined, swapped: boolean): PairwiseWinner | undefined {
  if (verdict === undefined || verdict === "tie") return verdict;
  const first = verdict === "A";
  return first !== swapped ? "a" : "b";
}

function tally(verdicts: (PairwiseWinner | undefined)[]): JudgeVerdict["votes"] {
  const votes = { a: 0, b: 0, tie: 0, invalid: 0 };
  for (const verdict of verdicts) {
    if (verdict === undefined) votes.invalid++;
    else votes[verdict]++;
  }
  return votes;
}

abstract class LlmPairwiseBase extends LlmRole {
  protected readonly temperature: number;
  protected readonly maxTokens: number;

  protected constructor(options: LlmRoleOptions, temperature: number) {
    super(options, "judge");
    this.temperature = options.temperature ?? temperature;
    this.maxTokens = options.maxTokens ?? 256;
  }

  /** The judge prompt with `first` shown as Response A and `second` as Response B. */
  messages(history: readonly Turn[], first: string, second: string): ChatMessage[] {
    return renderMessages(this.pack, TEMPLATE_NAMES.pairwiseJudge, packVariables(this.pack, history, this.pack.systemActs, { ...this.variables, candidateA: first, candidateB: second }));
  }

  /** Asks `count` verdicts with the candidates in one order; verdicts are mapped back to a/b. */
  protected async ask(history: readonly Turn[], a: string, b: string, swapped: boolean, count: number, options: RoleCallOptions): Promise<(PairwiseWinner | undefined)[]> {
    if (count === 0) return [];
    const messages = swapped ? this.messages(history, b, a) : this.messages(history, a, b);
    const response = await this.send(messages, { n: count, temperature: this.temperature, maxTokens: this.maxTokens }, options);
    const verdicts = response.choices.map((choice) => unswap(parseVerdict(choice.text), swapped));
    this.recordParse(verdicts.length, verdicts.filter((verdict) => verdict === undefined).length, options);
    return verdicts;
  }
}

/** Options for {@link LlmMajorityJudge}. */
export interface LlmMajorityJudgeOptions extends LlmRoleOptions {
  /** Votes (default 5). */
  votes?: number;
}

/**
 * GDP-Zero's pairwise judge: `votes` (5) verdicts, each with the candidates' order swapped at random (seeded rng);
 * the majority of valid votes wins, an equal split is a tie. Unreadable votes are counted as invalid.
 */
export class LlmMajorityJudge extends LlmPairwiseBase implements PairwiseJudge {
  private readonly votes: number;

  constructor(options: LlmMajorityJudgeOptions) {
    super(options, 0.7);
    this.votes = options.votes ?? 5;
    if (!Number.isInteger(this.votes) || this.votes < 1) throw new RangeError(`votes must be a positive integer, got ${this.votes}`);
  }

  /** The majority verdict between `a` and `b`. */
  async compare(history: readonly Turn[], a: string, b: string, options: RoleCallOptions = {}): Promise<JudgeVerdict> {
    let swappedCount = 0;
    for (let vote = 0; vote < this.votes; vote++) if (this.rng.next() < 0.5) swappedCount++;
    const [straight, swapped] = await Promise.all([
      this.ask(history, a, b, false, this.votes - swappedCount, options),
      this.ask(history, a, b, true, swappedCount, options),
    ]);
    const votes = tally([...straight, ...swapped]);
    const winner: PairwiseWinner = votes.a > votes.b ? "a" : votes.b > votes.a ? "b" : "tie";
    return { winner, consistent: true, votes };
  }
}

/**
 * SAGE's both-orders judge: one verdict with a first, one with b first; a winner is declared only when both orders
 * agree, otherwise the result is a tie marked inconsistent.
 */
export class LlmConsistentJudge extends LlmPairwiseBase implements PairwiseJudge {
  constructor(options: LlmRoleOptions) {
    super(options, 0);
  }

  /** The verdict counted only when both orders agree. */
  async compare(history: readonly Turn[], a: string, b: string, options: RoleCallOptions = {}): Promise<JudgeVerdict> {
    const [[first], [second]] = await Promise.all([this.ask(history, a, b, false, 1, options), this.ask(history, a, b, true, 1, options)]);
    const votes = tally([first, second]);
    const consistent = first !== undefined && first === second;
    return { winner: consistent ? (first as PairwiseWinner) : "tie", consistent, votes };
  }
}
