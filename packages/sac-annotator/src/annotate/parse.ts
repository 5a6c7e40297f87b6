import { z } from "zod";
import type { Speaker, Turn } from "@foresight/dialogue";
import { extractJson } from "@foresight/llm-sim";
import { describeZodError } from "../json.js";
import { TurnAnnotationSchema, type TurnAnnotation } from "../schema.js";
import { endsWithQuestion } from "./prompt.js";

const NULL_WORDS = /^(?:none|null|nil|n\/a|na|unknown|-|—|)$/i;

function label(value: string): string | null {
  const cleaned = value.replace(/\s+/g, " ").trim();
  return NULL_WORDS.test(cleaned) ? null : cleaned.toLowerCase();
}

const RawLabelSchema = z.union([z.string(), z.null()]);

const RawTurnSchema = z.object({
  turn: z.number().int().nonnegative().optional(),
  motivation: RawLabelSchema,
  emotion: RawLabelSchema,
  topics: z.union([z.array(RawLabelSchema), z.string(), z.null()]).optional(),
  topic: z.union([z.array(RawLabelSchema), z.string(), z.null()]).optional(),
  bridging_question: RawLabelSchema.optional(),
  bridgingQuestion: RawLabelSchema.optional(),
});
type RawTurn = z.infer<typeof RawTurnSchema>;

const RawTurnsSchema = z.array(RawTurnSchema);

/** The list of per-turn entries: the `turns` (or `annotations`) array of an object, or a bare array. */
function entriesOf(json: unknown): unknown {
  if (Array.isArray(json)) return json;
  if (typeof json === "object" && json !== null) {
    const record = json as Record<string, unknown>;
    return record.turns ?? record.annotations;
  }
  return undefined;
}

/** Options for {@link parseAnnotationOutput}. */
export interface ParseAnnotationOptions {
  assistant?: Speaker;
  bridgingQuestions?: boolean;
}

/** The outcome of parsing an annotator's answer: the annotations with the local repairs made, or why it failed. */
export type AnnotationParseResult =
  | { ok: true; annotations: TurnAnnotation[]; repairs: string[] }
  | { ok: false; reason: string };

function topicsOf(raw: RawTurn): string[] {
  const value = raw.topics ?? raw.topic ?? [];
  const list = typeof value === "string" ? value.split(/[;,]/) : (value ?? []);
  const topics: string[] = [];
  for (const item of list) {
    const cleaned = item === null ? null : label(item);
    if (cleaned !== null && !topics.includes(cleaned)) topics.push(cleaned);
  }
  return topics;
}

/**
 * Parses and validates an annotator's answer for a dialogue's turns. Repairs what is safe to repair locally —
 * a bare array or `annotations` key, entries in shuffled `turn` order, "none"/"n/a" for null, a topic string for a
 * list, upper case and stray white space, a bridging question where none belongs (dropped) — and rejects the rest
 * with a reason naming the turn and field (wrong number of entries, missing fields, over-long or reserved labels,
 * a bridging question that is not a question).
 */
export function parseAnnotationOutput(text: string, turns: readonly Pick<Turn, "speaker" | "text">[], options: ParseAnnotationOptions = {}): AnnotationParseResult {
  const assistant = options.assistant ?? "system";
  const json = extractJson(text);
  if (json === undefined) return { ok: false, reason: "no JSON object found in the answer" };
  const list = entriesOf(json);
  if (!Array.isArray(list)) return { ok: false, reason: 'expected an object with a "turns" array' };
  const parsed = RawTurnsSchema.safeParse(list);
  if (!parsed.success) return { ok: false, reason: describeZodError(parsed.error).replace(/^field /, "field turns.") };
  const repairs: string[] = [];
  let entries = parsed.data;
  if (entries.length !== turns.length) return { ok: false, reason: `expected ${turns.length} entries in "turns", got ${entries.length}` };
  if (entries.every((entry) => entry.turn !== undefined)) {
    const sorted = [...entries].sort((a, b) => (a.turn ?? 0) - (b.turn ?? 0));
    if (sorted.some((entry, index) => entry !== entries[index])) repairs.push("entries reordered by turn number");
    entries = sorted;
    const wrong = entries.findIndex((entry, index) => entry.turn !== index);
    if (wrong >= 0) return { ok: false, reason: `entries must be numbered 0..${turns.length - 1}; entry ${wrong} has turn ${entries[wrong]?.turn}` };
  }
  const annotations: TurnAnnotation[] = [];
  for (const [index, entry] of entries.entries()) {
    const turn = turns[index];
    if (!turn) return { ok: false, reason: `no turn ${index} in the dialogue` };
    const rawQuestion = entry.bridging_question ?? entry.bridgingQuestion ?? null;
    let bridgingQuestion: string | null = rawQuestion === null ? null : rawQuestion.replace(/\s+/g, " ").trim() || null;
    if (bridgingQuestion !== null) {
      const allowed = options.bridgingQuestions && turn.speaker === assistant && !endsWithQuestion(turn.text);
      if (!allowed) {
        bridgingQuestion = null;
        repairs.push(`turn ${index}: bridging question dropped (not asked for on this turn)`);
      } else if (!endsWithQuestion(bridgingQuestion)) {
        return { ok: false, reason: `turn ${index}: bridging_question must be a question ending with "?", got ${JSON.stringify(bridgingQuestion)}` };
      }
    }
    const candidate = {
      motivation: entry.motivation === null ? null : label(entry.motivation),
      emotion: entry.emotion === null ? null : label(entry.emotion),
      topics: topicsOf(entry),
      bridgingQuestion,
    };
    const checked = TurnAnnotationSchema.safeParse(candidate);
    if (!checked.success) return { ok: false, reason: `turn ${index}: ${describeZodError(checked.error)}` };
    annotations.push(checked.data);
  }
  return { ok: true, annotations, repairs };
}
