import { z } from "zod";

/*
 * Zod schemas for the raw rows of PersuasionForGood's four CSV files. csv-parse hands every cell over as a
 * string; these schemas check and convert them. The unnamed first column of the dialog files is a pandas index
 * with gaps (rows were removed before release), so it carries no meaning and is ignored.
 */

const roleCell = z.enum(["0", "1"], { error: 'expected role "0" (persuader) or "1" (persuadee)' });

const indexCell = z
  .string()
  .regex(/^\d+$/, "expected a non-negative integer")
  .transform((value) => Number.parseInt(value, 10));

const numberPattern = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** A numeric cell; the empty cell means "not given" and becomes null. */
const optionalNumberCell = z
  .string()
  .refine((value) => value.trim() === "" || numberPattern.test(value.trim()), "expected a number or an empty cell")
  .transform((value) => (value.trim() === "" ? null : Number(value)));

const requiredNumberCell = z
  .string()
  .regex(numberPattern, "expected a number")
  .transform((value) => Number(value));

const dialogueIdCell = z.string().min(1, "expected a dialogue id");

/** A row of `full_dialog.csv`: one whole message (`Unit`) of one side in exchange `Turn`. */
export const FullDialogRowSchema = z.object({
  B2: dialogueIdCell,
  B4: roleCell,
  Turn: indexCell,
  Unit: z.string(),
});
export type FullDialogRow = z.infer<typeof FullDialogRowSchema>;

/** Sentiment scores of a sentence; 461 rows (15 dialogues) of the annotated file leave all three empty. */
const sentimentCell = optionalNumberCell.refine(
  (value) => value === null || (value >= 0 && value <= 1),
  "expected a sentiment score in [0, 1]",
);

/**
 * A row of `annotated_dialog.csv`: one sentence (`Unit`) with the persuader's (`er_*`) or the persuadee's
 * (`ee_*`) labels. The readme lists `er_label_2` twice; the second is really `ee_label_2`. A label in the other
 * side's columns means the columns are shifted, so it is an error.
 */
export const AnnotatedDialogRowSchema = z
  .object({
    B2: dialogueIdCell,
    B4: roleCell,
    Turn: indexCell,
    Unit: z.string(),
    er_label_1: z.string(),
    ee_label_1: z.string(),
    er_label_2: z.string(),
    ee_label_2: z.string(),
    neg: sentimentCell,
    neu: sentimentCell,
    pos: sentimentCell,
  })
  .superRefine((row, ctx) => {
    const scores = [row.neg, row.neu, row.pos];
    if (scores.some((score) => score === null) && scores.some((score) => score !== null)) {
      ctx.addIssue({ code: "custom", path: ["neg"], message: "sentiment neg/neu/pos must be all given or all empty" });
    }
    const otherSide = row.B4 === "0" ? (["ee_label_1", "ee_label_2"] as const) : (["er_label_1", "er_label_2"] as const);
    for (const column of otherSide) {
      if (row[column].trim() !== "") {
        ctx.addIssue({
          code: "custom",
          path: [column],
          message: `a ${row.B4 === "0" ? "persuader" : "persuadee"} sentence carries a label in ${column}`,
        });
      }
    }
  });
export type AnnotatedDialogRow = z.infer<typeof AnnotatedDialogRowSchema>;

/** A row of `annotated_info.csv`: one participant of a dialogue with intended (B5) and actual (B6) donation. */
export const AnnotatedInfoRowSchema = z.object({
  B2: dialogueIdCell,
  B3: z.string(),
  B4: roleCell,
  B5: optionalNumberCell,
  B6: requiredNumberCell,
  B7: optionalNumberCell,
});
export type AnnotatedInfoRow = z.infer<typeof AnnotatedInfoRowSchema>;

/**
 * A row of `full_info.csv`: one participant with actual donation (B6), the number of turns (B7) and survey
 * columns ending in `.x` (personality, values, demographics), which are kept as they are.
 */
export const FullInfoRowSchema = z.looseObject({
  B2: dialogueIdCell,
  B3: z.string(),
  B4: roleCell,
  B6: requiredNumberCell,
  B7: optionalNumberCell,
});
export type FullInfoRow = z.infer<typeof FullInfoRowSchema>;
