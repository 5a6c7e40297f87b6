import type { Turn } from "@foresight/dialogue";
import { TEMPLATE_NAMES, packVariables, parseSopChoice, renderMessages, sopPack, sopProfileVariables, type ActSpec, type ChatModel } from "@foresight/llm-sim";
import type { SopDomain } from "./domain.js";

/** ChatSOP's decoding for every prompt: temperature 0.1, top-p 0.1. */
export const SOP_LLM_DECODING = Object.freeze({ temperature: 0.1, topP: 0.1, maxTokens: 512 });

/** An LLM's next agent action, or undefined with the raw answer when none of the offered actions could be read. */
export interface LlmActionChoice {
  act: string | undefined;
  /** The answer named its action outside the prompt's answer marker (a counted parser fallback). */
  fallback: boolean;
  answer: string;
  tokens: number;
}

/**
 * Asks an LLM for the next agent action with ChatSOP's prompt (task and user profiles, the dialogue context, the
 * optional actions; with `guidance`, the actions the SOP prescribes here to prioritise) and reads the action after
 * "Therefore, the best agent action is:" (with or without its node prefix).
 */
export async function llmNextAction(chat: ChatModel, domain: SopDomain, turns: readonly Turn[], acts: readonly string[], guidance: readonly string[], seed: number): Promise<LlmActionChoice> {
  const specs: ActSpec[] = acts.map((node) => ({ label: node, description: domain.graph.gloss(node) }));
  const variables = packVariables(sopPack, turns, specs, { ...sopProfileVariables(domain.world.task), guidance: guidance.map((a) => `"${a}"`).join(", ") });
  const response = await chat.complete({ messages: renderMessages(sopPack, TEMPLATE_NAMES.nextAct, variables), n: 1, ...SOP_LLM_DECODING, seed, role: "prior" });
  const answer = response.choices[0]?.text ?? "";
  const choice = parseSopChoice(answer, acts, "action");
  return { act: choice?.node, fallback: choice?.fallback ?? false, answer, tokens: response.usage.promptTokens + response.usage.completionTokens };
}
