import type { Manifest } from "../manifest.js";

/** The `training` block of a manifest for a synthetic model written by a test. */
export const SYNTHETIC_TRAINING: Manifest["training"] = {
  corpora: ["synthetic"],
  split: { seed: 1, train: 0.8, dev: 0.1, test: 0.1, by: "id" },
  trainedOn: "train",
  evaluatedOn: "test",
  examples: { train: 1 },
  seed: 1,
  method: "none",
  hyperparameters: {},
  command: "test",
};
