import { checkedValue, copyStep, LeafBatcher, StepBatcher } from "./batcher.js";
import type { SearchContext } from "./context.js";
import { isPromiseLike, resolveBudget } from "./core.js";
import { REQ_ACTIONS, REQ_CALL, REQ_EVALUATE, REQ_STEP, REQ_STEPS, REQ_WAIT, type Request } from "./requests.js";
import { buildResult } from "./result.js";
import { abandon, prepareRoot, simulate, Simulation, type InFlight, type SimProgram } from "./simulation.js";
import type { SearchBudget, SearchResult, StepResult, StopReason } from "./types.js";

/**
 * One `searchAsync` call: launches simulations up to the concurrency limit until a budget ends, answers their
 * requests with the model (steps and leaf evaluations of all simulations in flight gathered into batches), and on
 * a deadline or abort abandons those in flight (their virtual loss removed, a node they stored flagged so that it
 * is evaluated when next reached).
 *
 * With `lockstep` the simulations advance in rounds instead of each resuming when its own answer comes: a
 * simulation waiting on the model is parked; once every simulation in flight is parked (or waits for another),
 * the round's calls are awaited together and the parked simulations resumed in launch order. Only the answers, not
 * their timing, then decide the tree and the next requests.
 */
class AsyncRun<S, A> {
  private active = 0;
  private launched = 0;
  private completed = 0;
  /** Simulations waiting for another one (an expansion or a new child in progress). */
  private blocked = 0;
  private stopping = false;
  private finished = false;
  private stopReason: StopReason = "iterations";
  /** The simulations in flight: each one's program and launch number (the order a lockstep round resumes them in). */
  private readonly sims = new Map<Simulation<S, A>, { program: SimProgram<S, A>; order: number }>();
  /** Lockstep: simulations waiting on a model call for the next round. */
  private parked: Parked[] = [];
  /** Lockstep: a round's calls are being awaited. */
  private roundInFlight = false;
  /** Finished simulations' scratch, reused (their typed arrays are costly to allocate per simulation). */
  private readonly pool: Simulation<S, A>[] = [];
  private readonly flight: InFlight = { expanding: new Map(), stepping: new Map(), generating: new Map() };
  private readonly leaves: LeafBatcher<S> | undefined;
  private readonly steps: StepBatcher<S, A> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private onAbort: (() => void) | undefined;
  private resolve: (result: SearchResult<S, A>) => void = () => {};
  private reject: (error: unknown) => void = () => {};

  constructor(
    private readonly ctx: SearchContext<S, A>,
    private readonly budget: SearchBudget,
    private readonly start: number,
    private readonly deadline: number,
    private readonly begin: () => void,
  ) {
    const model = ctx.model;
    if (typeof model.evaluateBatch === "function") this.leaves = new LeafBatcher<S>(model.evaluateBatch.bind(model), ctx.cfg.batchSize);
    if (typeof model.stepBatch === "function") {
      const stepBatch = model.stepBatch.bind(model);
      this.steps = new StepBatcher<S, A>((requests) => stepBatch(requests, ctx.rng), ctx.cfg.stepBatchSize);
    }
  }

  async run(): Promise<SearchResult<S, A>> {
    const ctx = this.ctx;
    ctx.tree.enableVirtual();
    ctx.selector.virtual = true;
    try {
      await this.drive(prepareRoot(ctx, new Simulation<S, A>(false)), undefined);
      this.begin();
    } catch (error) {
      ctx.selector.virtual = false;
      throw error;
    }
    return new Promise<SearchResult<S, A>>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      if (this.deadline !== Infinity) {
        this.timer = setTimeout(() => this.abandonAll("time"), Math.max(0, this.deadline - performance.now()));
      }
      const signal = this.budget.signal;
      if (signal) {
        this.onAbort = () => this.abandonAll("aborted");
        signal.addEventListener("abort", this.onAbort, { once: true });
      }
      this.pump();
    });
  }

  /**
   * Runs a simulation program, awaiting each request's answer (an answer the model gave synchronously is passed on
   * at once, without a turn of the event loop); stops early once `sim` is abandoned.
   */
  private async drive<T>(program: SimProgram<S, A, T>, sim: Simulation<S, A> | undefined): Promise<T | undefined> {
    let answer: unknown = undefined;
    for (;;) {
      const next = program.next(answer);
      if (next.done === true) return next.value;
      const request = next.value;
      answer = this.answer(request);
      if (isPromiseLike(answer)) {
        // A wait for another simulation is not a model call: it ends when that one is resumed, so it stays out of rounds.
        const parks = this.ctx.cfg.lockstep && sim !== undefined && request.kind !== REQ_WAIT;
        answer = await (parks ? this.park(sim, answer) : answer);
        if (sim !== undefined && !this.sims.has(sim)) return undefined;
      }
    }
  }

  /** The answer to a request: a value when the model answered synchronously, else a promise of it. */
  private answer(req: Request<S, A>): unknown {
    const model = this.ctx.model;
    switch (req.kind) {
      case REQ_ACTIONS:
        return model.actions(req.state, this.ctx.rng);
      case REQ_STEP:
        return this.step(req.state, req.action);
      case REQ_STEPS: {
        const state = req.state;
        const results = req.actions.map((action) => this.step(state, action));
        return results.some(isPromiseLike) ? Promise.all(results) : results;
      }
      case REQ_EVALUATE:
        return this.evaluate(req.state);
      case REQ_CALL:
        return req.call();
      default:
        return this.waitFor(req.wait!);
    }
  }

  /** Lockstep: parks `sim` on its model call until a round answers it (see {@link maybeStartRound}). */
  private park(sim: Simulation<S, A>, pending: PromiseLike<unknown>): Promise<unknown> {
    // A failure is read when the round settles; until then it must not count as unhandled (the search may be
    // abandoned or fail first, leaving the call unread).
    pending.then(undefined, () => {});
    return new Promise<unknown>((resolve, reject) => {
      this.parked.push({ order: this.sims.get(sim)!.order, pending, resolve, reject });
      this.maybeStartRound();
    });
  }

  /**
   * Lockstep: once every simulation in flight is parked or waits for another, sends the partial batches, awaits
   * all parked calls and resumes the simulations in launch order (their answers do not resume them one by one).
   */
  private maybeStartRound(): void {
    if (this.roundInFlight || this.finished || this.parked.length === 0 || this.parked.length + this.blocked < this.active) return;
    const round = this.parked.sort((a, b) => a.order - b.order);
    this.parked = [];
    this.roundInFlight = true;
    this.leaves?.flush();
    this.steps?.flush();
    void Promise.allSettled(round.map((p) => p.pending)).then((outcomes) => {
      this.roundInFlight = false;
      if (this.finished) return;
      // Settled here in launch order, so the simulations resume in that order.
      for (let i = 0; i < round.length; i++) {
        const outcome = outcomes[i]!;
        if (outcome.status === "fulfilled") round[i]!.resolve(outcome.value);
        else round[i]!.reject(outcome.reason);
      }
    });
  }

  /** Waits for another simulation, counted as blocked meanwhile (see {@link maybeFlush}). */
  private async waitFor(pending: PromiseLike<unknown>): Promise<unknown> {
    this.blocked++;
    this.maybeFlush();
    if (this.ctx.cfg.lockstep) this.maybeStartRound();
    try {
      return await pending;
    } finally {
      this.blocked--;
    }
  }

  private step(state: S, action: A): StepResult<S> | Promise<StepResult<S>> {
    if (this.steps !== undefined) {
      const result = this.steps.request({ state, action });
      this.maybeFlush();
      return result;
    }
    const result = this.ctx.model.step(state, action, this.ctx.rng);
    return isPromiseLike(result) ? Promise.resolve(result).then((r) => copyStep(r)) : copyStep(result);
  }

  private evaluate(state: S): number | Promise<number> {
    if (this.leaves !== undefined) {
      const value = this.leaves.request(state);
      this.maybeFlush();
      return value;
    }
    const value = this.ctx.model.evaluate!(state);
    return isPromiseLike(value) ? Promise.resolve(value).then((v) => checkedValue("evaluate", v)) : checkedValue("evaluate", value);
  }

  private stopCheck(): StopReason | undefined {
    const budget = this.budget;
    if (budget.iterations !== undefined && this.launched >= budget.iterations) return "iterations";
    if (this.deadline !== Infinity && performance.now() >= this.deadline) return "time";
    if (budget.signal?.aborted) return "aborted";
    if (budget.custom?.exhausted()) return "custom";
    return undefined;
  }

  private pump(): void {
    if (this.finished) return;
    while (!this.stopping && this.active < this.ctx.cfg.concurrency) {
      const reason = this.stopCheck();
      if (reason !== undefined) {
        this.stopping = true;
        this.stopReason = reason;
        break;
      }
      const sim = this.pool.pop() ?? new Simulation<S, A>(false);
      const program = simulate(this.ctx, sim, this.flight);
      this.sims.set(sim, { program, order: this.launched });
      this.active++;
      this.launched++;
      this.drive(program, sim).then(
        () => this.done(sim),
        (error: unknown) => this.fail(error),
      );
    }
    if (this.stopping && this.active === 0) {
      this.finish();
      return;
    }
    this.maybeFlush();
    // A simulation that ended may leave only parked ones in flight.
    if (this.ctx.cfg.lockstep) this.maybeStartRound();
  }

  private done(sim: Simulation<S, A>): void {
    if (!this.sims.delete(sim)) return;
    // Only a simulation that ran to its end is reused: an abandoned one may still be awaiting a model call.
    this.pool.push(sim);
    this.active--;
    this.completed++;
    this.pump();
  }

  /** Flushes full batches, and partial ones once every simulation in flight waits on a batch or on another. */
  private maybeFlush(): void {
    const leaves = this.leaves;
    const steps = this.steps;
    if (leaves !== undefined) while (leaves.pending >= leaves.size) leaves.flush();
    if (steps !== undefined) while (steps.pending >= steps.size) steps.flush();
    const waiting = (leaves?.pending ?? 0) + (steps?.pending ?? 0);
    if (waiting > 0 && waiting + this.blocked >= this.active) {
      leaves?.flush();
      steps?.flush();
    }
  }

  private cancelAll(): void {
    const sims = [...this.sims];
    this.sims.clear();
    // Parked simulations are abandoned with the rest; their promises are left unsettled.
    this.parked = [];
    for (const [sim, { program }] of sims) {
      abandon(this.ctx, sim);
      // Runs the program's `finally` blocks, which release what it marked as in progress.
      program.return(undefined);
    }
    this.active = 0;
    this.flight.expanding.clear();
    this.flight.stepping.clear();
    this.flight.generating.clear();
  }

  private abandonAll(reason: StopReason): void {
    if (this.finished) return;
    this.stopReason = reason;
    this.cancelAll();
    this.finish();
  }

  private cleanup(): void {
    this.finished = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.onAbort && this.budget.signal) this.budget.signal.removeEventListener("abort", this.onAbort);
    this.ctx.selector.virtual = false;
  }

  private finish(): void {
    if (this.finished) return;
    this.cleanup();
    this.resolve(buildResult(this.ctx, this.completed, this.stopReason, performance.now() - this.start));
  }

  private fail(error: unknown): void {
    if (this.finished) return;
    this.cancelAll();
    this.cleanup();
    this.reject(error);
  }
}

/** Lockstep: a simulation parked on a model call until its round is answered. */
interface Parked {
  order: number;
  pending: PromiseLike<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Runs an asynchronous search (see `Mcts.searchAsync`); `begin` prepares the root statistics once it is evaluated. */
export async function runAsyncSearch<S, A>(ctx: SearchContext<S, A>, budget: SearchBudget, begin: () => void): Promise<SearchResult<S, A>> {
  const start = performance.now();
  const deadline = resolveBudget(budget, start);
  return new AsyncRun(ctx, budget, start, deadline, begin).run();
}
