import { beliefStateOf, type MultiWozDatabase, type MultiWozDialogue } from "@foresight/dialogue";
import { corpusBleu } from "../metrics/bleu.js";
import { officialInformSuccess } from "./corpus-metrics.js";
import { MultiWozEvaluator, type MultiWozEvaluation } from "./evaluator.js";

/** SMCTS-TOD's interactive Combined score: ½·Inform + ¼·(Success + Book), all in the same unit. */
export function interactiveCombinedScore(scores: { inform: number; success: number; book: number }): number {
  return 0.5 * scores.inform + 0.25 * (scores.success + scores.book);
}

/** The corpus-level Combined score: BLEU + ½·(Inform + Success), all in the same unit (papers use percentages). */
export function corpusCombinedScore(scores: { bleu: number; inform: number; success: number }): number {
  return scores.bleu + 0.5 * (scores.inform + scores.success);
}

/** Replays a dialogue's acts (and system belief states) through a {@link MultiWozEvaluator} against its goal. */
export function evaluateMultiWozSession(
  dialogue: Pick<MultiWozDialogue, "goal" | "turns">,
  db: MultiWozDatabase,
  evaluator: MultiWozEvaluator = new MultiWozEvaluator(db),
): MultiWozEvaluation {
  evaluator.reset(dialogue.goal);
  for (const turn of dialogue.turns) {
    if (turn.speaker === "user") evaluator.addUserActs(turn.acts ?? []);
    else evaluator.addSystemActs(turn.acts ?? [], beliefStateOf(turn));
  }
  return evaluator.evaluate();
}

function meanOf(values: readonly (number | null)[]): number | null {
  const defined = values.filter((v): v is number => v !== null);
  return defined.length === 0 ? null : defined.reduce((a, b) => a + b, 0) / defined.length;
}

/** Figures over a set of dialogues; rates and means are fractions in [0, 1]. */
export interface MultiWozCorpusReport {
  dialogues: number;
  /** ConvLab's session metrics, averaged over dialogues where defined. */
  convlab: {
    informPrecision: number | null;
    informRecall: number | null;
    informF1: number | null;
    bookRate: number | null;
    /** ConvLab-3's booking-constraint rate (people/day/stay/time as tracked when booking), mean where defined. */
    bookConstraints: number | null;
    finalGoal: number;
    success: number;
    /** ConvLab-3's strict success: success with booking constraints 1 (or none to check). */
    strictSuccess: number;
    /** ½·Inform F1 + ¼·(Success + Book rate). */
    combined: number | null;
  };
  /** The official corpus-level MultiWOZ Inform and Success rates (act-based). */
  official: { inform: number; success: number };
  /** Present when generated system responses were given: corpus BLEU against the corpus responses. */
  bleu?: number;
  /** BLEU + ½·(Inform + Success) on the official rates, when BLEU is present. */
  combined?: number;
  /** Dialogue ids that ConvLab's evaluator does not count as successful. */
  failures: string[];
}

/** Options of {@link evaluateMultiWozCorpus}. */
export interface EvaluateMultiWozCorpusOptions {
  /**
   * Generated system responses per dialogue id, one per system turn, for BLEU against the corpus system turns. The
   * acts, belief states and goals are always the dialogue's own: without a parser, generated text cannot be scored
   * for Inform/Success, so those figures describe the dialogues' annotated system side.
   */
  hypotheses?: ReadonlyMap<string, readonly string[]>;
}

/** Evaluates the system side of dialogues with ConvLab's session metrics and the official corpus metrics. */
export function evaluateMultiWozCorpus(
  dialogues: readonly MultiWozDialogue[],
  db: MultiWozDatabase,
  options: EvaluateMultiWozCorpusOptions = {},
): MultiWozCorpusReport {
  if (dialogues.length === 0) throw new Error("evaluateMultiWozCorpus: no dialogues");
  const evaluator = new MultiWozEvaluator(db);
  const sessions = dialogues.map((dialogue) => evaluateMultiWozSession(dialogue, db, evaluator));
  const official = dialogues.map((dialogue) => officialInformSuccess(dialogue, db));
  const rate = (flags: readonly boolean[]): number => flags.filter(Boolean).length / flags.length;
  const informF1 = meanOf(sessions.map((s) => s.inform.f1));
  const bookRate = meanOf(sessions.map((s) => s.bookRate));
  const success = rate(sessions.map((s) => s.success));
  const report: MultiWozCorpusReport = {
    dialogues: dialogues.length,
    convlab: {
      informPrecision: meanOf(sessions.map((s) => s.inform.precision)),
      informRecall: meanOf(sessions.map((s) => s.inform.recall)),
      informF1,
      bookRate,
      bookConstraints: meanOf(sessions.map((s) => s.bookConstraints)),
      finalGoal: meanOf(sessions.map((s) => s.finalGoal))!,
      success,
      strictSuccess: rate(sessions.map((s) => s.strictSuccess)),
      combined: informF1 === null || bookRate === null ? null : interactiveCombinedScore({ inform: informF1, success, book: bookRate }),
    },
    official: { inform: rate(official.map((o) => o.inform)), success: rate(official.map((o) => o.success)) },
    failures: dialogues.filter((_, i) => !sessions[i]!.success).map((d) => d.id),
  };
  if (options.hypotheses) {
    const hyps: string[] = [];
    const refs: string[] = [];
    for (const dialogue of dialogues) {
      const generated = options.hypotheses.get(dialogue.id);
      if (!generated) throw new Error(`no generated responses for dialogue ${dialogue.id}`);
      const reference = dialogue.turns.filter((t) => t.speaker === "system").map((t) => t.text);
      if (generated.length !== reference.length) {
        throw new Error(`dialogue ${dialogue.id}: ${generated.length} generated responses for ${reference.length} system turns`);
      }
      hyps.push(...generated);
      refs.push(...reference);
    }
    report.bleu = corpusBleu(hyps, refs).bleu;
    report.combined = corpusCombinedScore({ bleu: report.bleu, ...report.official });
  }
  return report;
}
