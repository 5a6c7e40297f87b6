import type { ServerContext } from "./context.js";

/** Short plans each warmed planner runs on its held-out example before the server reports ready. */
const WARM_UP_PLANS = 3;
const WARM_UP_BUDGET_MS = 100;

/**
 * Loads each planner and runs a few short plans on its held-out example, so that the first requests do not pay for
 * model and corpus loading or run cold code. A planner that fails to warm up is logged and loaded again on first use
 * (its requests then get the failure's own error). `signal` (the server closing) ends it early.
 */
export async function warmUp(ctx: ServerContext, names: string[], signal: AbortSignal): Promise<void> {
  for (const name of names) {
    if (signal.aborted) return;
    const started = performance.now();
    try {
      const factory = ctx.pool.factory(name);
      const planner = await ctx.pool.sharedInstance(name);
      const conversation = await factory.heldOutConversation?.({ seed: 0, ...(ctx.config.dataDir ? { dataDir: ctx.config.dataDir } : {}) });
      for (let i = 0; conversation && i < WARM_UP_PLANS && !signal.aborted; i++) {
        await planner.plan(conversation, { budget: { timeMs: WARM_UP_BUDGET_MS, signal }, seed: i });
      }
      ctx.log.info({ planner: name, ms: Math.round(performance.now() - started) }, "planner warmed up");
    } catch (error) {
      ctx.log.warn({ err: error, planner: name }, "planner warm-up failed; it is loaded again on first use");
    }
  }
}
