import { answerSync } from "./answer-sync.js";
import type { SearchContext } from "./context.js";
import type { SimProgram } from "./simulation.js";

/** @internal Runs a simulation program to its end with synchronous model calls; returns its value. */
export function runSync<S, A, T>(ctx: SearchContext<S, A>, program: SimProgram<S, A, T>): T {
  let answer: unknown = undefined;
  for (;;) {
    const next = program.next(answer);
    if (next.done === true) return next.value;
    answer = answerSync(ctx, next.value);
  }
}
