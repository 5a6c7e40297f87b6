import { DAILYDIALOG_INTENTS, type DailyDialogEmotion, type DailyDialogIntent, type Rng, type Turn } from "@foresight/dialogue";
import type { ActInput, RoleCallOptions, SystemCandidate, SystemRole, UserReply, UserSimulator } from "../../roles/types.js";
import { RetrievalRole, saidBefore, type RetrievalRoleOptions } from "../retrieval-role.js";
import { selectDiverse } from "../text/sample.js";
import { retrieveAndSample } from "../text/retrieve.js";
import { tokenize } from "../text/tokenize.js";
import { chatQueryTokens, dailyDialogIntentOf, type ChatUtterance, type OpenChatCorpusWorld } from "./world.js";

/** A DailyDialog utterance chosen for a context, with its intent, emotion and origin. */
export interface ChatPick {
  text: string;
  intent: DailyDialogIntent;
  emotion: DailyDialogEmotion;
  source: { dialogueId: string; turn: number };
}

function utterancePick(u: ChatUtterance): ChatPick {
  return { text: u.text, intent: u.intent, emotion: u.emotion, source: { dialogueId: u.dialogueId, turn: u.turn } };
}

function openerPick(opener: OpenChatCorpusWorld["openers"][number]): ChatPick {
  return { text: opener.text, intent: opener.intent, emotion: opener.emotion, source: { dialogueId: opener.dialogueId, turn: 0 } };
}

function contextQuery(history: readonly Turn[]): string[] {
  return chatQueryTokens(history[history.length - 1], history[history.length - 2]);
}

/** A chat pick as a dialogue turn: the intent as its act, the emotion in `state.emotion`. */
export function chatPickTurn(pick: ChatPick, speaker: Turn["speaker"]): Turn {
  return { speaker, text: pick.text, acts: [{ intent: pick.intent }], state: { emotion: pick.emotion }, metadata: { source: pick.source } };
}

/** Options of the open-chat corpus roles. */
export type ChatRoleOptions = RetrievalRoleOptions;

/**
 * A DailyDialog chat partner (the simulated human of SCOPE), by retrieval: the utterances people said after the
 * contexts most like the last two turns (BM25) — and after the same intent, when the last turn carries a DailyDialog
 * intent — one sampled among the best, so the reply varies with what was
 * said; an utterance already in the dialogue is not repeated. An empty history gets a real dialogue opener.
 */
export class CorpusChatPartner extends RetrievalRole<OpenChatCorpusWorld> implements UserSimulator {
  /** The next utterance after the history. */
  pick(history: readonly Turn[], rng: Rng = this.rng): ChatPick {
    if (history.length === 0) return openerPick(this.world.openers[rng.int(this.world.openers.length)]!);
    const said = saidBefore(history);
    const answered = dailyDialogIntentOf(history[history.length - 1]!);
    const doc = retrieveAndSample(this.world.index, contextQuery(history), rng, {
      ...this.sampling,
      pool: answered ? this.world.answeredIntentPools.get(answered) : undefined,
      exclude: (d) => said.has(this.world.utterances[d]!.text.trim()),
    })!;
    return utterancePick(this.world.utterances[doc]!);
  }

  /** The user-simulator role: the partner's next utterance (it never ends the chat by itself). */
  async respond(history: readonly Turn[], _options?: RoleCallOptions): Promise<UserReply> {
    return { text: this.pick(history).text, ended: false, fallback: false };
  }
}

/** Options of {@link CorpusCandidateGenerator}. */
export interface CandidateGeneratorOptions extends ChatRoleOptions {
  /** How many retrieved utterances to choose the diverse ones from (default 50). */
  pool?: number;
  /** Relevance vs. diversity in maximal marginal relevance (default 0.5). */
  lambda?: number;
}

/**
 * SCOPE's candidate generator without an LLM: the utterances real speakers said after the contexts most like the
 * current one (top 50 by BM25), from which m diverse ones are chosen by maximal marginal relevance (word
 * overlap as redundancy), the first sampled among the most relevant. As a system role, an act that is one of
 * DailyDialog's intents (inform, question, directive, commissive) restricts the candidates to that intent.
 */
export class CorpusCandidateGenerator implements SystemRole {
  private readonly rng: Rng;
  private readonly poolSize: number;
  private readonly lambda: number;

  /** A candidate generator over a built world. */
  constructor(
    readonly world: OpenChatCorpusWorld,
    options: CandidateGeneratorOptions,
  ) {
    this.rng = options.rng;
    this.poolSize = options.pool ?? 50;
    this.lambda = options.lambda ?? 0.5;
  }

  /** Up to m diverse utterances for the history, optionally only of one intent. */
  candidates(history: readonly Turn[], m: number, intent?: DailyDialogIntent, rng: Rng = this.rng): ChatPick[] {
    if (!Number.isInteger(m) || m < 1) throw new RangeError(`m must be a positive integer, got ${m}`);
    const said = saidBefore(history);
    const seen = new Set<string>();
    const hits = this.world.index
      .search(contextQuery(history), { topK: this.poolSize * 2, pool: intent ? this.world.intentPools.get(intent) : undefined })
      .filter((hit) => {
        const text = this.world.utterances[hit.doc]!.text.trim();
        if (said.has(text) || seen.has(text)) return false;
        seen.add(text);
        return true;
      })
      .slice(0, this.poolSize);
    if (hits.length === 0) return this.unmatched(history, m, intent, rng);
    const chosen = selectDiverse(
      hits.map((hit) => ({ item: hit.doc, relevance: hit.score, tokens: new Set(tokenize(this.world.utterances[hit.doc]!.text)) })),
      m,
      rng,
      { lambda: this.lambda },
    );
    return chosen.map((doc) => utterancePick(this.world.utterances[doc]!));
  }

  /**
   * Candidates when no corpus context shares a word with the history (an empty history, or unknown words): m distinct
   * real dialogue openers for an empty history, else m distinct utterances drawn uniformly (of `intent` when given).
   */
  private unmatched(history: readonly Turn[], m: number, intent: DailyDialogIntent | undefined, rng: Rng): ChatPick[] {
    const said = saidBefore(history);
    const picks: ChatPick[] = [];
    const seen = new Set<string>();
    const take = (pick: ChatPick) => {
      const text = pick.text.trim();
      if (said.has(text) || seen.has(text)) return;
      seen.add(text);
      picks.push(pick);
    };
    const openers = this.world.openers.filter((opener) => intent === undefined || opener.intent === intent);
    if (history.length === 0 && openers.length > 0) {
      for (let attempt = 0; attempt < m * 8 && picks.length < m; attempt++) {
        take(openerPick(openers[rng.int(openers.length)]!));
      }
      return picks;
    }
    const pool = [...(intent ? this.world.intentPools.get(intent)! : this.world.utterances.keys())];
    for (let attempt = 0; attempt < m * 8 && picks.length < m && pool.length > 0; attempt++) {
      take(utterancePick(this.world.utterances[pool[rng.int(pool.length)]!]!));
    }
    return picks;
  }

  /** The system role: m diverse candidates; `act` is a DailyDialog intent or any other label (no restriction). */
  async reply(history: readonly Turn[], act: ActInput, m: number, _options?: RoleCallOptions): Promise<SystemCandidate[]> {
    const label = (typeof act === "string" ? act : act.label).trim().toLowerCase();
    const intent = (DAILYDIALOG_INTENTS as readonly string[]).includes(label) ? (label as DailyDialogIntent) : undefined;
    return this.candidates(history, m, intent).map((pick) => ({ text: pick.text, act: intent ?? pick.intent, fallback: false }));
  }
}
