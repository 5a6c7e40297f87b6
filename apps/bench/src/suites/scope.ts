import { writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createRng, type Turn } from "@foresight/dialogue";
import { chatWorld, createChatVanillaMcts, OPEN_CHAT_REPLY_ACT, plannerFactory, SCOPE_REFERENCE_ROLLOUTS_PER_SECOND, ScopePlanner, type ChatTextRoles, type Conversation, type Decision, type Planner } from "@foresight/planners";
import { CorpusCandidateGenerator, CorpusChatPartner, LlmSystemRole, LlmUserSimulator, openChatPack, type ChatModel } from "@foresight/llm-sim";
import { createLexiconHarmfulnessScorer, tokenLength } from "@foresight/rewards";
import type { EpisodeContext, EpisodeOutcome, EpisodeSpec, Scale, Suite } from "./types.js";

/**
 * The `scope` suite (SCOPE, ICLR 2025, §6): each episode starts from a held-out DailyDialog opener (the human's
 * first utterance), the planner chooses the agent's reply among m = 5 corpus candidates, and the judge — the
 * DailyDialog corpus chat partner built on the train part of the split — answers; 5 agent turns. Metrics: the
 * human's cumulative tokens (cl100k, the engagement reward), the negative harmfulness of the human's replies (the
 * lexicon stand-in scorer), and at the first turn the within-context Spearman correlation of the planner's values
 * and of 0-step greedy's scores with the true 2-turn human reply length of each candidate (judge rollouts).
 * Worlds: `matched` (1-step greedy and vanilla MCTS simulate with the judge's own world) and `mismatched` (with a
 * world built on half the training dialogues). SCOPE always plans with its learned models, so its episodes are
 * the same in both worlds (played once, reported in both). Every budget is on the charged clock: SCOPE's time
 * budget buys simulations at SCOPE_REFERENCE_ROLLOUTS_PER_SECOND and the text-simulating baselines pay the paper's
 * LLM latency (Table 2), so the report does not depend on the machine's load; `rollout-speed.md` gives the rate
 * actually measured. Live (`context.llm`): the LLM proposes the m candidates of every turn and plays vanilla MCTS's
 * system and user roles, on the same charged clock as offline (the paper's latency per call, not the endpoint's),
 * so a live run does the same number of rollouts whatever the endpoint's speed and replays from the response
 * cache; the judge stays the corpus partner. As offline, vanilla MCTS at 1 s has no time for a rollout and picks
 * at random, which it reports as degraded.
 */

const TURNS = 5;
const CANDIDATES = 5;
const TWO_TURN_SAMPLES = 3;

export interface PlannerEntry {
  /** Row label: registry name plus `@setting`. */
  label: string;
  name: string;
  setting: Record<string, unknown>;
  /** Whether the planner's outcome depends on the world setting (it simulates with a chat world). */
  usesWorld: boolean;
  /** Seeds per starter when fewer than the scale's (the first ones, so these episodes are the scale's too). */
  seeds?: number;
}

/**
 * The suite's scales: `quick` (20 starters × 2 seeds, the 1 s rows), `full` (100 × 5, every budget and depth) and
 * `headline` (only the rows the targets compare: random, 0-step greedy, SCOPE, 1-step greedy and vanilla MCTS
 * at 1 s and vanilla MCTS at 70 s on 100 starters × 5 seeds; SCOPE, 1-step greedy and vanilla MCTS at 3 s on the same
 * 100 starters × the first 2 seeds).
 */
export const SCOPE_SCALES = ["quick", "full", "headline"] as const;
export type ScopeScale = (typeof SCOPE_SCALES)[number];

/** Starters and seeds per starter at each scale. */
const EPISODES: Record<ScopeScale, { starters: number; seeds: number }> = {
  quick: { starters: 20, seeds: 2 },
  full: { starters: 100, seeds: 5 },
  headline: { starters: 100, seeds: 5 },
};

/**
 * The budgets SCOPE, 1-step greedy and vanilla MCTS are compared at. Headline: 1 s and 3 s.
 */
const BUDGETS: Record<ScopeScale, number[]> = { quick: [1000], full: [250, 500, 1000, 2000, 3000], headline: [1000, 3000] };

/**
 * Seeds per starter of the headline's 3 s rows: SCOPE at 3 s costs three times its 1 s row (75,000 simulations an
 * episode, measured ≈ 19 s on 2 shared cores at load 6, so about 160 CPU-minutes for 500 episodes); 2 seeds keep it
 * near 60.
 */
const HEADLINE_SEEDS_AT_3S = 2;

function scopeScale(scale: string): ScopeScale {
  if (!(SCOPE_SCALES as readonly string[]).includes(scale)) throw new Error(`suite scope has no scale "${scale}" (${SCOPE_SCALES.join(", ")})`);
  return scale as ScopeScale;
}

/** The planner rows of a scale, in report order. */
export function scopeRows(scale: ScopeScale): PlannerEntry[] {
  const full = scale === "full";
  const depths = full ? [2, 4, 6] : [];
  // Every budget is on the charged clock: SCOPE's buys simulations at the reference rate, the text baselines' pay
  // the paper's LLM latency, so the outcome does not depend on this machine's speed or load.
  const scope = (timeMs: number, depth: number) => ({ timeMs, depth, clock: "charged" });
  const text = (timeMs: number, extra: Record<string, unknown> = {}) => ({ timeMs, chargeLatency: true, clock: "charged", ...extra });
  const out: PlannerEntry[] = [
    { label: "chat-random", name: "chat-random", setting: {}, usesWorld: false },
    { label: "chat-greedy-0", name: "chat-greedy-0", setting: {}, usesWorld: false },
  ];
  for (const timeMs of BUDGETS[scale]) {
    const seeds = scale === "headline" && timeMs === 3000 ? { seeds: HEADLINE_SEEDS_AT_3S } : {};
    out.push({ label: `scope@t=${timeMs}`, name: "scope", setting: scope(timeMs, 6), usesWorld: false, ...seeds });
    out.push({ label: `chat-greedy-1@t=${timeMs}`, name: "chat-greedy-1", setting: text(timeMs), usesWorld: true, ...seeds });
    out.push({ label: `chat-vanilla-mcts@t=${timeMs}`, name: "chat-vanilla-mcts", setting: text(timeMs, { depth: 6 }), usesWorld: true, ...seeds });
  }
  // The paper's headline: SCOPE at 1 s against vanilla MCTS at 70× that budget (LLM latency charged).
  out.push({ label: "chat-vanilla-mcts@t=70000", name: "chat-vanilla-mcts", setting: text(70000, { depth: 6 }), usesWorld: true });
  // The MDN variant doubles SCOPE's cost: full scale only, so that quick stays about two minutes.
  if (full) out.push({ label: "scope-mdn@t=1000", name: "scope-mdn", setting: scope(1000, 6), usesWorld: false });
  for (const depth of depths) out.push({ label: `scope@t=1000,d=${depth}`, name: "scope", setting: scope(1000, depth), usesWorld: false });
  // A.11's replay-buffer Q update (an option of the planner, off by default): full scale only.
  if (full) out.push({ label: "scope@t=1000,replay=1", name: "scope", setting: { ...scope(1000, 6), replaySamples: 1 }, usesWorld: false });
  return out;
}

/** The held-out starters: the first utterance of each test dialogue of the project's split, in corpus order. */
function starters(count: number, dataDir?: string): Array<{ id: string; text: string }> {
  const world = chatWorld(dataDir ? { dataDir } : {});
  return world.test.slice(0, count).map((d) => ({ id: d.id, text: d.turns[0]!.text }));
}

const planners = new Map<string, Promise<Planner>>();

/** A row's planner settings without its time budget (a budget of each plan, not a setting). */
function withoutTime(setting: Record<string, unknown>): Record<string, unknown> {
  const { timeMs: _time, ...rest } = setting;
  return rest;
}

/** One planner per registry name and setting, created once (SCOPE's sessions are reused across episodes). */
function plannerFor(entry: PlannerEntry, world: string, dataDir?: string): Promise<Planner> {
  const settings = { ...withoutTime(entry.setting), ...(entry.usesWorld ? { world } : {}) };
  const key = `${entry.name}\u0000${JSON.stringify(settings)}`;
  let planner = planners.get(key);
  if (!planner) {
    planner = plannerFactory(entry.name).create({ settings, ...(dataDir ? { dataDir } : {}) });
    planners.set(key, planner);
  }
  return planner;
}

/** Within-context Spearman correlation of two score lists (average ranks); 0 when either is constant. */
function spearman(a: readonly number[], b: readonly number[]): number {
  const ranks = (v: readonly number[]) => {
    const order = v.map((_, i) => i).sort((x, y) => v[x]! - v[y]!);
    const r = new Array<number>(v.length);
    for (let i = 0; i < order.length; ) {
      let j = i;
      while (j + 1 < order.length && v[order[j + 1]!] === v[order[i]!]) j++;
      for (let k = i; k <= j; k++) r[order[k]!] = (i + j) / 2;
      i = j + 1;
    }
    return r;
  };
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (ra.length - 1) / 2;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < ra.length; i++) {
    cov += (ra[i]! - mean) * (rb[i]! - mean);
    va += (ra[i]! - mean) ** 2;
    vb += (rb[i]! - mean) ** 2;
  }
  return va === 0 || vb === 0 ? 0 : cov / Math.sqrt(va * vb);
}

/** The true 2-turn human reply length of a candidate: judge reply, a corpus agent reply, judge reply (mean of samples). */
function twoTurnLength(history: Turn[], candidate: string, judge: CorpusChatPartner, agent: CorpusCandidateGenerator, seed: string): number {
  let total = 0;
  for (let s = 0; s < TWO_TURN_SAMPLES; s++) {
    const rng = createRng(`${seed}:${s}`);
    const turns: Turn[] = [...history, { speaker: "system", text: candidate }];
    const h1 = judge.pick(turns, rng).text;
    turns.push({ speaker: "user", text: h1 });
    const a2 = agent.candidates(turns, 1, undefined, rng)[0]?.text ?? "";
    turns.push({ speaker: "system", text: a2 });
    const h2 = judge.pick(turns, rng).text;
    total += tokenLength(h1) + tokenLength(h2);
  }
  return total / TWO_TURN_SAMPLES;
}

const harm = createLexiconHarmfulnessScorer();

/** Live mode's LLM roles for one episode: the system role proposes the m candidates, both serve vanilla MCTS. */
function liveRoles(llm: ChatModel, spec: EpisodeSpec): ChatTextRoles {
  const rng = createRng(`live:${spec.unit}:${spec.seed}`);
  return { system: new LlmSystemRole({ model: llm, rng: rng.fork("system"), pack: openChatPack }), user: new LlmUserSimulator({ model: llm, rng: rng.fork("user"), pack: openChatPack }) };
}

async function play(entry: PlannerEntry, spec: EpisodeSpec, context: EpisodeContext): Promise<EpisodeOutcome> {
  const { dataDir, signal } = context;
  const world = chatWorld({ ...(dataDir ? { dataDir } : {}), setting: "matched" });
  const starter = world.test.find((d) => d.id === spec.unit);
  if (!starter) throw new Error(`scope suite: no held-out DailyDialog dialogue "${spec.unit}"`);
  const live = context.llm ? liveRoles(context.llm, spec) : undefined;
  // Live, vanilla MCTS simulates with the LLM roles, on the row's charged clock.
  const planner =
    live && entry.name === "chat-vanilla-mcts"
      ? createChatVanillaMcts(live, withoutTime(entry.setting), dataDir)
      : await plannerFor(entry, spec.world, dataDir);
  // An episode's costs are its own: SCOPE's cache must not spare it an encoder call an earlier episode in this process
  // made (a seed's first turn repeats another seed's), or cost.modelCalls would depend on how episodes share processes.
  if (planner instanceof ScopePlanner) planner.clearInputCache();
  const judge = new CorpusChatPartner(world, { rng: createRng(`judge:${spec.unit}:${spec.seed}`) });
  const candidateRng = createRng(`candidates:${spec.unit}:${spec.seed}`);
  const generator = new CorpusCandidateGenerator(world, { rng: candidateRng });
  const history: Turn[] = [{ speaker: "user", text: starter.turns[0]!.text }];
  let humanTokens = 0;
  let harmSum = 0;
  const costs = { wallMs: 0, simulations: 0, llmCalls: 0, modelCalls: 0, chargedLatencyMs: 0, searchMs: 0 };
  const metrics: Record<string, number> = {};
  const transcript: unknown[] = [];
  for (let turn = 0; turn < TURNS; turn++) {
    signal?.throwIfAborted(); // a stopped run ends the episode here (the runner has already dropped it)
    const candidates = live ? (await live.system.reply(history, OPEN_CHAT_REPLY_ACT, CANDIDATES)).map((c) => c.text) : generator.candidates(history, CANDIDATES).map((p) => p.text);
    const conversation: Conversation = { turns: history.map((t) => ({ speaker: t.speaker === "system" ? "agent" : "user", text: t.text })) };
    const timeMs = spec.setting.timeMs as number | undefined;
    const decision: Decision = await planner.plan(conversation, {
      candidates,
      seed: spec.seed * 1000 + turn,
      budget: { ...(timeMs !== undefined ? { timeMs } : {}), ...(signal ? { signal } : {}) },
    });
    if (turn === 0) {
      const valueOf = new Map(decision.candidates.map((c) => [c.text, c.value]));
      const truth = candidates.map((c, i) => twoTurnLength(history, c, judge, generator, `two-turn:${spec.unit}:${spec.seed}:${i}`));
      const values = candidates.map((c) => valueOf.get(c) ?? null);
      if (values.every((v) => v !== null)) metrics.spearmanValueTwoTurn = spearman(values as number[], truth);
      metrics.spearmanZeroStepTwoTurn = spearman(candidates.map((c) => tokenLength(c)), truth);
    }
    const reply = decision.reply ?? candidates[0]!;
    history.push({ speaker: "system", text: reply });
    const human = judge.pick(history).text;
    history.push({ speaker: "user", text: human });
    humanTokens += tokenLength(human);
    harmSum += harm.scoreSync(human).probability;
    const s = decision.stats;
    costs.wallMs += s.wallMs;
    costs.simulations += s.simulations;
    costs.llmCalls += s.llmCalls;
    costs.modelCalls += s.modelCalls;
    costs.chargedLatencyMs += s.counters?.chargedLatencyMs ?? 0;
    costs.searchMs += s.counters?.searchMs ?? 0;
    transcript.push({ turn, reply, human, stop: s.stopReason, simulations: s.simulations, ...(decision.degraded ? { degraded: decision.degraded.reason } : {}) });
  }
  // Wall-clock costs (…Ms) go to timings.json; the measured rollout rate is in the suite's rollout-speed.md.
  return { metrics: { ...metrics, humanTokens, negHarm: -harmSum }, costs: { ...costs, msPerRollout: costs.simulations > 0 ? costs.searchMs / costs.simulations : 0 }, transcript };
}

/**
 * The measured speed of SCOPE's search, per row: simulations over the wall time of the searches. Budgets are on the
 * charged clock (SCOPE_REFERENCE_ROLLOUTS_PER_SECOND), so this is how the machine compares with that rate.
 */
async function writeRolloutSpeed(episodes: readonly (EpisodeOutcome & { spec: EpisodeSpec })[], dir: string): Promise<string[]> {
  const rows = new Map<string, { simulations: number; searchMs: number; episodes: number }>();
  for (const e of episodes) {
    // SCOPE plays the same episode in both worlds: count it once.
    if (!e.spec.planner.startsWith("scope") || e.spec.world !== "matched" || !(e.costs.searchMs! > 0)) continue;
    const row = rows.get(e.spec.planner) ?? { simulations: 0, searchMs: 0, episodes: 0 };
    row.simulations += e.costs.simulations ?? 0;
    row.searchMs += e.costs.searchMs ?? 0;
    row.episodes++;
    rows.set(e.spec.planner, row);
  }
  const load = os.loadavg().map((l) => l.toFixed(2)).join(", ");
  const lines = [
    "# SCOPE rollout speed (measured)",
    "",
    `Budgets in this run are on the charged clock: a time budget t buys ⌊t·${SCOPE_REFERENCE_ROLLOUTS_PER_SECOND}/1000⌋ simulations (the reference rate, the issue's target), whatever this machine's speed.`,
    `Below is the rate this machine actually reached (rollouts of depth D, batched; wall time, so it depends on the load); ${os.cpus().length} CPUs, load average at the end ${load}.`,
    "",
    "| row | episodes | simulations | search s | rollouts/s | vs reference |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...[...rows].map(([planner, r]) => {
      const rate = (r.simulations / r.searchMs) * 1000;
      return `| ${planner} | ${r.episodes} | ${r.simulations} | ${(r.searchMs / 1000).toFixed(1)} | ${Math.round(rate)} | ${(rate / SCOPE_REFERENCE_ROLLOUTS_PER_SECOND).toFixed(2)}× |`;
    }),
    "",
  ];
  await writeFile(path.join(dir, "rollout-speed.md"), lines.join("\n"));
  return ["rollout-speed.md"];
}

/** Every row of either scale by label (built once: the runner asks for a spec's row several times). */
const ENTRIES = new Map(SCOPE_SCALES.flatMap((scale) => scopeRows(scale)).map((e) => [e.label, e]));

function entryOf(label: string): PlannerEntry {
  const entry = ENTRIES.get(label);
  if (!entry) throw new Error(`scope suite: unknown planner row "${label}"`);
  return entry;
}

/** A `scope` suite (the runner plays an episode shared by both worlds once, through `shareKey`). */
export function createScopeSuite(): Suite {
  return {
    name: "scope",
    summary: "SCOPE vs random, 0-step and 1-step greedy and vanilla MCTS on held-out DailyDialog openers (5 turns, human tokens)",
    episodes(scale: Scale, seed: number, dataDir?: string): EpisodeSpec[] {
      const chosen = scopeScale(scale);
      const { starters: count, seeds } = EPISODES[chosen];
      const units = starters(count, dataDir);
      const out: EpisodeSpec[] = [];
      for (const world of ["matched", "mismatched"]) {
        for (const entry of scopeRows(chosen)) {
          for (const unit of units) {
            for (let s = 0; s < Math.min(seeds, entry.seeds ?? seeds); s++) out.push({ suite: "scope", planner: entry.label, setting: entry.setting, world, unit: unit.id, seed: seed * 100 + s });
          }
        }
      }
      return out;
    },
    // Planners that do not simulate with a chat world play the same episode in both worlds.
    shareKey(spec) {
      return entryOf(spec.planner).usesWorld ? undefined : `${spec.planner}\u0000${spec.unit}\u0000${spec.seed}`;
    },
    run(spec, context) {
      return play(entryOf(spec.planner), spec, context);
    },
    artifacts: writeRolloutSpeed,
    comparisons: [
      { metric: "humanTokens", a: "scope@t=1000", b: "chat-greedy-0" },
      { metric: "humanTokens", a: "scope@t=1000", b: "chat-random" },
      { metric: "humanTokens", a: "scope@t=1000", b: "chat-greedy-1@t=1000" },
      { metric: "humanTokens", a: "scope@t=1000", b: "chat-vanilla-mcts@t=1000" },
      { metric: "humanTokens", a: "scope@t=1000", b: "chat-vanilla-mcts@t=70000" },
      { metric: "humanTokens", a: "scope@t=3000", b: "chat-greedy-0" },
      { metric: "humanTokens", a: "scope@t=3000", b: "chat-random" },
      { metric: "humanTokens", a: "scope@t=3000", b: "chat-greedy-1@t=3000" },
      { metric: "humanTokens", a: "scope@t=3000", b: "chat-vanilla-mcts@t=3000" },
      { metric: "humanTokens", a: "scope@t=3000", b: "chat-vanilla-mcts@t=70000" },
      { metric: "humanTokens", a: "scope@t=3000", b: "scope@t=1000" },
      { metric: "humanTokens", a: "scope-mdn@t=1000", b: "chat-greedy-0" },
      { metric: "humanTokens", a: "scope@t=1000,replay=1", b: "scope@t=1000" },
      { metric: "spearmanValueTwoTurn", a: "scope@t=1000", b: "chat-greedy-0" },
    ],
    plots: [{ name: "reward-vs-budget", title: "Cumulative human tokens vs planning budget (LLM latency charged), as the paper's Figure 3", x: "timeMs", y: "humanTokens" }],
    headline: { metric: "humanTokens", a: "scope@t=1000", b: "chat-greedy-0" },
  };
}

/** The `scope` suite. */
export const scopeSuite: Suite = createScopeSuite();
