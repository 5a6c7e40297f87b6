import type { ChatMessage, Speaker } from "@foresight/dialogue";
import { SacFormatError } from "../errors.js";
import type { AnnotatedTurn, SacState, TurnAnnotation } from "../schema.js";
import { formatSacMessage, parseSacMessage } from "./serialize.js";

/** Options for {@link toSacMessages}. */
export interface SacTransformOptions {
  /** Which corpus speaker plays the assistant (default "system"); the other side is the user. */
  assistant?: Speaker;
  /** Prepend this system message. */
  systemPrompt?: string;
  /**
   * Append each assistant turn's bridging question (when annotated) to its reply, separated by a space. The
   * inverse then returns the reply with the question; leave it off for an exact round trip.
   */
  appendBridgingQuestions?: boolean;
}

/** A turn recovered by {@link fromSacMessages}: speaker and text, as the corpus had them. */
export interface PlainTurn {
  speaker: Speaker;
  text: string;
}

/** The state/action part of an annotation. */
export function sacStateOf(annotation: Pick<TurnAnnotation, "motivation" | "emotion" | "topics">): SacState {
  return { motivation: annotation.motivation, emotion: annotation.emotion, topics: [...annotation.topics] };
}

function otherSpeaker(speaker: Speaker): Speaker {
  return speaker === "system" ? "user" : "system";
}

/**
 * The SAC transform: one chat message per turn. User turns stay plain text; each assistant turn becomes
 * `header \n reply`, where the header carries the state of the user turn right before it (none when the previous
 * turn is not a user turn) followed by the assistant's own action — so a model fine-tuned on it predicts
 * state → action → words.
 */
export function toSacMessages(turns: readonly AnnotatedTurn[], options: SacTransformOptions = {}): ChatMessage[] {
  const assistant = options.assistant ?? "system";
  const messages: ChatMessage[] = options.systemPrompt === undefined ? [] : [{ role: "system", content: options.systemPrompt }];
  turns.forEach((turn, index) => {
    if (turn.speaker !== assistant) {
      messages.push({ role: "user", content: turn.text });
      return;
    }
    const previous = index > 0 ? turns[index - 1] : undefined;
    const userState = previous && previous.speaker !== assistant ? sacStateOf(previous.annotation) : null;
    const question = options.appendBridgingQuestions ? turn.annotation.bridgingQuestion : null;
    const text = question ? `${turn.text} ${question}` : turn.text;
    try {
      messages.push({ role: "assistant", content: formatSacMessage({ userState, action: sacStateOf(turn.annotation), text }) });
    } catch (error) {
      if (error instanceof SacFormatError) throw new SacFormatError(`turn ${index}: ${error.message}`);
      throw error;
    }
  });
  return messages;
}

/**
 * The inverse transform: strips every state and action tag and returns the turns' speakers and texts (system
 * messages are dropped). `toSacMessages` followed by this is the identity on speakers and texts.
 */
export function fromSacMessages(messages: readonly ChatMessage[], options: Pick<SacTransformOptions, "assistant"> = {}): PlainTurn[] {
  const assistant = options.assistant ?? "system";
  const turns: PlainTurn[] = [];
  messages.forEach((message, index) => {
    if (message.role === "system") return;
    if (message.role === "user") {
      turns.push({ speaker: otherSpeaker(assistant), text: message.content });
      return;
    }
    try {
      turns.push({ speaker: assistant, text: parseSacMessage(message.content).text });
    } catch (error) {
      if (error instanceof SacFormatError) throw new SacFormatError(`message ${index}: ${error.message}`);
      throw error;
    }
  });
  return turns;
}
