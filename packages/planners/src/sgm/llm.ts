import type { Turn } from "@foresight/dialogue";
import {
  TEMPLATE_NAMES,
  packVariables,
  parseBinary,
  parseSopChoice,
  renderMessages,
  sopPack,
  sopProfileVariables,
  type ActSpec,
  type ChatModel,
  type SopChoice,
} from "@foresight/llm-sim";
import type { SopDomain } from "./domain.js";

/** ChatSOP's decoding for every prompt: temperature 0.1, top-p 0.1 (512 tokens, room for the analysis first). */
export const SOP_LLM_DECODING = Object.freeze({ temperature: 0.1, topP: 0.1, maxTokens: 512 });

/** An LLM's next agent action, or undefined with the raw answer when none of the offered actions could be read. */
export interface LlmActionChoice {
  act: string | undefined;
  /** The answer named its action outside the prompt's answer marker (a counted parser fallback). */
  fallback: boolean;
  answer: string;
  tokens: number;
}

/** `n` samples of ChatSOP's next-action prompt over `acts` (with `guidance`: the SOP's actions to prioritise), each read. */
async function askNextActions(
  chat: ChatModel,
  domain: SopDomain,
  turns: readonly Turn[],
  acts: readonly string[],
  guidance: readonly string[],
  n: number,
  seed: number,
  role: string,
): Promise<{ choices: { choice: SopChoice | undefined; answer: string }[]; tokens: number }> {
  const specs: ActSpec[] = acts.map((node) => ({ label: node, description: domain.graph.gloss(node) }));
  const variables = packVariables(sopPack, turns, specs, { ...sopProfileVariables(domain.world.task), guidance: guidance.map((a) => `"${a}"`).join(", ") });
  const response = await chat.complete({ messages: renderMessages(sopPack, TEMPLATE_NAMES.nextAct, variables), n, ...SOP_LLM_DECODING, seed, role });
  return {
    choices: response.choices.map((c) => ({ choice: parseSopChoice(c.text, acts, "action"), answer: c.text })),
    tokens: response.usage.promptTokens + response.usage.completionTokens,
  };
}

/**
 * Asks an LLM for the next agent action with ChatSOP's prompt (task and user profiles, the dialogue context, the
 * optional actions; with `guidance`, the actions the SOP prescribes here to prioritise) and reads the action after
 * "Therefore, the best agent action is:" (with or without its node prefix).
 */
export async function llmNextAction(chat: ChatModel, domain: SopDomain, turns: readonly Turn[], acts: readonly string[], guidance: readonly string[], seed: number): Promise<LlmActionChoice> {
  const { choices, tokens } = await askNextActions(chat, domain, turns, acts, guidance, 1, seed, "prior");
  const first = choices[0];
  return { act: first?.choice?.node, fallback: first?.choice?.fallback ?? false, answer: first?.answer ?? "", tokens };
}

/** What SGM's LLM roles sent and how their answers were read; every parser fallback is counted. */
export interface SgmLlmCounters {
  /** Requests sent (an expansion or a judgement is one request with n samples). */
  requests: number;
  tokens: number;
  /** Expansion samples that named no action of the expansion set (left out). */
  expansionUnparsed: number;
  /** Expansion samples whose action was found outside the answer marker. */
  expansionFallback: number;
  /** Expansions with no readable sample: the corpus prior's most likely action of the set was taken instead. */
  expansionPrior: number;
  /** Judge samples with no readable 0/1 conclusion (left out). */
  judgeUnparsed: number;
  /** Judgements with no readable sample: rationality 0.5. */
  judgeFallback: number;
}

/** Fresh counters, all zero. */
export function sgmLlmCounters(): SgmLlmCounters {
  return { requests: 0, tokens: 0, expansionUnparsed: 0, expansionFallback: 0, expansionPrior: 0, judgeUnparsed: 0, judgeFallback: 0 };
}

/**
 * SGM's action generator a_φ on an LLM: M samples of ChatSOP's next-action prompt (the paper's decoding, one
 * request with n = M) offering the expansion set; the distinct actions read form A(d) (at this temperature the
 * samples often agree, so A(d) may hold fewer than M, as Algorithm 1's set does). With no readable sample the
 * corpus prior's most likely action of the set is taken (counted).
 */
export async function llmExpansion(
  chat: ChatModel,
  domain: SopDomain,
  turns: readonly Turn[],
  pool: readonly string[],
  samples: number,
  prior: ReadonlyMap<string, number>,
  seed: number,
  counters: SgmLlmCounters,
): Promise<string[]> {
  const { choices, tokens } = await askNextActions(chat, domain, turns, pool, [], samples, seed, "prior");
  counters.requests++;
  counters.tokens += tokens;
  const chosen: string[] = [];
  for (const { choice } of choices) {
    if (!choice) counters.expansionUnparsed++;
    else {
      if (choice.fallback) counters.expansionFallback++;
      if (!chosen.includes(choice.node)) chosen.push(choice.node);
    }
  }
  if (chosen.length === 0) {
    counters.expansionPrior++;
    chosen.push([...pool].sort((a, b) => (prior.get(b) ?? 0) - (prior.get(a) ?? 0))[0]!);
  }
  return chosen;
}

/**
 * ChatSOP's rationality judge on an LLM: the paper's prompt (task and user profiles, the SOP's allowed next actions,
 * the dialogue context, the action with its gloss) sampled `samples` times in one request; each answer is read by
 * its last "Therefore, the answer is: 1/0" (or a plain yes/no, JSON …). Unreadable samples are left out; with none
 * readable the vote is 0.5 (both counted).
 */
export async function llmRationalityVotes(
  chat: ChatModel,
  domain: SopDomain,
  turns: readonly Turn[],
  act: string,
  sopAllowed: readonly string[],
  samples: number,
  seed: number,
  counters: SgmLlmCounters,
): Promise<number[]> {
  const variables = packVariables(sopPack, turns, [], {
    ...sopProfileVariables(domain.world.task),
    act,
    actDescription: domain.graph.gloss(act),
    guidance: sopAllowed.map((a) => `"${a}"`).join(", "),
  });
  const response = await chat.complete({ messages: renderMessages(sopPack, TEMPLATE_NAMES.rationalityJudge, variables), n: samples, ...SOP_LLM_DECODING, seed, role: "judge" });
  counters.requests++;
  counters.tokens += response.usage.promptTokens + response.usage.completionTokens;
  const votes: number[] = [];
  for (const choice of response.choices) {
    const vote = parseBinary(choice.text);
    if (vote === undefined) counters.judgeUnparsed++;
    else votes.push(vote);
  }
  if (votes.length > 0) return votes;
  counters.judgeFallback++;
  return [0.5];
}
