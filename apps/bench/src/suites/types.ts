/**
 * The contract between the bench runner and a planner suite (`scope`, `gdpzero`, `smcts-tod`, `sgm`, `sage`).
 * A suite enumerates independent episodes and runs one at a time; the runner owns everything else: JSONL output,
 * resume, sharding, the job queue, statistics (rows and paired comparisons in DESIGN.md's report shape), the
 * Markdown report, plots and the terminal table.
 */
import type { ChatModel } from "@foresight/llm-sim";

/**
 * `quick`: minutes on 2 cores; `full`: the committed scale; a suite may define more (scope and gdpzero `headline`,
 * smcts-tod `full-sgd` and `paper`) and throws on a label it does not know.
 */
// `string & {}` keeps the two shared labels suggested by editors while accepting a suite's own labels.
export type Scale = "quick" | "full" | (string & {});

/** One independent unit of work. Two specs with the same fields are the same episode (used to skip on resume). */
export interface EpisodeSpec {
  suite: string;
  /** Planner name as in the planners registry, with `@setting` when a suite sweeps one (e.g. "gdpzero@n=20"). */
  planner: string;
  /** The planner's settings for this episode (budget, n, k …), recorded in the JSONL. */
  setting: Record<string, unknown>;
  /** "matched" or "mismatched" (DESIGN.md), or another world label a suite defines. */
  world: string;
  /** The starter / goal / task this episode plays: the pairing key of paired comparisons. */
  unit: string;
  seed: number;
}

/** What one episode produced. `metrics` are the per-episode numbers the report aggregates. */
export interface EpisodeOutcome {
  metrics: Record<string, number>;
  /**
   * Costs per episode (llmCalls, tokens, modelCalls, simulations …) or per turn when named `…PerTurn`; the terminal
   * table divides per-episode costs by the `turns` metric when there is one. Wall-clock costs are named `…Ms` or
   * `…MsPer…` (wallMs, wallMsPerTurn): they vary between runs, so they go to timings.json, not summary.json.
   */
  costs: Record<string, number>;
  /** The decisions and turns of the episode, for the JSONL (kept small). */
  transcript?: unknown[];
}

/** A paired comparison the report must contain: planner `a` minus planner `b` on `metric`, per world. */
export interface ComparisonSpec {
  metric: string;
  a: string;
  b: string;
}

/** A plot the report draws from the rows (vega-lite spec built by the runner). */
export interface PlotSpec {
  name: string;
  title: string;
  /** Field of the setting on the x axis (e.g. "timeMs", "n", "tokensPerTurn"), or "planner" for bar charts. */
  x: string;
  /** Metric on the y axis. */
  y: string;
  /** Field to colour series by (default "planner"). */
  series?: string;
  /** Only these rows (planner labels), e.g. one sweep out of many variants that share the x field. */
  planners?: readonly string[];
}

/** What the runner hands a suite for each episode. */
export interface EpisodeContext {
  signal?: AbortSignal;
  dataDir?: string;
  /** Live mode: the LLM for the suite's LLM roles (through the response cache, so a live run replays offline). */
  llm?: ChatModel;
}

/** A bench suite. */
export interface Suite {
  name: string;
  summary: string;
  /**
   * Every episode at this scale, in a deterministic order. `dataDir` is the run's data folder (`--data-dir`): suites
   * that list units from a corpus (held-out goals, openers, tasks) read it there, as their episodes do.
   */
  episodes(scale: Scale, seed: number, dataDir?: string): EpisodeSpec[];
  /**
   * Plays one episode; must be deterministic given the spec (the seed is in it). With `llm` (live mode: `foresight
   * bench --live` / `--replay`, a model behind the response cache) a suite that supports it plays its LLM roles with
   * that model instead of the offline roles; a suite that does not ignores it.
   */
  run(spec: EpisodeSpec, context: EpisodeContext): Promise<EpisodeOutcome>;
  /**
   * Optional outcome sharing: episodes for which this returns the same key must have the same outcome (e.g. a
   * baseline that never uses the planner's world model plays the same in every world: its key leaves the world
   * out). The runner plays the first episode of a key and reuses its outcome for the others (each still written as
   * its own JSONL line, marked `reusedFrom`); live mode gives them one response-cache view. Undefined: played alone.
   */
  shareKey?(spec: EpisodeSpec): string | undefined;
  comparisons: ComparisonSpec[];
  plots?: PlotSpec[];
  /** The comparison the terminal summary table shows for this system (the system vs its best baseline). */
  headline?: ComparisonSpec;
  /**
   * Optional: writes the suite's own artifacts (datasets, exports) into its run folder once a run is complete, from
   * every episode's spec and outcome in the suite's order; returns the paths written, relative to `dir`.
   */
  artifacts?(episodes: readonly (EpisodeOutcome & { spec: EpisodeSpec })[], dir: string): Promise<string[]>;
}
