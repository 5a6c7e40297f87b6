import type { SopGraph } from "./graph.js";
import { isControllable } from "./query.js";

/** One dialogue's gold and predicted agent actions, turn by turn, and the SOP that decides controllability. */
export interface ActionAccuracyItem {
  /** The annotated agent action of each agent turn (with prefix, e.g. `代理.核对身份`). */
  gold: readonly string[];
  /** The planner's action for the same turns. */
  predicted: readonly string[];
  /** The SOP: a gold action on it is controllable, an agent action off it proactive. */
  sop: SopGraph;
}

/** A ratio with its counts. */
export interface Ratio {
  correct: number;
  total: number;
  /** correct/total, or NaN when total is 0. */
  accuracy: number;
}

/** ChatSOP's dialogue action accuracy. */
export interface ActionAccuracy {
  /** Acc T: over all agent turns. */
  turn: Ratio;
  /** Acc C: over turns whose gold action is controllable (on the SOP). */
  controllable: Ratio;
  /** Acc P: over turns whose gold action is proactive (off the SOP). */
  proactive: Ratio;
  /** Acc D: over dialogues, correct when every turn is. */
  dialogue: Ratio;
}

function ratio(correct: number, total: number): Ratio {
  return { correct, total, accuracy: total === 0 ? Number.NaN : correct / total };
}

/**
 * Action accuracy of predicted against annotated agent actions: per turn (Acc T), on controllable turns (Acc C),
 * on proactive turns (Acc P) and whole dialogues (Acc D). Each item must give one prediction per gold turn.
 */
export function actionAccuracy(items: readonly ActionAccuracyItem[]): ActionAccuracy {
  let turns = 0;
  let turnsCorrect = 0;
  let controllable = 0;
  let controllableCorrect = 0;
  let dialoguesCorrect = 0;
  items.forEach((item, index) => {
    if (item.gold.length !== item.predicted.length) {
      throw new Error(`item ${index}: ${item.gold.length} gold actions but ${item.predicted.length} predictions`);
    }
    let allCorrect = true;
    item.gold.forEach((gold, turn) => {
      const correct = item.predicted[turn] === gold;
      turns++;
      if (correct) turnsCorrect++;
      else allCorrect = false;
      if (isControllable(item.sop, gold)) {
        controllable++;
        if (correct) controllableCorrect++;
      }
    });
    if (allCorrect) dialoguesCorrect++;
  });
  return {
    turn: ratio(turnsCorrect, turns),
    controllable: ratio(controllableCorrect, controllable),
    proactive: ratio(turnsCorrect - controllableCorrect, turns - controllable),
    dialogue: ratio(dialoguesCorrect, items.length),
  };
}
