import type { Manifest } from "../manifest.js";
import { trainDefaultEncoder, type TrainJob } from "./train-encoder-model.js";
import { loadJobEncoder, openChatTransitions, trainActionModels, trainHarmModel, trainRewardModel, trainSafetyTransitionModel, trainTransitionModels, type TrainedHeads } from "./train-open-chat.js";
import { trainValueModel } from "./train-value.js";

/** The models `foresight train` knows. */
export const TRAINABLE_MODELS = ["encoder", "action", "transition", "reward", "harm", "scope", "value", "all"] as const;
export type TrainableModel = (typeof TRAINABLE_MODELS)[number];

/**
 * Trains one default model (or all) into `job.outDir`. Everything but the encoder embeds with the encoder found
 * in `job.outDir`, so "all" trains the encoder first. "harm" trains the harmfulness head and the transition MDN trained with the harm auxiliary loss
 * (`transition-mdn-safety`); both need `job.harmfulness` ("all" and "scope" skip them without one). "scope" trains
 * every SCOPE head (action, transition, reward, harm) on the encoder already there.
 */
export async function trainDefaultModels(which: TrainableModel, job: TrainJob): Promise<Manifest[]> {
  const out: Manifest[] = [];
  if (which === "encoder" || which === "all") out.push(await trainDefaultEncoder(job));
  if (which === "encoder") return out;
  const encoder = await loadJobEncoder(job);
  const all = which === "all" || which === "scope";
  if (which === "action" || which === "transition" || which === "reward" || which === "harm" || all) {
    const sets = await openChatTransitions(job, encoder);
    if (which === "action" || all) out.push(...(await trainActionModels(job, sets)));
    // Each head and baseline is fitted once and handed on (the safety model reuses the MDN, its metrics and F_H).
    const trained: TrainedHeads = {};
    if (which === "transition" || all) out.push(...(await trainTransitionModels(job, sets, trained)));
    if (which === "reward" || all) out.push(await trainRewardModel(job, sets));
    if (which === "harm" || (all && job.harmfulness)) out.push(await trainHarmModel(job, sets, trained), await trainSafetyTransitionModel(job, sets, trained));
  }
  if (which === "value" || which === "all") out.push(...(job.trainValue ? await job.trainValue(job) : [await trainValueModel(job)]));
  return out;
}
