import { createRng } from "@foresight/dialogue";

/** The seed of SOPDAIL's split by task (ChatSOP splits by task, so test tasks are unseen). */
export const SOPDAIL_TASK_SPLIT_SEED = 17;

/** How many of SOPDAIL's tasks are held out (a quarter of the 40). */
export const SOPDAIL_TEST_TASK_SHARE = 0.25;

/** SOPDAIL's tasks split into training and held-out (test) tasks. */
export interface SopdailTaskSplit {
  train: string[];
  test: string[];
}

/**
 * THE split of SOPDAIL by task, used by every world, planner and suite: the task ids sorted, shuffled with
 * {@link SOPDAIL_TASK_SPLIT_SEED} and the first quarter (rounded) held out. Both parts come back sorted. Training
 * tasks tune what is shared across tasks (model order, thresholds); held-out tasks are only evaluated.
 */
export function sopdailTaskSplit(taskIds: readonly string[]): SopdailTaskSplit {
  const ids = [...new Set(taskIds)].sort();
  const rng = createRng(SOPDAIL_TASK_SPLIT_SEED);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const held = Math.round(ids.length * SOPDAIL_TEST_TASK_SHARE);
  return { train: ids.slice(held).sort(), test: ids.slice(0, held).sort() };
}
