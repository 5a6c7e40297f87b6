import type { Rng, Turn } from "@foresight/dialogue";
import type { TopSamplingOptions } from "./text/sample.js";

/** Options of the roles played by retrieval over a corpus world. */
export interface RetrievalRoleOptions {
  /** The seeded generator behind every choice the role makes through its role interface. */
  rng: Rng;
  /** How many top candidates are sampled and how sharply (see `sampleTopHit`). */
  sampling?: TopSamplingOptions;
}

/** A role played by retrieval over a built corpus world, with its seeded generator and sampling settings. */
export abstract class RetrievalRole<World> {
  protected readonly rng: Rng;
  protected readonly sampling: TopSamplingOptions;

  /** A role over a built world. */
  constructor(
    readonly world: World,
    options: RetrievalRoleOptions,
  ) {
    this.rng = options.rng;
    this.sampling = options.sampling ?? {};
  }
}

/** The (trimmed) texts already said in a history, which the retrieval roles do not repeat. */
export function saidBefore(history: readonly Turn[]): Set<string> {
  return new Set(history.map((turn) => turn.text.trim()));
}
