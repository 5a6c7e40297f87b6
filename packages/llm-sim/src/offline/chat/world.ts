import {
  DAILYDIALOG_INTENTS,
  loadDailyDialog,
  splitByDialogueId,
  type DailyDialogEmotion,
  type DailyDialogIntent,
  type Dialogue,
  type SplitRatios,
  type Turn,
} from "@foresight/dialogue";
import { Bm25Index } from "../text/bm25.js";
import { tokenize } from "../text/tokenize.js";

/** The seed of the DailyDialog train/test split (by dialogue id). */
export const CHAT_SPLIT_SEED = 7;

/** 90% of the DailyDialog dialogues in the shared data build the world, 10% are held out to evaluate it. */
export const CHAT_SPLIT_RATIOS: SplitRatios = Object.freeze({ train: 0.9, dev: 0, test: 0.1 });

/** One DailyDialog utterance with the context it answered. */
export interface ChatUtterance {
  dialogueId: string;
  turn: number;
  text: string;
  intent: DailyDialogIntent;
  emotion: DailyDialogEmotion;
  /** The utterance it answered and the one before that ("" when none). */
  previousText: string;
  beforePreviousText: string;
}

/** Options of {@link OpenChatCorpusWorld.build}. */
export interface OpenChatWorldOptions {
  /** The shared data folder (default: `resolveDataDir()`). */
  dataDir?: string;
  /** Use these DailyDialog dialogues instead of loading them (e.g. a fixture). */
  dialogues?: readonly Dialogue[];
  splitSeed?: number;
  splitRatios?: SplitRatios;
}

/** The intent and emotion a DailyDialog turn carries (the loader puts them in `acts[0]` and `state.emotion`). */
export function chatLabels(turn: Turn): { intent: DailyDialogIntent; emotion: DailyDialogEmotion } {
  const intent = turn.acts?.[0]?.intent;
  if (!(DAILYDIALOG_INTENTS as readonly string[]).includes(intent ?? "")) throw new Error(`DailyDialog turn without a known intent: "${turn.text}"`);
  return { intent: intent as DailyDialogIntent, emotion: (turn.state?.emotion ?? "no emotion") as DailyDialogEmotion };
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
        beforePreviousText: dialogue.turns[index - 2]?.text ?? "",
      });
    });
  }
  return utterances;
}

/** The retrieval document of a context: the last utterance's tokens, then the one before. */
export function chatContextTokens(previousText: string, beforePreviousText: string, tokens: (text: string) => string[] = tokenize): string[] {
  return [...tokens(previousText), ...tokens(beforePreviousText)];
}

/** The retrieval query of a history: the last utterance's tokens twice (it matters most), then the one before. */
export function chatQueryTokens(previousText: string, beforePreviousText: string): string[] {
  const last = tokenize(previousText);
  return [...last, ...last, ...tokenize(beforePreviousText)];
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
    this.index = new Bm25Index(utterances.map((u) => chatContextTokens(u.previousText, u.beforePreviousText, cached)));
    this.intentPools = new Map(DAILYDIALOG_INTENTS.map((intent) => [intent, new Set<number>()]));
    utterances.forEach((u, i) => this.intentPools.get(u.intent)!.add(i));
    this.openers = train.map((d) => ({ text: d.turns[0]!.text, ...chatLabels(d.turns[0]!), dialogueId: d.id }));
    if (utterances.length === 0) throw new Error("open-chat world: no answering utterances in the training dialogues");
  }

  /** Loads DailyDialog (or takes the given dialogues), splits it and builds the index. */
  static build(options: OpenChatWorldOptions = {}): OpenChatCorpusWorld {
    const dialogues = options.dialogues ?? loadDailyDialog({ dataDir: options.dataDir });
    const split = splitByDialogueId(dialogues, options.splitSeed ?? CHAT_SPLIT_SEED, options.splitRatios ?? CHAT_SPLIT_RATIOS);
    return new OpenChatCorpusWorld(split.train, split.test, chatUtterances(split.train));
  }
}
