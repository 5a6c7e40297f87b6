import { createRng, type Dialogue, type Turn } from "@foresight/dialogue";
import { chatPickTurn, CorpusCandidateGenerator, CorpusChatPartner, type OpenChatCorpusWorld } from "@foresight/llm-sim";
import type { ScopeStep } from "./open-chat.js";

/** SCOPE steps from simulated conversations, grouped by the context they branch from. */
export interface SimulatedSteps {
  steps: ScopeStep[];
  /** The context each step branches from (steps with the same group share the state and differ in the reply). */
  groups: Int32Array;
}

/**
 * SCOPE steps from conversations simulated in a chat world (the paper's transition data are human–LLM chats; ours
 * are the offline roles'): the partner opens with one of the world's training openers; at each agent turn the
 * candidate generator proposes `candidates` replies and the partner answers *each* of them — one step per
 * candidate, so the data show how the choice among a context's candidates changes the human's reply, which corpus
 * dialogues (one reply per context) cannot — and the conversation goes on with one of them at random. Up to
 * `agentTurns` agent turns per conversation, until `count` steps. The same seed gives the same steps.
 */
export function simulatedChatSteps(world: OpenChatCorpusWorld, count: number, seed: number, options: { candidates?: number; agentTurns?: number } = {}): SimulatedSteps {
  const m = options.candidates ?? 5;
  const agentTurns = options.agentTurns ?? 3;
  const steps: ScopeStep[] = [];
  const groups: number[] = [];
  let group = 0;
  for (let conversation = 0; steps.length < count; conversation++) {
    const rng = createRng(seed).fork(`conversation:${conversation}`);
    const partner = new CorpusChatPartner(world, { rng });
    const generator = new CorpusCandidateGenerator(world, { rng });
    const history: Turn[] = [chatPickTurn(partner.pick([], rng), "user")];
    for (let turn = 0; turn < agentTurns && steps.length < count; turn++, group++) {
      const candidates = generator.candidates(history, m, undefined, rng);
      if (candidates.length === 0) break;
      const replies: Turn[] = [];
      candidates.forEach((candidate, k) => {
        if (steps.length >= count) return;
        const said = chatPickTurn(candidate, "system");
        const reply = chatPickTurn(partner.pick([...history, said], rng.fork(`reply:${turn}:${k}`)), "user");
        replies.push(reply);
        const dialogue: Dialogue = { id: `sim-${seed}-${conversation}-${turn}-${k}`, domain: "open-chat", turns: [...history, said, reply], metadata: { simulated: true } };
        steps.push({ dialogue, at: history.length });
        groups.push(group);
      });
      const next = rng.int(replies.length);
      history.push(chatPickTurn(candidates[next]!, "system"), replies[next]!);
    }
  }
  return { steps, groups: Int32Array.from(groups) };
}
