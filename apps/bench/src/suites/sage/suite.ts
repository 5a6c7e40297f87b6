import { join } from "node:path";
import { createRng, dailyDialogMetadata, type ChatMessage, type Dialogue } from "@foresight/dialogue";
import type { ChatModel } from "@foresight/llm-sim";
import {
  CorpusLabelAnnotator,
  CorpusSacAgent,
  CorpusSacUser,
  EngagementJudge,
  RubricSelector,
  SELF_PLAY_DEFAULTS,
  TrajectorySchema,
  annotateDialogue,
  dpoPairs,
  engagementScore,
  fromSacMessages,
  judgePair,
  judgeTranscript,
  negativesOf,
  rubricScore,
  seededShuffle,
  selfPlay,
  toOpenAiFineTune,
  toSacMessages,
  toShareGpt,
  type AnnotatedDialogue,
  type SeedSituation,
  type Trajectory,
} from "@foresight/sac-annotator";
import { writeFileAtomic } from "../../runner/files.js";
import type { EpisodeContext, EpisodeOutcome, EpisodeSpec, Scale, Suite } from "../types.js";
import { sageWorld, seedDialogue, trainingDialogues } from "./worlds.js";

const SUITE = "sage";
/** The system: SAGE's rejection sampling with 16 candidates per turn. */
export const SAGE_SYSTEM = `sage-selfplay@n=${SELF_PLAY_DEFAULTS.candidates}`;
/** The baseline: the agent's first sample, no selection (what self-play without rejection sampling would keep). */
export const SAGE_BASELINE = "first-sample@n=1";
const SWEEP = "sage-selfplay@n=4";
const JUDGED = `judge:${SAGE_SYSTEM} vs ${SAGE_BASELINE}`;
const PIPELINE = "sac-pipeline";

/** Held-out units per world, and annotation batches and their size, per scale ("toy" is for tests). */
const SCALES: Record<Scale | "toy", { units: number; batches: number; batchSize: number }> = {
  toy: { units: 2, batches: 1, batchSize: 4 },
  quick: { units: 6, batches: 2, batchSize: 20 },
  full: { units: 60, batches: 10, batchSize: 50 },
};

function scaleOf(scale: string) {
  const settings = SCALES[scale as Scale | "toy"];
  if (!settings) throw new Error(`suite sage has no scale "${scale}" (toy, quick, full)`);
  return settings;
}

/** Counts the calls a role answers (offline roles have no tokens; calls are their cost). */
function counted(model: ChatModel): ChatModel & { calls: number } {
  const wrapper = { id: model.id, calls: 0, complete: (request: Parameters<ChatModel["complete"]>[0]) => (wrapper.calls++, model.complete(request)) };
  return wrapper;
}

function situationOf(dialogue: Dialogue): SeedSituation {
  const topic = dailyDialogMetadata(dialogue).topics[0]?.toLowerCase() ?? "everyday life";
  return { id: dialogue.id, situation: `You are chatting about ${topic}. You open with: "${dialogue.turns[0]!.text}"`, opening: dialogue.turns[0]!.text };
}

/** The worlds of an episode: the agent's and selector's corpus, and the simulated user's. */
function worldsOf(world: string, dataDir?: string) {
  if (world === "matched") return { planning: sageWorld("full", dataDir), user: sageWorld("full", dataDir) };
  if (world === "mismatched") return { planning: sageWorld("halfA", dataDir), user: sageWorld("halfB", dataDir) };
  throw new Error(`suite sage has no world "${world}"`);
}

type PlayedUnit = Promise<{ trajectory: Trajectory; calls: number }>;

/** Offline self-play trajectories, memoised per process (the judge episodes reuse them). */
const trajectories = new Map<string, PlayedUnit>();
/**
 * Live ones per episode's view of the response cache: a trajectory is reused only within that view (so an episode
 * replays the same whichever episodes ran before it in this process), and is dropped with the view when the episode
 * ends.
 */
const liveTrajectories = new WeakMap<ChatModel, Map<string, PlayedUnit>>();

function memoOf(llm: ChatModel | undefined): Map<string, PlayedUnit> {
  if (!llm) return trajectories;
  let memo = liveTrajectories.get(llm);
  if (!memo) liveTrajectories.set(llm, (memo = new Map()));
  return memo;
}

/** Forgets the offline self-play trajectories this process computed (tests re-run episodes from scratch with it). */
export function forgetSageTrajectories(): void {
  trajectories.clear();
}

/**
 * Self-play of one planner on one held-out unit (memoised per process: the judge episodes reuse it). Offline the
 * roles are the retrieval agent and user and the rubric selector of the episode's world; live, the LLM plays all three.
 */
function playUnit(planner: string, candidates: number, world: string, unit: string, seed: number, context: EpisodeContext) {
  const { dataDir, llm } = context;
  const memo = memoOf(llm);
  const key = `${planner}|${world}|${unit}|${seed}|${dataDir ?? ""}`;
  let result = memo.get(key);
  if (!result) {
    result = (async () => {
      const worlds = llm ? undefined : worldsOf(world, dataDir);
      const agent = counted(llm ?? new CorpusSacAgent(worlds!.planning, seed));
      const user = counted(llm ?? new CorpusSacUser(worlds!.user, seed));
      const selector = counted(llm ?? new RubricSelector(worlds!.planning));
      const dialogue = seedDialogue(Number(unit.replace(/^held-out-/, "")), dataDir);
      const trajectory = await selfPlay(situationOf(dialogue), { agent, user, selector, candidates });
      return { trajectory, calls: agent.calls + user.calls + selector.calls };
    })();
    memo.set(key, result);
  }
  return result;
}

/** The conversation of a trajectory as chat messages (kept replies raw, with their SAC headers). */
function conversation(trajectory: Trajectory): ChatMessage[] {
  return trajectory.turns.flatMap((turn) => [{ role: "user" as const, content: turn.user }, ...(turn.reply ? [{ role: "assistant" as const, content: turn.reply.raw }] : [])]);
}

async function runSelfPlay(spec: EpisodeSpec, context: EpisodeContext): Promise<EpisodeOutcome> {
  const candidates = Number(spec.setting.candidates);
  const { trajectory, calls } = await playUnit(spec.planner, candidates, spec.world, spec.unit, spec.seed, context);
  // The rubric is the offline selector's measure, computed on the episode's planning corpus in live mode too.
  const planning = worldsOf(spec.world, context.dataDir).planning;
  const kept = trajectory.turns.filter((turn) => turn.reply !== null);
  const rubric = kept.map((turn, i) => rubricScore(planning, judgeLines(conversation(trajectory).slice(0, 2 * i + 1)), turn.reply!.text).total);
  const negatives = trajectory.turns.reduce((sum, turn) => sum + negativesOf(turn).length, 0);
  const generated = trajectory.turns.reduce((sum, turn) => sum + turn.rounds.reduce((s, round) => s + round.candidates.length, 0), 0);
  return {
    metrics: {
      engagement: engagementScore(judgeTranscript(conversation(trajectory))),
      rubric: rubric.reduce((s, v) => s + v, 0) / Math.max(1, rubric.length),
      turns: trajectory.turns.length,
      candidatesGenerated: generated,
      repliesKept: kept.length,
      distinctNegatives: negatives,
      duplicateCandidatesDropped: generated - kept.length - negatives,
      selectorFallbacks: trajectory.turns.filter((turn) => turn.rounds.some((round) => round.fallback)).length,
      dpoPairs: trajectory.turns.filter((turn) => negativesOf(turn).length > 0).length,
    },
    costs: { modelCalls: calls },
    transcript: [trajectory],
  };
}

function judgeLines(messages: ChatMessage[]) {
  return judgeTranscript(messages)
    .split("\n")
    .map((line) => ({ speaker: line.startsWith("User:") ? ("User" as const) : ("Companion" as const), text: line.replace(/^(User|Companion): /, "") }));
}

async function runJudged(spec: EpisodeSpec, context: EpisodeContext): Promise<EpisodeOutcome> {
  // One after the other: live, both self-plays ask through the episode's one cache view, where identical requests (the
  // same opening) must meet the cache in the same order when the episode is replayed.
  const a = await playUnit(SAGE_SYSTEM, SELF_PLAY_DEFAULTS.candidates, spec.world, spec.unit, spec.seed, context);
  const b = await playUnit(SAGE_BASELINE, 1, spec.world, spec.unit, spec.seed, context);
  const judge = counted(context.llm ?? new EngagementJudge());
  const verdict = await judgePair(judge, spec.unit, judgeTranscript(conversation(a.trajectory)), judgeTranscript(conversation(b.trajectory)));
  return {
    metrics: {
      systemWins: verdict.outcome === "a" ? 1 : 0,
      ties: verdict.outcome === "tie" ? 1 : 0,
      baselineWins: verdict.outcome === "b" ? 1 : 0,
      ordersAgree: verdict.outcome === "a" || verdict.outcome === "b" || verdict.outcome === "tie" ? 1 : 0,
      inconsistent: verdict.outcome === "inconsistent" ? 1 : 0,
      invalid: verdict.outcome === "invalid" ? 1 : 0,
    },
    costs: { modelCalls: judge.calls },
    transcript: [verdict],
  };
}

async function runPipeline(spec: EpisodeSpec, context: EpisodeContext): Promise<EpisodeOutcome> {
  const size = Number(spec.setting.batchSize);
  const batch = Number(spec.unit.replace(/^batch-/, ""));
  const dialogues = seededShuffle(trainingDialogues(context.dataDir), spec.seed).slice(batch * size, (batch + 1) * size);
  const annotator = counted(context.llm ?? new CorpusLabelAnnotator(dialogues));
  const records: AnnotatedDialogue[] = [];
  let dropped = 0;
  for (const dialogue of dialogues) {
    const outcome = await annotateDialogue(annotator, dialogue, { corpus: "dailydialog" });
    if (outcome.ok) records.push(outcome.record);
    else dropped++;
  }
  let exact = 0;
  let trailing = 0;
  let assistantTurns = 0;
  for (const record of records) {
    const messages = toSacMessages(record.turns);
    const back = fromSacMessages(messages);
    if (JSON.stringify(back) === JSON.stringify(record.turns.map((turn) => ({ speaker: turn.speaker, text: turn.text })))) exact++;
    assistantTurns += messages.filter((message) => message.role === "assistant").length;
    let end = messages.length;
    while (end > 0 && messages[end - 1]!.role === "user") end--;
    trailing += messages.length - end;
  }
  const shareGpt = toShareGpt(records);
  const openAi = toOpenAiFineTune(records);
  return {
    metrics: {
      dialogues: dialogues.length,
      annotationsKept: records.length,
      annotationsDropped: dropped,
      sacRoundTripExact: records.length === 0 ? 0 : exact / records.length,
      assistantTurns,
      trailingUserTurnsDropped: trailing,
      sftExamples: shareGpt.examples.length,
      sftDialoguesSkipped: shareGpt.skipped.length,
    },
    costs: { modelCalls: annotator.calls },
    transcript: [{ shareGpt: shareGpt.examples, openAi: openAi.examples }],
  };
}

/** Writes the SFT exports of the annotated corpus, the self-play trajectories and their DPO pairs and SFT data. */
async function writeArtifacts(episodes: readonly (EpisodeOutcome & { spec: EpisodeSpec })[], dir: string): Promise<string[]> {
  const pipeline = episodes.filter((e) => e.spec.planner === PIPELINE).flatMap((e) => e.transcript as { shareGpt: unknown[]; openAi: unknown[] }[]);
  const selfPlayed = episodes.filter((e) => e.spec.planner === SAGE_SYSTEM).flatMap((e) => (e.transcript ?? []).map((t) => ({ world: e.spec.world, trajectory: TrajectorySchema.parse(t) })));
  const jsonl = (values: readonly unknown[]) => values.map((value) => `${JSON.stringify(value)}\n`).join("");
  const files: Record<string, string> = {
    "artifacts/sft.sharegpt.json": `${JSON.stringify(pipeline.flatMap((p) => p.shareGpt), null, 1)}\n`,
    "artifacts/sft.openai.jsonl": jsonl(pipeline.flatMap((p) => p.openAi)),
    "artifacts/selfplay.trajectories.jsonl": jsonl(selfPlayed.map((s) => ({ world: s.world, ...s.trajectory }))),
  };
  for (const world of [...new Set(selfPlayed.map((s) => s.world))]) {
    const ofWorld = selfPlayed.filter((s) => s.world === world).map((s) => s.trajectory);
    files[`artifacts/dpo.${world}.jsonl`] = jsonl(dpoPairs(ofWorld, createRng(`dpo|${world}`)));
    files[`artifacts/selfplay-sft.${world}.openai.jsonl`] = jsonl(
      ofWorld.map((trajectory) => ({ messages: conversation(trajectory).map((message) => (message.role === "assistant" ? { ...message, weight: 1 } : message)) })),
    );
  }
  for (const [file, text] of Object.entries(files)) writeFileAtomic(join(dir, file), text);
  return Object.keys(files);
}

/**
 * SAGE's data pipeline end to end, offline, on DailyDialog: its own emotion and act labels as the annotator, the
 * SAC transform and SFT exports (`sac-pipeline`), self-play with rejection sampling — 16 candidates per turn from a
 * retrieval SAC agent, a rubric selector, a retrieval user, 12 agent turns — against its first sample (no
 * selection) and 4 candidates, judged by the engagement it elicits; a both-orders pairwise judge; DPO pairs. In live
 * mode the LLM annotates, plays agent, user and selector, and judges.
 */
export const sageSuite: Suite = {
  name: SUITE,
  summary:
    "SAGE's pipeline offline on DailyDialog: corpus labels as annotator → SAC → SFT exports; self-play rejection sampling (16 candidates, 12 agent turns, T 1.1, top-k 100) with a retrieval SAC agent, a retrieval user and a rubric selector vs the first sample; an engagement judge in both orders; DPO pairs. Worlds: matched (one corpus) and mismatched (agent and selector on half A, user on half B of the training dialogues).",
  episodes(scale, seed) {
    const settings = scaleOf(scale);
    const specs: EpisodeSpec[] = [];
    for (let batch = 0; batch < settings.batches; batch++) specs.push({ suite: SUITE, planner: PIPELINE, setting: { batchSize: settings.batchSize }, world: "corpus", unit: `batch-${batch}`, seed });
    const planners = [
      { planner: SAGE_SYSTEM, candidates: SELF_PLAY_DEFAULTS.candidates },
      { planner: SWEEP, candidates: 4 },
      { planner: SAGE_BASELINE, candidates: 1 },
    ];
    for (const world of ["matched", "mismatched"]) {
      for (let unit = 0; unit < settings.units; unit++) {
        for (const { planner, candidates } of planners) {
          specs.push({ suite: SUITE, planner, setting: { candidates, agentTurns: SELF_PLAY_DEFAULTS.agentTurns, temperature: SELF_PLAY_DEFAULTS.temperature, topK: SELF_PLAY_DEFAULTS.topK }, world, unit: `held-out-${unit}`, seed });
        }
        specs.push({ suite: SUITE, planner: JUDGED, setting: { judge: "engagement", orders: 2 }, world, unit: `held-out-${unit}`, seed });
      }
    }
    return specs;
  },
  async run(spec, context) {
    if (spec.planner === PIPELINE) return runPipeline(spec, context);
    if (spec.planner === JUDGED) return runJudged(spec, context);
    return runSelfPlay(spec, context);
  },
  comparisons: [
    { metric: "engagement", a: SAGE_SYSTEM, b: SAGE_BASELINE },
    { metric: "engagement", a: SWEEP, b: SAGE_BASELINE },
    { metric: "rubric", a: SAGE_SYSTEM, b: SAGE_BASELINE },
  ],
  plots: [
    { name: "engagement-vs-candidates", title: "Engagement (user words per message) vs candidates per turn", x: "candidates", y: "engagement" },
    { name: "rubric-vs-candidates", title: "Selector rubric of kept replies vs candidates per turn", x: "candidates", y: "rubric" },
  ],
  headline: { metric: "engagement", a: SAGE_SYSTEM, b: SAGE_BASELINE },
  artifacts: writeArtifacts,
};
