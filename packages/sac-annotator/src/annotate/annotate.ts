import type { Dialogue } from "@foresight/dialogue";
import type { ChatMessage, ChatModel, UsageLedger } from "@foresight/llm-sim";
import type { AnnotatedDialogue, AnnotationFailure } from "../schema.js";
import { parseAnnotationOutput } from "./parse.js";
import { annotationMessages, repairMessage, type AnnotationPromptOptions } from "./prompt.js";

/** The role name annotation calls carry (for accounting and tracing). */
export const ANNOTATOR_ROLE = "sac-annotator";

/** Options for {@link annotateDialogue}. */
export interface AnnotateDialogueOptions extends AnnotationPromptOptions {
  /** The corpus name stored with the result (e.g. "dailydialog"). */
  corpus: string;
  /** Model calls per dialogue: the first answer plus repair requests (default 3). */
  maxAttempts?: number;
  /** Sampling temperature (default 0). */
  temperature?: number;
  /** Completion token limit per call. */
  maxTokens?: number;
  /** Request seed, for endpoints that honour one. */
  seed?: number;
  /** Books how many answers were parsed and how many failed validation. */
  ledger?: UsageLedger;
  signal?: AbortSignal;
}

/** The outcome of annotating one dialogue. */
export type AnnotationOutcome = { ok: true; record: AnnotatedDialogue; repairs: string[] } | { ok: false; failure: AnnotationFailure };

/**
 * Annotates a whole dialogue in one pass (future-aware: the model sees every turn before labelling any). An answer
 * that fails validation is sent back with the reason and the model asked again, up to `maxAttempts` calls; a
 * dialogue that still fails, or whose call fails, is returned as a failure with the reason — never dropped. When
 * `signal` aborts, the promise rejects with the abort error instead (a cancelled dialogue has not failed).
 */
export async function annotateDialogue(model: ChatModel, dialogue: Dialogue, options: AnnotateDialogueOptions): Promise<AnnotationOutcome> {
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  const failure = (reason: string, attempts: number, lastOutput?: string): AnnotationOutcome => ({
    ok: false,
    failure: { id: dialogue.id, corpus: options.corpus, reason, attempts, ...(lastOutput === undefined ? {} : { lastOutput }) },
  });
  if (dialogue.turns.length === 0) return failure("the dialogue has no turns", 0);
  const messages: ChatMessage[] = annotationMessages(dialogue, options);
  let lastOutput: string | undefined;
  let lastReason = "";
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    let text: string;
    try {
      const response = await model.complete({
        messages: messages.map((message) => ({ ...message })),
        temperature: options.temperature ?? 0,
        maxTokens: options.maxTokens,
        seed: options.seed,
        role: ANNOTATOR_ROLE,
        signal: options.signal,
      });
      text = response.choices[0]?.text ?? "";
    } catch (error) {
      // A cancelled run is not a failed dialogue: let the abort reach the caller.
      if (options.signal?.aborted) throw error;
      return failure(`model call failed: ${(error as Error).message}`, attempt, lastOutput);
    }
    lastOutput = text;
    const parsed = parseAnnotationOutput(text, dialogue.turns, options);
    options.ledger?.recordParse(ANNOTATOR_ROLE, 1, parsed.ok ? 0 : 1);
    if (parsed.ok) {
      const turns = dialogue.turns.map((turn, index) => {
        const annotation = parsed.annotations[index];
        if (!annotation) throw new Error(`annotation parser returned no entry for turn ${index} of ${dialogue.id}`);
        return { speaker: turn.speaker, text: turn.text, annotation };
      });
      return {
        ok: true,
        repairs: parsed.repairs,
        record: { id: dialogue.id, corpus: options.corpus, domain: dialogue.domain, model: model.id, attempts: attempt, turns },
      };
    }
    lastReason = parsed.reason;
    messages.push({ role: "assistant", content: text }, { role: "user", content: repairMessage(parsed.reason, dialogue.turns.length) });
  }
  return failure(`invalid annotation after ${maxAttempts} attempts: ${lastReason}`, maxAttempts, lastOutput);
}
