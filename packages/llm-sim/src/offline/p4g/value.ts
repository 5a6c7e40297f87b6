import { gdpZeroReactionOfTurn, type Dialogue, type GdpZeroPersuadeeReaction } from "@foresight/dialogue";
import { areaUnderRoc, fitLogisticRegression, predictLogistic, type LogisticModel } from "../stats/logistic.js";
import { donationLabel, type DonationTarget } from "./corpus.js";

/** The names of the value model's features, in order. */
export const DONATION_FEATURES = [
  "intercept",
  "share donate",
  "share no donation",
  "share positive reaction",
  "share negative reaction",
  "last decisive is donate",
  "last decisive is no donation",
  "log(1 + persuadee turns)",
] as const;

/** The features of a history prefix given the persuadee's reactions so far, in {@link DONATION_FEATURES} order. */
export function donationFeatures(reactions: readonly GdpZeroPersuadeeReaction[]): number[] {
  const n = reactions.length;
  const share = (reaction: GdpZeroPersuadeeReaction) => (n === 0 ? 0 : reactions.filter((r) => r === reaction).length / n);
  let lastDecisive: GdpZeroPersuadeeReaction | undefined;
  for (const reaction of reactions) if (reaction === "donate" || reaction === "no donation") lastDecisive = reaction;
  return [
    1,
    share("donate"),
    share("no donation"),
    share("positive reaction"),
    share("negative reaction"),
    lastDecisive === "donate" ? 1 : 0,
    lastDecisive === "no donation" ? 1 : 0,
    Math.log1p(n),
  ];
}

/** A dialogue's persuadee reactions in order. */
export function dialogueReactions(dialogue: Dialogue): GdpZeroPersuadeeReaction[] {
  return dialogue.turns.filter((turn) => turn.speaker === "user").map((turn) => gdpZeroReactionOfTurn(turn));
}

/** Held-out quality of a donation value model. */
export interface DonationValueValidation {
  target: DonationTarget;
  /** Dialogues with a label in each part. */
  trainDialogues: number;
  testDialogues: number;
  /** AUC on held-out dialogues from their whole history. */
  aucFullHistory: number;
  /** AUC on every prefix (after each persuadee turn) of the held-out dialogues. */
  aucPrefixes: number;
  /** Donation rate among the labelled held-out dialogues. */
  testPositiveRate: number;
}

/** A logistic model of eventual donation from the reactions of a history prefix, fitted on corpus outcomes. */
export interface DonationValueModel {
  target: DonationTarget;
  model: LogisticModel;
}

function prefixExamples(dialogues: readonly Dialogue[], target: DonationTarget) {
  const features: number[][] = [];
  const labels: number[] = [];
  const weights: number[] = [];
  for (const dialogue of dialogues) {
    const label = donationLabel(dialogue, target);
    if (label === undefined) continue;
    const reactions = dialogueReactions(dialogue);
    for (let k = 1; k <= reactions.length; k++) {
      features.push(donationFeatures(reactions.slice(0, k)));
      labels.push(label);
      weights.push(1 / reactions.length);
    }
  }
  return { features, labels, weights };
}

/**
 * Fits P(donation | reactions so far) by L2-penalised logistic regression on every prefix of the training
 * dialogues, each dialogue weighing 1 in total so that long dialogues do not dominate.
 */
export function fitDonationValue(train: readonly Dialogue[], target: DonationTarget = "actual", l2 = 1): DonationValueModel {
  const { features, labels, weights } = prefixExamples(train, target);
  return { target, model: fitLogisticRegression(features, labels, { l2, sampleWeights: weights }) };
}

/** The model's probability of eventual donation after these reactions. */
export function donationProbability(model: DonationValueModel, reactions: readonly GdpZeroPersuadeeReaction[]): number {
  return predictLogistic(model.model, donationFeatures(reactions));
}

/** AUC of a fitted model on held-out dialogues, from whole histories and from every prefix. */
export function validateDonationValue(model: DonationValueModel, train: readonly Dialogue[], test: readonly Dialogue[]): DonationValueValidation {
  const labelled = test.filter((dialogue) => donationLabel(dialogue, model.target) !== undefined);
  const fullScores = labelled.map((dialogue) => donationProbability(model, dialogueReactions(dialogue)));
  const fullLabels = labelled.map((dialogue) => donationLabel(dialogue, model.target)!);
  const prefixes = prefixExamples(labelled, model.target);
  return {
    target: model.target,
    trainDialogues: train.filter((dialogue) => donationLabel(dialogue, model.target) !== undefined).length,
    testDialogues: labelled.length,
    aucFullHistory: areaUnderRoc(fullScores, fullLabels),
    aucPrefixes: areaUnderRoc(prefixes.features.map((x) => predictLogistic(model.model, x)), prefixes.labels),
    testPositiveRate: fullLabels.filter((label) => label === 1).length / fullLabels.length,
  };
}
