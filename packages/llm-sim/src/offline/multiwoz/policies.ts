import type { Rng } from "@foresight/dialogue";
import { multiWozTurnContext, type MultiWozActBundle, type MultiWozSystemActType, type MultiWozTurnContext, type MultiWozSystemWorld } from "./candidates.js";
import type { MultiWozActPrior } from "./prior.js";
import { multiWozPhase, type MultiWozTrackedState } from "./state.js";

/** A system policy: picks one of the grounded bundles of the turn. */
export type MultiWozSystemPolicy = (state: MultiWozTrackedState, context: MultiWozTurnContext, rng: Rng) => MultiWozActBundle;

function first(context: MultiWozTurnContext, type: MultiWozSystemActType, test: (bundle: MultiWozActBundle) => boolean = () => true): MultiWozActBundle | undefined {
  return context.bundles.find((bundle) => bundle.type === type && test(bundle));
}

function must(bundle: MultiWozActBundle | undefined, context: MultiWozTurnContext): MultiWozActBundle {
  const fallback = bundle ?? first(context, "reqmore") ?? context.bundles[0];
  if (!fallback) throw new Error("the system turn has no candidate bundle");
  return fallback;
}

/**
 * The rule-based reference policy that answers correctly from the database (the natural reference for planners):
 * says goodbye when the user does, books (or reports the refusal) as soon as the booking slots are known, answers
 * pending requests, reports no match, asks for required or missing constraints while many venues match, offers a
 * matching venue, asks for missing booking slots, offers to book the venue on the table (once), and otherwise asks
 * whether the user needs anything else.
 */
export const correctMultiWozPolicy: MultiWozSystemPolicy = (state, context) => {
  if (state.userEnded) return must(first(context, "bye"), context);
  if (multiWozPhase(state) === "closing" && context.bundles.every((bundle) => bundle.domain === undefined)) {
    return must(first(context, "welcome"), context);
  }
  const book = first(context, "Book") ?? first(context, "NoBook");
  if (book) return book;
  const domain = context.domain;
  const pending = domain ? (state.requested[domain] ?? []) : [];
  const offer = first(context, "Inform");
  if (pending.length > 0 && offer) return offer;
  const noOffer = first(context, "NoOffer");
  if (noOffer) return noOffer;
  if (context.missingRequired.length > 0) {
    const askBoth = first(context, "Request", (bundle) => bundle.acts.length === 2);
    return must(askBoth ?? first(context, "Request"), context);
  }
  const manyMatches = (context.matches?.length ?? 0) > 3;
  if (manyMatches && context.missing.length > 0 && !(domain && state.offered[domain])) {
    return must(first(context, "Request"), context);
  }
  if (offer && domain && !state.offered[domain]) return offer;
  const askBooking = first(context, "Request", (bundle) => bundle.label.includes("booking"));
  if (askBooking) return askBooking;
  if (domain && state.offered[domain] && !state.bookingOffered[domain]) {
    const offerBooking = first(context, "OfferBook", (bundle) => bundle.domain === domain);
    if (offerBooking) return offerBooking;
  }
  return must(undefined, context);
};

/** The correct policy, except that it never books: where it would book, it offers the booking again (or asks for more). */
export const neverBookMultiWozPolicy: MultiWozSystemPolicy = (state, context, rng) => {
  const choice = correctMultiWozPolicy(state, context, rng);
  if (choice.type !== "Book" && choice.type !== "NoBook") return choice;
  return must(first(context, "OfferBook"), context);
};

/** A policy that samples a bundle from the corpus act prior over the bundles available at this turn. */
export function priorSamplingMultiWozPolicy(prior: MultiWozActPrior): MultiWozSystemPolicy {
  return (state, context, rng) => {
    const weights = prior.bundleProbabilities(state, context.bundles);
    let u = rng.next();
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return context.bundles[i]!;
    }
    return context.bundles[context.bundles.length - 1]!;
  };
}

/** A policy that picks one of the turn's bundles uniformly at random. */
export const uniformMultiWozPolicy: MultiWozSystemPolicy = (_state, context, rng) => context.bundles[rng.int(context.bundles.length)]!;

/** Follows `base`, except that with probability `epsilon` it plays `noise` instead (a policy between two others). */
export function epsilonMultiWozPolicy(base: MultiWozSystemPolicy, noise: MultiWozSystemPolicy, epsilon: number): MultiWozSystemPolicy {
  if (!(epsilon >= 0 && epsilon <= 1)) throw new RangeError(`epsilon must be in [0, 1], got ${epsilon}`);
  return (state, context, rng) => (rng.next() < epsilon ? noise(state, context, rng) : base(state, context, rng));
}

/** The named system policies the simulator and the CLI offer. */
export const MULTIWOZ_POLICY_NAMES = ["correct", "never-book", "prior"] as const;
export type MultiWozPolicyName = (typeof MULTIWOZ_POLICY_NAMES)[number];

/** Resolves a policy by name (`prior` samples from the corpus prior). */
export function multiWozPolicyByName(name: MultiWozPolicyName, prior: MultiWozActPrior): MultiWozSystemPolicy {
  if (name === "correct") return correctMultiWozPolicy;
  if (name === "never-book") return neverBookMultiWozPolicy;
  return priorSamplingMultiWozPolicy(prior);
}

/** Runs a policy on a state: builds the turn's grounded options and picks one. */
export function playMultiWozSystemTurn(state: MultiWozTrackedState, world: MultiWozSystemWorld, policy: MultiWozSystemPolicy, rng: Rng): { bundle: MultiWozActBundle; context: MultiWozTurnContext } {
  const context = multiWozTurnContext(state, world);
  return { bundle: policy(state, context, rng), context };
}
