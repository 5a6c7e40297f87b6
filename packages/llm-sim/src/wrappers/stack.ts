import type { ChatModel } from "../chat.js";
import type { Clock } from "../clock.js";
import { withAccounting, type UsageLedger } from "./accounting.js";
import { withDiskCache, type DiskCacheOptions } from "./cache.js";
import { withConcurrencyLimit } from "./concurrency.js";
import { withInFlightDeduplication } from "./dedup.js";
import { withRetry, type RetryOptions } from "./retry.js";
import { withMaxChoices } from "./split.js";
import { withTimeout } from "./timeout.js";
import { withTracing, type TraceSink } from "./trace.js";

/** The wrappers {@link buildChatModel} composes; leave one out to skip it. */
export interface ChatStackOptions {
  /** Calls in flight at once (default 8). */
  concurrency?: number;
  /** Retry settings, or false for none (default: retry with defaults). */
  retry?: RetryOptions | false;
  /** Per-attempt timeout in ms (default 120 000), or false for none. */
  timeoutMs?: number | false;
  /** Disk cache settings, or true for the default folder; off when absent. */
  cache?: DiskCacheOptions | true;
  /** Split n>maxChoices requests (for endpoints that ignore `n`). */
  maxChoices?: number;
  /** Share one upstream call among identical temperature-0 requests in flight (default true). */
  deduplicate?: boolean;
  /** Book calls, tokens and latency here. */
  ledger?: UsageLedger;
  /** Emit trace events here. */
  trace?: TraceSink;
  /** Clock for latency and backoff sleeps. */
  clock?: Clock;
}

/**
 * Wraps a model in the standard order, outermost first: trace → accounting → in-flight de-duplication → cache →
 * split → retry → concurrency limit → timeout → model. So cache hits take no concurrency slot, a backoff wait holds
 * no slot, each attempt has its own timeout, and accounting sees cache hits and shared answers as cached calls.
 */
export function buildChatModel(model: ChatModel, options: ChatStackOptions = {}): ChatModel {
  let stacked = model;
  if (options.timeoutMs !== false) stacked = withTimeout(stacked, options.timeoutMs ?? 120_000);
  stacked = withConcurrencyLimit(stacked, options.concurrency ?? 8);
  if (options.retry !== false) stacked = withRetry(stacked, { clock: options.clock, ...(options.retry ?? {}) });
  if (options.maxChoices !== undefined) stacked = withMaxChoices(stacked, options.maxChoices);
  if (options.cache !== undefined) stacked = withDiskCache(stacked, options.cache === true ? {} : options.cache);
  if (options.deduplicate !== false) stacked = withInFlightDeduplication(stacked);
  if (options.ledger) stacked = withAccounting(stacked, options.ledger, options.clock);
  if (options.trace) stacked = withTracing(stacked, options.trace, options.clock);
  return stacked;
}
