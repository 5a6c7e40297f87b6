import { GDP_ZERO_PERSUADER_ACTS, type GdpZeroPersuaderAct, type Turn } from "@foresight/dialogue";
import type { GenerativeModel, StepResult } from "@foresight/mcts-core";
import { persuadeeTurn, persuaderTurn, type GdpZeroRoles } from "./roles.js";

/** A concrete dialogue history reached in the search (a realization of an act sequence). */
export interface PersuasionState {
  turns: Turn[];
  /** The persuadee ended the dialogue. */
  ended: boolean;
}

/** Options of {@link persuasionModel}. */
export interface PersuasionModelOptions {
  /**
   * Make each step's persuadee call in the order the steps were called, not in the order their persuader replies
   * return (default false). With the search in lockstep this keeps the role calls, and the request seeds the roles
   * draw for them, independent of answer timing.
   */
  persuadeeCallsInOrder?: boolean;
}

/**
 * GDP-Zero's dialogue as a generative model for mcts-core: actions are the 7 persuader acts; the prior is the prior
 * role; a step is the system role's reply realising the act followed by the simulated persuadee's reply; a leaf's
 * value is the value role's (sampled reactions to the donation question, −1 … 1). Rewards are 0: the value is all.
 */
export function persuasionModel(
  roles: GdpZeroRoles,
  acts: readonly GdpZeroPersuaderAct[] = GDP_ZERO_PERSUADER_ACTS,
  options: PersuasionModelOptions = {},
): GenerativeModel<PersuasionState, GdpZeroPersuaderAct> {
  const inOrder = options.persuadeeCallsInOrder === true;
  /** Settles once the last step called has made its persuadee call (with `persuadeeCallsInOrder`). */
  let lastPersuadeeCall: Promise<void> = Promise.resolve();
  return {
    actions: (state) => (state.ended ? [] : acts),
    prior: async (state, offered) => {
      const result = await roles.prior.prior(state.turns, { acts: offered });
      return offered.map((act) => result.probabilities[result.acts.indexOf(act)] ?? 0);
    },
    step: async (state, act): Promise<StepResult<PersuasionState>> => {
      const previous = lastPersuadeeCall;
      let madeCall = () => {};
      if (inOrder) lastPersuadeeCall = new Promise<void>((resolve) => (madeCall = resolve));
      try {
        const [candidate] = await roles.system.reply(state.turns, act, 1);
        const said = persuaderTurn(candidate!.text, act);
        // The persuadee call is made once the steps called before have made theirs, not when this reply returns.
        if (inOrder) await previous;
        const replying = roles.user.respond([...state.turns, said]);
        madeCall();
        const reply = await replying;
        const turns = [...state.turns, said, persuadeeTurn(reply.text, reply.reaction)];
        return { state: { turns, ended: reply.ended }, reward: 0, terminal: reply.ended };
      } finally {
        madeCall();
      }
    },
    evaluate: async (state) => (await roles.value.evaluate(state.turns)).value,
  };
}
