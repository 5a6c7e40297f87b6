import type { PlanScheduler } from "@foresight/planners";

/** One plan's request for the CPU: waiting in line, holding it, or over. */
interface Turn {
  deadline: number;
  /** Tie-break between equal deadlines: first asked, first served. */
  order: number;
  state: "waiting" | "held" | "over";
  /** Resolves the plan's `turn()` promise. */
  start(): void;
}

/** A plan's turns on the scheduler; `close` when the plan is over (ends a turn it still holds or waits for). */
export interface PlanTurns extends PlanScheduler {
  close(): void;
}

const noTurn = () => {};

/**
 * The CPU of one server process, shared by the plans in flight: one batch of search work (a SCOPE wave) at a time,
 * earliest deadline first. A plan whose budget is spent is the first in line, so it answers before the others run
 * another batch, and a plan near its deadline is not kept waiting behind younger plans' batches (round robin). Turns
 * are handed out on a macrotask, so timers and sockets are served between batches. Which plan runs when never changes
 * a decision: under an iteration budget each plan's search is the same in any order.
 */
export class DeadlineScheduler {
  private readonly waiting: Turn[] = [];
  private holder: Turn | undefined;
  private dispatchQueued = false;
  private asked = 0;

  /** Plans waiting for a turn now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** The turns of a plan that must answer by `deadline` (on the `performance.now()` clock). */
  forPlan(deadline: number): PlanTurns {
    let current: Turn | undefined;
    let closed = false;
    return {
      turn: () => {
        if (closed) return Promise.resolve(noTurn);
        // A plan asking again without ending its turn gives it up first (one turn per plan at a time).
        if (current) this.finish(current);
        return new Promise<() => void>((resolve) => {
          const turn: Turn = { deadline, order: this.asked++, state: "waiting", start: () => resolve(() => this.finish(turn)) };
          current = turn;
          this.waiting.push(turn);
          this.queueDispatch();
        });
      },
      close: () => {
        closed = true;
        if (current) this.finish(current);
        current = undefined;
      },
    };
  }

  private finish(turn: Turn): void {
    const was = turn.state;
    turn.state = "over";
    if (was === "held") {
      this.holder = undefined;
      this.queueDispatch();
    } else if (was === "waiting") {
      // A plan that ends while in line (its deadline passed, the server closes) is let go with a turn that holds nothing.
      this.waiting.splice(this.waiting.indexOf(turn), 1);
      turn.start();
    }
  }

  private queueDispatch(): void {
    if (this.dispatchQueued || this.holder) return;
    this.dispatchQueued = true;
    setImmediate(this.dispatch);
  }

  private readonly dispatch = (): void => {
    this.dispatchQueued = false;
    if (this.holder || this.waiting.length === 0) return;
    let next = 0;
    for (let i = 1; i < this.waiting.length; i++) {
      const a = this.waiting[i]!;
      const b = this.waiting[next]!;
      if (a.deadline < b.deadline || (a.deadline === b.deadline && a.order < b.order)) next = i;
    }
    const [turn] = this.waiting.splice(next, 1);
    turn!.state = "held";
    this.holder = turn;
    turn!.start();
  };
}
