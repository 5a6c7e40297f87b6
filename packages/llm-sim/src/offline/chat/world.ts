import {
  CORPUS_SPLIT_SEED,
  DAILYDIALOG_INTENTS,
  hashString,
  loadDailyDialog,
  splitDialogues,
  type DailyDialogEmotion,
  type DailyDialogIntent,
  type Dialogue,
  type SplitRatios,
  type Turn,
} from "@foresight/dialogue";
import { Bm25Index } from "../text/bm25.js";
import type { CorpusWorldOptions } from "../world-options.js";
import { tokenize } from "../text/tokenize.js";

/** The seed of the DailyDialog split: the project's one deduplicated split (`splitDialogues`), as the models use. */
export const CHAT_SPLIT_SEED = CORPUS_SPLIT_SEED;

/**
 * The shares of that split: the world is built on train (what the semantic models are fit on), dev is left to
 * model selection, test is held out (planner evaluation, bench starters).
 */
export const CHAT_SPLIT_RATIOS: SplitRatios = Object.freeze({ train: 0.8, dev: 0.1, test: 0.1 });

/** One DailyDialog utterance with the context it answered. */
export interface ChatUtterance {
  dialogueId: string;
  turn: number;
  text: string;
  intent: DailyDialogIntent;
  emotion: DailyDialogEmotion;
  /** The utterance it answered and the one before that ("" when none). */
  previousText: string;
  /** The intent of the utterance it answered. */
  previousIntent: DailyDialogIntent;
  beforePreviousText: string;
}

/** Options of {@link OpenChatCorpusWorld.build}: DailyDialog dialogues given instead of loaded, the split. */
export interface OpenChatWorldOptions extends CorpusWorldOptions {
  /**
   * Build on one half of the training dialogues only (by a hash of the dialogue id): the two halves are disjoint,
   * so a planner simulating with one half's world plays against a judge that knows the other ("mismatched").
   */
  trainHalf?: 0 | 1;
}

/** The intent and emotion a DailyDialog turn carries (the loader puts them in `acts[0]` and `state.emotion`). */
export function chatLabels(turn: Turn): { intent: DailyDialogIntent; emotion: DailyDialogEmotion } {
  const intent = turn.acts?.[0]?.intent;
  if (!(DAILYDIALOG_INTENTS as readonly string[]).includes(intent ?? "")) throw new Error(`DailyDialog turn without a known intent: "${turn.text}"`);
  return { intent: intent as DailyDialogIntent, emotion: (turn.state?.emotion ?? "no emotion") as DailyDialogEmotion };
}

/** The DailyDialog intent a turn carries among its acts, if any. */
export function dailyDialogIntentOf(turn: Turn): DailyDialogIntent | undefined {
  return turn.acts?.find((act) => (DAILYDIALOG_INTENTS as readonly string[]).includes(act.intent))?.intent as DailyDialogIntent | undefined;
}

/** Every answering utterance (turn ≥ 1) of the dialogues, with its context. */
export function chatUtterances(dialogues: readonly Dialogue[]): ChatUtterance[] {
  const utterances: ChatUtterance[] = [];
  for (const dialogue of dialogues) {
    dialogue.turns.forEach((turn, index) => {
      if (index === 0) return;
      utterances.push({
        dialogueId: dialogue.id,
        turn: index,
        text: turn.text,
        ...chatLabels(turn),
        previousText: dialogue.turns[index - 1]!.text,
        previousIntent: chatLabels(dialogue.turns[index - 1]!).intent,
        beforePreviousText: dialogue.turns[index - 2]?.text ?? "",
      });
    });
  }
  return utterances;
}

/** Marks a token of the utterance before the last, so it only matches the same position in a context. */
function earlier(token: string): string {
  return `<${token}`;
}

/** A pseudo-token for the intent of the utterance being answered, so that retrieval conditions on the act. */
export function intentToken(intent: DailyDialogIntent): string {
  return `__intent_${intent}`;
}

/** The retrieval document of a context: the answered intent, the last utterance's tokens, then the one before's (marked). */
export function chatContextTokens(
  previousText: string,
  beforePreviousText: string,
  previousIntent: DailyDialogIntent,
  tokens: (text: string) => string[] = tokenize,
): string[] {
  return [intentToken(previousIntent), ...tokens(previousText), ...tokens(beforePreviousText).map(earlier)];
}

/**
 * The retrieval query of a history: the last utterance's intent when it carries a DailyDialog one (twice), its
 * tokens twice (the last utterance matters most), then the one before.
 */
export function chatQueryTokens(last: Turn | undefined, beforeLast: Turn | undefined): string[] {
  const lastTokens = tokenize(last?.text ?? "");
  const intent = last ? dailyDialogIntentOf(last) : undefined;
  const intentTokens = intent ? [intentToken(intent), intentToken(intent)] : [];
  return [...intentTokens, ...lastTokens, ...lastTokens, ...tokenize(beforeLast?.text ?? "").map(earlier)];
}

/**
 * The open-chat world over DailyDialog: every answering utterance of the training dialogues (all of them, about
 * 75k), indexed by BM25 on the context it answered (the previous two utterances), plus the dialogues' openers.
 * Build it once and share it between the partner and the candidate generator.
 */
export class OpenChatCorpusWorld {
  /** Answering utterances indexed by the context they answered. */
  readonly index: Bm25Index;
  /** Utterances by their own intent (indexes into {@link utterances}). */
  readonly intentPools: Map<DailyDialogIntent, Set<number>>;
  /** Utterances by the intent of the utterance they answered (indexes into {@link utterances}). */
  readonly answeredIntentPools: Map<DailyDialogIntent, Set<number>>;
  /** The first utterances of the training dialogues. */
  readonly openers: readonly { text: string; intent: DailyDialogIntent; emotion: DailyDialogEmotion; dialogueId: string }[];

  private constructor(
    readonly train: readonly Dialogue[],
    readonly test: readonly Dialogue[],
    readonly utterances: readonly ChatUtterance[],
  ) {
    const cache = new Map<string, string[]>();
    const cached = (text: string) => {
      let tokens = cache.get(text);
      if (!tokens) {
        tokens = tokenize(text);
        cache.set(text, tokens);
      }
      return tokens;
    };
    this.index = new Bm25Index(utterances.map((u) => chatContextTokens(u.previousText, u.beforePreviousText, u.previousIntent, cached)));
    this.intentPools = new Map(DAILYDIALOG_INTENTS.map((intent) => [intent, new Set<number>()]));
    this.answeredIntentPools = new Map(DAILYDIALOG_INTENTS.map((intent) => [intent, new Set<number>()]));
    utterances.forEach((u, i) => {
      this.intentPools.get(u.intent)!.add(i);
      this.answeredIntentPools.get(u.previousIntent)!.add(i);
    });
    this.openers = train.map((d) => ({ text: d.turns[0]!.text, ...chatLabels(d.turns[0]!), dialogueId: d.id }));
    if (utterances.length === 0) throw new Error("open-chat world: no answering utterances in the training dialogues");
  }

  /**
   * Loads DailyDialog (or takes the given dialogues), splits it with `splitDialogues` (copies and shared openings on
   * one side) and builds the index on the train part (or one half of it, `trainHalf`).
   */
  static build(options: OpenChatWorldOptions = {}): OpenChatCorpusWorld {
    const dialogues = options.dialogues ?? loadDailyDialog({ dataDir: options.dataDir });
    const split = splitDialogues(dialogues, { seed: options.splitSeed ?? CHAT_SPLIT_SEED, ratios: options.splitRatios ?? CHAT_SPLIT_RATIOS });
    const half = options.trainHalf;
    const train = half === undefined ? split.train : split.train.filter((d) => hashString(`half\u0000${d.id}`) % 2 === half);
    return new OpenChatCorpusWorld(train, split.test, chatUtterances(train));
  }
}
