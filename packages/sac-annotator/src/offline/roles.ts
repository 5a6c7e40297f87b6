import { createRng, hashString, type Rng, type Turn } from "@foresight/dialogue";
import { canonicalJson, chatQueryTokens, jaccard, sampleTopHit, tokenize, type ChatModel, type ChatRequest, type ChatResponse } from "@foresight/llm-sim";
import { stripStateTags, formatSacMessage } from "../chain/serialize.js";
import { parseSelectorUserMessage, type TranscriptLine } from "../selfplay/prompts.js";
import { offlineResponse, utteranceKey, type SacCorpusWorld } from "./corpus.js";

/** A generator seeded by the role's seed and the request's messages: the same request always gets the same draws. */
function requestRng(seed: number, role: string, request: ChatRequest): Rng {
  return createRng(`${seed}|${role}|${hashString(canonicalJson(request.messages))}`);
}

/**
 * The offline SAGE agent: a retrieval "SAC model". For the conversation so far (tags stripped) it draws `n`
 * replies that DailyDialog speakers gave after the most similar contexts (BM25), each by a softmax over the top-k
 * hits' normalised scores at the request's temperature (SAGE's top-k 100, T 1.1 by default) — with replacement, as
 * an LLM samples. Each reply carries a SAC header from the corpus: the labels of the turn it answered (user state)
 * and its own (action). Repetition penalty has no counterpart here and is ignored.
 */
export class CorpusSacAgent implements ChatModel {
  readonly id = "dailydialog-retrieval-sac-agent";

  /** An agent over a world, seeded per episode. */
  constructor(
    private readonly world: SacCorpusWorld,
    private readonly seed: number,
  ) {}

  /** `n` SAC-formatted replies. */
  async complete(request: ChatRequest): Promise<ChatResponse> {
    const history: Turn[] = request.messages
      .filter((message) => message.role !== "system")
      .map((message) => ({ speaker: message.role === "user" ? "user" : "system", text: message.role === "assistant" ? stripStateTags(message.content) : message.content }));
    const said = new Set(history.map((turn) => utteranceKey(turn.text)));
    const topK = request.topK ?? 100;
    const hits = this.world.chat.index
      .search(chatQueryTokens(history.at(-1), history.at(-2)), { topK: topK * 2 })
      .filter((hit) => !said.has(utteranceKey(this.world.chat.utterances[hit.doc]!.text)));
    const rng = requestRng(this.seed, "agent", request);
    const texts: string[] = [];
    for (let i = 0; i < (request.n ?? 1); i++) {
      const doc = sampleTopHit(hits, rng, { topK, temperature: request.temperature ?? 1 })?.doc ?? rng.int(this.world.chat.utterances.length);
      const state = this.world.states[doc]!;
      texts.push(formatSacMessage({ userState: state.user, action: state.action, text: this.world.chat.utterances[doc]!.text }));
    }
    return offlineResponse(this.id, texts);
  }
}

/**
 * The offline user of self-play: llm-sim's DailyDialog chat partner (retrieval of what people said after the most
 * similar contexts) behind the chat interface. In the user model's view its own lines are assistant messages and
 * the agent's replies user messages; the first user message (the start cue) is not part of the conversation.
 */
export class CorpusSacUser implements ChatModel {
  readonly id = "dailydialog-retrieval-user";

  /** A user over a world, seeded per episode. */
  constructor(
    private readonly world: SacCorpusWorld,
    private readonly seed: number,
  ) {}

  /** The partner's next utterance. */
  async complete(request: ChatRequest): Promise<ChatResponse> {
    const history: Turn[] = request.messages
      .filter((message) => message.role !== "system")
      .slice(1)
      .map((message) => ({ speaker: message.role === "assistant" ? "user" : "system", text: message.content }));
    const rng = requestRng(this.seed, "user", request);
    const said = new Set(history.map((turn) => utteranceKey(turn.text)));
    const hits = this.world.chat.index
      .search(chatQueryTokens(history.at(-1), history.at(-2)), { topK: 60 })
      .filter((hit) => !said.has(utteranceKey(this.world.chat.utterances[hit.doc]!.text)));
    const doc = sampleTopHit(hits, rng, { topK: 10, temperature: 0.5 })?.doc ?? rng.int(this.world.chat.utterances.length);
    return offlineResponse(this.id, Array.from({ length: request.n ?? 1 }, () => this.world.chat.utterances[doc]!.text));
  }
}

/** The weights of {@link RubricSelector}'s score. */
export const RUBRIC_WEIGHTS = Object.freeze({ followUp: 1, coherence: 0.5, question: 0.3, natural: 0.2, repetition: 1 });

/** The rubric's parts for one candidate reply given the conversation so far. */
export interface RubricScore {
  /** log(1 + tokens of the reply that followed this utterance in the corpus) / log(31), capped at 1 (median when unseen). */
  followUp: number;
  /** Word overlap (Jaccard) with the user's last message. */
  coherence: number;
  /** 1 when the reply ends with a question. */
  question: number;
  /** 1 when the reply has 4 to 30 words. */
  natural: number;
  /** 1 when the reply overlaps an earlier companion reply by more than half (Jaccard). */
  repetition: number;
  total: number;
}

/** Scores a candidate reply with the offline selector's rubric (see {@link RubricSelector}). */
export function rubricScore(world: SacCorpusWorld, history: readonly TranscriptLine[], candidate: string): RubricScore {
  const tokens = tokenize(candidate);
  const set = new Set(tokens);
  const lastUser = [...history].reverse().find((line) => line.speaker === "User");
  const followed = world.followUpTokens.get(utteranceKey(candidate)) ?? world.medianFollowUp;
  const followUp = Math.min(1, Math.log1p(followed) / Math.log(31));
  const coherence = lastUser ? jaccard(set, new Set(tokenize(lastUser.text))) : 0;
  const question = /\?\s*$/.test(candidate) ? 1 : 0;
  const natural = tokens.length >= 4 && tokens.length <= 30 ? 1 : 0;
  const repetition = history.some((line) => line.speaker === "Companion" && jaccard(set, new Set(tokenize(line.text))) > 0.5) ? 1 : 0;
  const w = RUBRIC_WEIGHTS;
  const total = w.followUp * followUp + w.coherence * coherence + w.question * question + w.natural * natural - w.repetition * repetition;
  return { followUp, coherence, question, natural, repetition, total };
}

/**
 * The offline selector of self-play: reads the selector prompt's conversation and candidates and picks the one
 * with the best rubric score — a stand-in for SAGE's selector LLM built from measurable proxies of its criteria:
 * what the reply led to in the corpus (the length of the reply that followed it: engagement and future value),
 * overlap with the user's last message (coherence), ending with a question (engagement), a natural length, and no
 * repeat of an earlier reply. The first of equal scores wins; it always picks one.
 */
export class RubricSelector implements ChatModel {
  readonly id = "rubric-selector";

  /** A selector over a world's corpus statistics. */
  constructor(private readonly world: SacCorpusWorld) {}

  /** `{"best": i, "reason": …}` for the selector prompt. */
  async complete(request: ChatRequest): Promise<ChatResponse> {
    const parsed = parseSelectorUserMessage(request.messages.find((message) => message.role === "user")?.content ?? "");
    if (!parsed || parsed.candidates.length === 0) return offlineResponse(this.id, ["I cannot read the candidates in this prompt."]);
    const scores = parsed.candidates.map((candidate) => rubricScore(this.world, parsed.history, candidate));
    let best = 0;
    scores.forEach((score, i) => {
      if (score.total > scores[best]!.total) best = i;
    });
    const s = scores[best]!;
    const reason = `rubric ${s.total.toFixed(3)}: follow-up ${s.followUp.toFixed(2)}, coherence ${s.coherence.toFixed(2)}, question ${s.question}, natural ${s.natural}, repetition ${s.repetition}`;
    return offlineResponse(this.id, Array.from({ length: request.n ?? 1 }, () => JSON.stringify({ best: best + 1, reason })));
  }
}
