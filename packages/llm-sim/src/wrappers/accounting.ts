import type { ChatModel, ChatRequest, ChatResponse } from "../chat.js";
import { systemClock, type Clock } from "../clock.js";
import { ChatModelError } from "../errors.js";

/** Totals for one group of calls (a role, a planning turn, or everything). */
export interface UsageTotals {
  /** Calls answered (including cache hits). */
  calls: number;
  /** Calls answered entirely from the cache (their tokens cost nothing this time). */
  cachedCalls: number;
  /** Calls that failed after all retries. */
  failedCalls: number;
  /** Choices returned (sum of n over answered calls). */
  completions: number;
  /** Tokens spent on calls that were not cache hits. */
  promptTokens: number;
  completionTokens: number;
  /** Sum of call latencies in milliseconds (wall time from call to answer, concurrency overlaps). */
  latencyMs: number;
  /** Model outputs a role tried to parse, and how many of them took the fallback. */
  parseAttempts: number;
  parseFailures: number;
}

/** A JSON-ready copy of a ledger's contents. */
export interface UsageSnapshot {
  total: UsageTotals;
  byRole: Record<string, UsageTotals>;
  byTurn: Record<string, UsageTotals>;
}

/** Role name used for calls that set no `role`. */
export const UNKNOWN_ROLE = "(none)";
/** Turn name used for calls made when no planning turn was set. */
export const NO_TURN = "(none)";

function emptyTotals(): UsageTotals {
  return { calls: 0, cachedCalls: 0, failedCalls: 0, completions: 0, promptTokens: 0, completionTokens: 0, latencyMs: 0, parseAttempts: 0, parseFailures: 0 };
}

/** One finished call as the ledger records it. */
export interface CallRecord {
  role?: string;
  turn?: string | number;
  latencyMs: number;
  response?: ChatResponse;
  error?: unknown;
}

/**
 * Accounting of calls, tokens, latency and parse fallbacks per role and per planning turn. Set the current
 * turn with {@link UsageLedger.setTurn} (or put `turn` on each request); roles report parse outcomes here.
 */
export class UsageLedger {
  private readonly total = emptyTotals();
  private readonly roles = new Map<string, UsageTotals>();
  private readonly turns = new Map<string, UsageTotals>();
  private currentTurn: string | undefined;

  /** Sets the planning turn that calls without their own `turn` are booked to (undefined: none). */
  setTurn(turn: string | number | undefined): void {
    this.currentTurn = turn === undefined ? undefined : String(turn);
  }

  /** The planning turn calls are booked to now. */
  get turn(): string | undefined {
    return this.currentTurn;
  }

  private groups(role: string | undefined, turn: string | number | undefined): UsageTotals[] {
    const roleKey = role ?? UNKNOWN_ROLE;
    const turnKey = turn === undefined ? (this.currentTurn ?? NO_TURN) : String(turn);
    let roleTotals = this.roles.get(roleKey);
    if (!roleTotals) this.roles.set(roleKey, (roleTotals = emptyTotals()));
    let turnTotals = this.turns.get(turnKey);
    if (!turnTotals) this.turns.set(turnKey, (turnTotals = emptyTotals()));
    return [this.total, roleTotals, turnTotals];
  }

  /** Books one finished (answered or failed) call. */
  recordCall(record: CallRecord): void {
    for (const totals of this.groups(record.role, record.turn)) {
      totals.latencyMs += record.latencyMs;
      const response = record.response;
      if (!response) {
        totals.failedCalls++;
        continue;
      }
      totals.calls++;
      totals.completions += response.choices.length;
      if (response.cached) totals.cachedCalls++;
      else {
        totals.promptTokens += response.usage.promptTokens;
        totals.completionTokens += response.usage.completionTokens;
      }
    }
  }

  /** Books the parse of `count` model outputs by `role`, `failures` of which took the fallback. */
  recordParse(role: string, count: number, failures: number, turn?: string | number): void {
    for (const totals of this.groups(role, turn)) {
      totals.parseAttempts += count;
      totals.parseFailures += failures;
    }
  }

  /** A deep copy of all totals. */
  snapshot(): UsageSnapshot {
    return {
      total: { ...this.total },
      byRole: Object.fromEntries([...this.roles].map(([key, totals]) => [key, { ...totals }])),
      byTurn: Object.fromEntries([...this.turns].map(([key, totals]) => [key, { ...totals }])),
    };
  }

  /** The share of parsed outputs that took a fallback, overall or for one role (0 when nothing was parsed). */
  parseFailureRate(role?: string): number {
    const totals = role === undefined ? this.total : this.roles.get(role);
    if (!totals || totals.parseAttempts === 0) return 0;
    return totals.parseFailures / totals.parseAttempts;
  }

  /** Clears everything (the current turn included). */
  reset(): void {
    Object.assign(this.total, emptyTotals());
    this.roles.clear();
    this.turns.clear();
    this.currentTurn = undefined;
  }
}

/** Books every call through `model` (answers, failures, tokens, latency) into `ledger`. */
export function withAccounting(model: ChatModel, ledger: UsageLedger, clock: Clock = systemClock): ChatModel {
  return {
    id: model.id,
    async complete(request: ChatRequest): Promise<ChatResponse> {
      const turn = request.turn ?? ledger.turn;
      const started = clock.now();
      try {
        const response = await model.complete(request);
        ledger.recordCall({ role: request.role, turn, latencyMs: clock.now() - started, response });
        return response;
      } catch (error) {
        const aborted = error instanceof ChatModelError && error.kind === "aborted";
        if (!aborted) ledger.recordCall({ role: request.role, turn, latencyMs: clock.now() - started, error });
        throw error;
      }
    },
  };
}
