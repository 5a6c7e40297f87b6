import { createRng, type GdpZeroPersuadeeReaction, type Turn } from "@foresight/dialogue";
import { CorpusPersuadee, CorpusReactionValue, lastDecision, type ChatModel, type P4gTrainPart } from "@foresight/llm-sim";
import { type CachedReply, heldOutPersuasionDialogues, persuasionOpening, persuasionWorld, plannerFactory, type Conversation, type GdpZeroPlanner } from "@foresight/planners";
import type { ComparisonSpec, EpisodeOutcome, EpisodeSpec, Suite } from "./types.js";

/** The scale knobs of the suite. */
interface GdpZeroScale {
  units: number;
  /** Seeds per unit (episode seeds seed·10000 + s·1000 + unit, s < seeds); 1 except at the headline scale. */
  seeds: number;
  /** Persuader turns the planner plays after the opening. */
  turns: number;
  /** Planner configurations: registry name, `@setting` label and settings. */
  planners: { name: string; label: string; settings: Record<string, number | boolean> }[];
  /** Planners played in the matched world only (the concurrency pair: wall time, not world fit). */
  matchedOnly: ReadonlySet<string>;
  /** Openings the matched-only planners play (the first ones, first seed only). */
  concurrencyUnits: number;
  /** Persuader turns the matched-only planners play (wall time per turn needs few; sequential at 500 ms is ~70 s each). */
  concurrencyTurns: number;
}

const main = { n: 20, k: 3, q0: 0.25 };
const label = (name: string, settings: Record<string, number | boolean>) => (Object.keys(settings).length === 0 ? name : `${name}@${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(",")}`);
const entry = (name: string, settings: Record<string, number | boolean>) => ({ name, label: label(name, settings), settings });

/** The held-out P4G dialogues (`heldOutPersuasionDialogues`): the headline scale opens every one of them. */
export const HELD_OUT_OPENINGS = 66;

/** Seeds per held-out opening at the headline scale. */
export const HEADLINE_SEEDS = 8;

/** Seeds per held-out opening at the full scale (the settings grid). */
export const FULL_SEEDS = 2;

/** The scales of the suite. */
export const GDP_ZERO_SCALES = ["quick", "full", "headline", "concurrency-check"] as const;

/** Simulations in flight in the latency rows at 500 ms (full scale); the quick scale's 25 ms rows have 1, 4 and 8. */
export const FULL_IN_FLIGHT: readonly number[] = [1, 4, 6, 8];

/** The rows of the issue's targets: GDP-Zero at n = 20, its two ablations and the prompting baseline. */
export const HEADLINE_PLANNERS: readonly string[] = ["gdpzero@n=20", "gdpzero-closed-loop@n=20", "gdpzero-no-response-selection@n=20", "gdpzero-prompting"];

function scaleOf(scale: string): GdpZeroScale {
  if (!(GDP_ZERO_SCALES as readonly string[]).includes(scale)) throw new Error(`gdpzero suite: unknown scale "${scale}" (${GDP_ZERO_SCALES.join(", ")})`);
  const latencyMs = scale === "quick" ? 25 : 500;
  const concurrency = (scale === "quick" ? [1, 4, 8] : FULL_IN_FLIGHT).map((inFlight) => entry("gdpzero", { n: 20, latencyMs, concurrency: inFlight }));
  // gdpzero@n=20,concurrency=4 / 8 without latency: the quality of simulations in flight (virtual loss) on every unit.
  const common = [
    entry("gdpzero", { n: 20 }),
    entry("gdpzero-closed-loop", { n: 20 }),
    entry("gdpzero-no-response-selection", { n: 20 }),
    entry("gdpzero-prompting", {}),
    entry("gdpzero", { n: 20, concurrency: 4 }),
    entry("gdpzero", { n: 20, concurrency: 8 }),
    entry("gdpzero", { n: 20, reuseTree: true }),
    // The exact expected value instead of GDP-Zero's 10 sampled reactions: how much the value's noise costs the search.
    entry("gdpzero", { n: 20, valueSamples: 0 }),
  ];
  if (scale === "headline") {
    // The target rows only, on every held-out opening × 8 seeds: 528 pairs per world instead of the full scale's 30
    // (measured at commit 09ac4a2: about 1.2 CPU-s per opening and seed for the 8 episodes, plus ~35 CPU-s of world
    // builds, so about 11 CPU-minutes at one thread).
    return { units: HELD_OUT_OPENINGS, seeds: HEADLINE_SEEDS, turns: 8, planners: common.filter((p) => HEADLINE_PLANNERS.includes(p.label)), matchedOnly: new Set(), concurrencyUnits: 0, concurrencyTurns: 0 };
  }
  if (scale === "quick") {
    // 6 openings × 6 planned turns (4 turns rarely reach a stated donation, which leaves the headline's CI at [0, 0]);
    // the latency pair on 1 opening at 25 ms (a smoke check of the speed-up; the full run measures 500 ms).
    return { units: 6, seeds: 1, turns: 6, planners: [...common, entry("gdpzero", { n: 5 }), ...concurrency], matchedOnly: new Set(concurrency.map((c) => c.label)), concurrencyUnits: 1, concurrencyTurns: 6 };
  }
  // 6 in flight (full scale only): between 4 (3.8×, at most 4× by construction) and 8 (6.3×, a matched-world quality loss).
  const sixInFlight = entry("gdpzero", { n: 20, concurrency: 6 });
  if (scale === "concurrency-check") {
    // Only the 6-in-flight rows and the sequential rows they are paired with, on the full scale's openings, seeds and
    // turns (the same episode specs, so the same outcomes as a full run): 2 × 132 pairs per world plus the latency pair.
    const latencyPair = concurrency.filter((c) => c.settings.concurrency === 1 || c.settings.concurrency === 6);
    return { units: HELD_OUT_OPENINGS, seeds: FULL_SEEDS, turns: 8, planners: [common[0]!, sixInFlight, ...latencyPair], matchedOnly: new Set(latencyPair.map((c) => c.label)), concurrencyUnits: 3, concurrencyTurns: 2 };
  }
  const sweeps = [
    ...[5, 10, 50].map((n) => entry("gdpzero", { n })),
    ...[1, 2].map((k) => entry("gdpzero", { n: 20, k })),
    ...[0, 0.5].map((q0) => entry("gdpzero", { n: 20, q0 })),
  ];
  // Full: every held-out opening × 2 seeds, 8 planned turns after the opening (corpus dialogues have about 10 persuader
  // turns): about 4.7 CPU-s per opening and seed for the 30 grid episodes (measured at commit f3ffc08), ~11 CPU-minutes
  // in all. The 500 ms latency rows (1, 4, 6 and 8 in flight) on 3 openings × 2 turns (sequential n = 20 takes about 70 s per turn; wall time,
  // not CPU); the quality of simulations in flight is measured on every pair by the rows without latency.
  return {
    units: HELD_OUT_OPENINGS,
    seeds: FULL_SEEDS,
    turns: 8,
    planners: [...common, sixInFlight, ...sweeps, ...concurrency],
    matchedOnly: new Set(concurrency.map((c) => c.label)),
    concurrencyUnits: 3,
    concurrencyTurns: 2,
  };
}

/** The judge's and the planner's training dialogues in a world setting (DESIGN.md: matched and mismatched). */
export function worldParts(world: string): { judge: P4gTrainPart; planner: P4gTrainPart } {
  if (world === "matched") return { judge: "all", planner: "all" };
  if (world === "mismatched") return { judge: "halfA", planner: "halfB" };
  throw new Error(`gdpzero suite: unknown world "${world}" (matched or mismatched)`);
}

/** The settings grid around the main configuration (full scale only), each compared with gdpzero@n=20. */
export const GRID_SWEEP: readonly string[] = ["gdpzero@n=10", "gdpzero@n=50", "gdpzero@n=20,k=1", "gdpzero@n=20,k=2", "gdpzero@n=20,q0=0", "gdpzero@n=20,q0=0.5"];

const comparisons: ComparisonSpec[] = [
  ...["donated", "finalValue"].flatMap((metric) => [
    { metric, a: "gdpzero@n=20", b: "gdpzero-prompting" },
    { metric, a: "gdpzero@n=20", b: "gdpzero-closed-loop@n=20" },
    { metric, a: "gdpzero@n=20", b: "gdpzero-no-response-selection@n=20" },
    { metric, a: "gdpzero@n=20", b: "gdpzero@n=5" },
    { metric, a: "gdpzero@n=20,concurrency=4", b: "gdpzero@n=20" },
    { metric, a: "gdpzero@n=20,concurrency=6", b: "gdpzero@n=20" },
    { metric, a: "gdpzero@n=20,concurrency=8", b: "gdpzero@n=20" },
    { metric, a: "gdpzero@n=20,reuseTree=true", b: "gdpzero@n=20" },
    { metric, a: "gdpzero@n=20,valueSamples=0", b: "gdpzero@n=20" },
    { metric, a: "gdpzero@n=20,valueSamples=0", b: "gdpzero-prompting" },
    ...GRID_SWEEP.map((a) => ({ metric, a, b: "gdpzero@n=20" })),
    { metric, a: "gdpzero@n=50", b: "gdpzero@n=5" },
  ]),
  ...[25, 500].flatMap((latency) =>
    (latency === 25 ? [4, 8] : FULL_IN_FLIGHT.slice(1)).flatMap((inFlight) =>
      ["cost.wallMsPerTurn", "finalValue"].map((metric) => ({ metric, a: `gdpzero@n=20,latencyMs=${latency},concurrency=${inFlight}`, b: `gdpzero@n=20,latencyMs=${latency},concurrency=1` })),
    ),
  ),
];

/**
 * The episode's planner from the registry, on the planner's side of the world. Live (`llm` given), GDP-Zero's four
 * LLM roles are played by the episode's model, and simulations in flight advance in lockstep, so that which call the
 * endpoint answers first does not change the next requests and `--replay` re-makes the run from the cache (offline
 * rows keep the default, so their results do not change).
 */
async function plannerFor(spec: EpisodeSpec, dataDir: string | undefined, llm: ChatModel | undefined): Promise<GdpZeroPlanner> {
  const name = spec.planner.split("@")[0]!;
  const settings = llm ? { ...spec.setting, backend: "llm", lockstep: true } : { ...spec.setting, backend: "offline", trainPart: worldParts(spec.world).planner };
  return (await plannerFactory(name).create({ settings, llm: llm ?? null, ...(dataDir ? { dataDir } : {}) })) as GdpZeroPlanner;
}

/**
 * The judge's expected value after a persuader reply (no sampling): its persuadee's reaction distribution to the
 * words, each reaction followed by the exact expected reaction to the donation question.
 */
function judgeValueAfterReply(judge: CorpusPersuadee, judgeValue: CorpusReactionValue, history: readonly Turn[], act: string, text: string): number {
  const said: Turn[] = [...history, { speaker: "system", text, state: { gdpZeroAct: act } }];
  let value = 0;
  for (const [reaction, p] of judge.reactionProbabilities(said)) value += p * judgeValue.expectedValue([...said, { speaker: "user", text: "", state: { reaction } }]);
  return value;
}

/** Plays one episode: a held-out opening, then `turns` planned persuader turns each answered by the judge's persuadee. */
async function playEpisode(spec: EpisodeSpec, opening: Conversation, turns: number, dataDir: string | undefined, signal?: AbortSignal, llm?: ChatModel): Promise<EpisodeOutcome> {
  const parts = worldParts(spec.world);
  const judgeWorld = persuasionWorld({ ...(dataDir ? { dataDir } : {}), trainPart: parts.judge });
  const rng = createRng(`gdpzero-judge-${spec.seed}-${spec.unit}`);
  const judge = new CorpusPersuadee(judgeWorld, { rng: rng.fork("persuadee") });
  const judgeValue = new CorpusReactionValue(judgeWorld, { rng: rng.fork("value"), samples: 0 });
  const planner = await plannerFor(spec, dataDir, llm);
  const conversation: Conversation = { turns: [...opening.turns], context: opening.context ?? {} };
  const history: Turn[] = conversation.turns.map((turn) =>
    turn.speaker === "agent" ? { speaker: "system", text: turn.text, state: { gdpZeroAct: turn.act } } : { speaker: "user", text: turn.text, state: { reaction: turn.act } },
  );
  const reactions: GdpZeroPersuadeeReaction[] = [];
  const transcript: unknown[] = [];
  /** Per decision with ≥ 2 cached replies of the act: the judge's value after the reply said − the mean over the cached ones. */
  const replyGains: number[] = [];
  let wallMs = 0;
  let roleCalls = 0;
  let simulations = 0;
  for (let turn = 0; turn < turns; turn++) {
    if (signal?.aborted) throw new Error("aborted");
    const decision = await planner.plan(conversation, { seed: spec.seed * 1000 + turn, settings: spec.setting as never });
    const cached = (decision.candidates.find((c) => c.act === decision.act)?.details?.cachedReplies ?? []) as CachedReply[];
    if (cached.length >= 2) {
      // The reply said is usually one of the cached replies: each text is valued once.
      const values = new Map<string, number>();
      const after = (text: string) => {
        let value = values.get(text);
        if (value === undefined) values.set(text, (value = judgeValueAfterReply(judge, judgeValue, history, decision.act!, text)));
        return value;
      };
      const meanCached = cached.reduce((sum, c) => sum + after(c.text), 0) / cached.length;
      replyGains.push(after(decision.reply!) - meanCached);
    }
    wallMs += decision.stats.wallMs;
    roleCalls += decision.stats.llmCalls;
    simulations += decision.stats.simulations;
    history.push({ speaker: "system", text: decision.reply!, state: { gdpZeroAct: decision.act } });
    const reply = judge.pickTurn(history, decision.act as never);
    history.push(reply);
    const reaction = reply.state!.reaction as GdpZeroPersuadeeReaction;
    reactions.push(reaction);
    const said = [
      { speaker: "agent" as const, text: decision.reply!, act: decision.act! },
      { speaker: "user" as const, text: reply.text, act: reaction },
    ];
    conversation.turns.push(...said);
    planner.observe(said);
    transcript.push({ act: decision.act, reaction, visits: Object.fromEntries(decision.candidates.map((c) => [c.act, c.visits])) });
  }
  return {
    metrics: {
      donated: lastDecision(reactions) === "donate" ? 1 : 0,
      finalValue: judgeValue.expectedValue(history),
      ...(replyGains.length > 0 ? { replyValueOverCached: replyGains.reduce((sum, g) => sum + g, 0) / replyGains.length } : {}),
    },
    costs: { wallMsPerTurn: wallMs / turns, roleCallsPerTurn: roleCalls / turns, simulationsPerTurn: simulations / turns },
    transcript,
  };
}

/**
 * GDP-Zero on held-out PersuasionForGood openings (the first exchange of each held-out dialogue), played for a few
 * persuader turns against the judge world's persuadee: GDP-Zero over n, k and Q₀ (and with the exact expected value
 * instead of l = 10 sampled reactions, a diagnostic of the value's noise), its closed-loop and
 * no-response-selection ablations and the prompting baseline, in the matched world (the planner simulates with the
 * judge's own persuadee, fitted on all training dialogues) and the mismatched one (judge fitted on one half of the
 * training dialogues, planner on the other); plus wall time per turn with a simulated per-call latency, sequential
 * against 4, 6 or 8 simulations in flight. Metrics: a stated donation by the end, the judge's final value (expected reaction
 * to the donation question, −1 … 1), response selection's effect per decision (`replyValueOverCached`: the judge's
 * expected value after the reply said minus the mean over the chosen act's cached replies), role calls and wall
 * time per turn.
 */
export const gdpZeroSuite: Suite = {
  name: "gdpzero",
  summary: "GDP-Zero vs prompting and ablations on held-out PersuasionForGood openings (matched and mismatched persuadee worlds)",
  episodes(scale, seed) {
    const knobs = scaleOf(scale);
    const specs: EpisodeSpec[] = [];
    const spec = (planner: GdpZeroScale["planners"][number], world: string, unit: number, s: number): EpisodeSpec => ({
      suite: "gdpzero",
      planner: planner.label,
      setting: { ...main, ...planner.settings, turns: knobs.matchedOnly.has(planner.label) ? knobs.concurrencyTurns : knobs.turns },
      world,
      unit: `opening-${unit}`,
      seed: seed * 10_000 + s * 1_000 + unit,
    });
    if (knobs.seeds > 1) {
      // Seed, then opening outermost: every prefix of the run holds whole pairs (all rows of an opening and seed). The
      // matched-only planners play the first seed's first openings.
      for (let s = 0; s < knobs.seeds; s++) {
        for (let unit = 0; unit < knobs.units; unit++) {
          for (const planner of knobs.planners) {
            if (knobs.matchedOnly.has(planner.label)) {
              if (s === 0 && unit < knobs.concurrencyUnits) specs.push(spec(planner, "matched", unit, s));
            } else for (const world of ["matched", "mismatched"]) specs.push(spec(planner, world, unit, s));
          }
        }
      }
      return specs;
    }
    for (const planner of knobs.planners) {
      const units = knobs.matchedOnly.has(planner.label) ? knobs.concurrencyUnits : knobs.units;
      for (const world of knobs.matchedOnly.has(planner.label) ? ["matched"] : ["matched", "mismatched"]) {
        for (let unit = 0; unit < units; unit++) specs.push(spec(planner, world, unit, 0));
      }
    }
    return specs;
  },
  async run(spec, context) {
    const dialogues = heldOutPersuasionDialogues(context.dataDir);
    const unit = Number(/^opening-(\d+)$/.exec(spec.unit)?.[1]);
    if (!Number.isInteger(unit) || unit >= dialogues.length) throw new Error(`gdpzero suite: unit "${spec.unit}" is not one of the ${dialogues.length} held-out openings`);
    const turns = Number(spec.setting.turns);
    return playEpisode(spec, persuasionOpening(dialogues[unit]!, 1), turns, context.dataDir, context.signal, context.llm);
  },
  comparisons,
  headline: { metric: "donated", a: "gdpzero@n=20", b: "gdpzero-prompting" },
  plots: [
    { name: "donation-by-planner", title: "Stated donation by the end, per planner", x: "planner", y: "donated", series: "world" },
    { name: "value-by-planner", title: "Judge's final value, per planner", x: "planner", y: "finalValue", series: "world" },
    // GDP-Zero's simulation sweep (the paper's Table 2 axis): the plain rows only, not the variants that also have n = 20.
    { name: "donation-vs-n", title: "Stated donation vs simulations per turn n", x: "n", y: "donated", planners: [5, 10, 20, 50].map((n) => `gdpzero@n=${n}`) },
  ],
};
