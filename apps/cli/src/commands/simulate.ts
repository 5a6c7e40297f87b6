import { glossSopdail, resolveDataDir, type Dialogue, type Turn } from "@foresight/dialogue";
import {
  OpenChatCorpusWorld,
  PersuasionCorpusWorld,
  SopCorpusWorld,
  simulateOpenChat,
  simulatePersuasion,
  simulateSop,
} from "@foresight/llm-sim";
import { MAX_SEED, UsageError, parseFlags, parseIntFlag, parseSeedFlag, type Command } from "../command.js";
import { createProgress } from "../progress.js";

/** The offline worlds `foresight simulate` knows (MultiWOZ has its own command, `simulate multiwoz`). */
export const SIMULATE_WORLDS = ["p4g", "chat", "sop"] as const;
type SimulateWorld = (typeof SIMULATE_WORLDS)[number];

/** The largest seed (kept for callers of this module; THE seed parser and its range live in command.ts). */
export const MAX_SIMULATION_SEED = MAX_SEED;
export { parseSeedFlag };

/** The most turns `--max-turns` accepts: far beyond any corpus dialogue, small enough to always finish. */
export const MAX_SIMULATION_TURNS = 200;

/** What one simulation returns: the dialogue and its outcome. */
interface Simulated {
  dialogue: Dialogue;
  outcome: object;
}

/** Builds the named world from the shared data and simulates one dialogue with the seed. */
export function runSimulation(world: SimulateWorld, options: { dataDir: string; seed: number; maxTurns?: number; task?: string }): Simulated {
  const common = { seed: options.seed, ...(options.maxTurns === undefined ? {} : { maxTurns: options.maxTurns }) };
  switch (world) {
    case "p4g":
      return simulatePersuasion(PersuasionCorpusWorld.build({ dataDir: options.dataDir }), common);
    case "chat":
      return simulateOpenChat(OpenChatCorpusWorld.build({ dataDir: options.dataDir }), common);
    case "sop":
      return simulateSop(SopCorpusWorld.build({ dataDir: options.dataDir, task: options.task }), common);
  }
}

const SPEAKERS: Record<SimulateWorld, Record<Turn["speaker"], string>> = {
  p4g: { system: "Persuader", user: "Persuadee" },
  chat: { system: "Assistant", user: "Human" },
  sop: { system: "Agent", user: "User" },
};

/** The bracketed label of a turn: its act and state as the world defines them. */
function turnLabel(world: SimulateWorld, turn: Turn): string {
  const state = turn.state ?? {};
  if (world === "p4g") return String(turn.speaker === "system" ? state.gdpZeroAct : state.reaction);
  if (world === "chat") return `${turn.acts?.[0]?.intent ?? "?"}, ${String(state.emotion)}`;
  const node = String(state.sopNode);
  return `${node} = ${glossSopdail(node)}`;
}

function formatOutcome(outcome: object): string[] {
  return Object.entries(outcome).map(([key, value]) => `  ${key}: ${typeof value === "object" ? JSON.stringify(value) : String(value)}`);
}

/** `foresight simulate <p4g|chat|sop> [--seed N] [--max-turns N] [--task ID] [--json] [--data-dir DIR]`. */
export const simulateCommand: Command = {
  path: ["simulate"],
  summary: "simulate a whole dialogue offline in a corpus world (p4g, chat, sop)",
  usage: [
    "Usage: foresight simulate <p4g|chat|sop> [--seed N] [--max-turns N] [--task ID] [--json] [--data-dir DIR]",
    "",
    "Prints a whole dialogue simulated without any LLM by the corpus-grounded worlds of @foresight/llm-sim,",
    "with each turn's act and state and the outcome. The same seed gives the same dialogue.",
    "  p4g   PersuasionForGood: persuader acts from the corpus act prior, persuadee reactions by retrieval",
    "  chat  DailyDialog open chat: the system picks among 5 diverse retrieved candidates, the partner replies",
    "  sop   SOPDAIL: a task's graph walked the way the annotated dialogues did",
    "",
    "  --seed N        the seed, 0 to 4294967295 (default 1)",
    `  --max-turns N   p4g: persuader turns (default 10); chat: turns (default 8); sop: turns at most (default 30); 1 to ${MAX_SIMULATION_TURNS}`,
    "  --task ID       sop only: the SOPDAIL task id (default the first task, airport-check_in)",
    "  --json          print one machine-readable JSON object",
    "  --data-dir DIR  the shared data folder (default: env FORESIGHT_DATA_DIR, else ../shared/data beside the workspace)",
  ].join("\n"),
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      {
        seed: { type: "string" },
        "max-turns": { type: "string" },
        task: { type: "string" },
        json: { type: "boolean" },
        "data-dir": { type: "string" },
      },
      true,
    );
    if (positionals.length !== 1) throw new UsageError(`expected one world (${SIMULATE_WORLDS.join(", ")}), got ${positionals.length}`);
    const world = positionals[0] as SimulateWorld;
    if (!SIMULATE_WORLDS.includes(world)) throw new UsageError(`unknown world "${world}"; choose one of ${SIMULATE_WORLDS.join(", ")} (MultiWOZ: foresight simulate multiwoz)`);
    if (values.task !== undefined && world !== "sop") throw new UsageError("--task applies only to the sop world");
    const seed = parseSeedFlag(values.seed, 1);
    const maxTurns = values["max-turns"] === undefined ? undefined : parseIntFlag("max-turns", values["max-turns"], 0, { min: 1, max: MAX_SIMULATION_TURNS });
    const dataDir = resolveDataDir(values["data-dir"], "--data-dir");
    const progress = createProgress({ plain: values.json });
    progress.update(0, 1, `building the ${world} world from the corpus and simulating`);
    let simulated: Simulated;
    try {
      simulated = runSimulation(world, { dataDir, seed, maxTurns, task: values.task });
    } catch (error) {
      if (error instanceof Error && /unknown SOPDAIL task/.test(error.message)) throw new UsageError(error.message);
      throw error;
    } finally {
      progress.update(1, 1, "done");
      progress.stop();
    }
    const { dialogue, outcome } = simulated;
    if (values.json) {
      io.out(JSON.stringify({ world, seed, dialogue, outcome }, null, 2));
      return 0;
    }
    const task = typeof dialogue.metadata?.task === "string" ? ` task ${dialogue.metadata.task}` : "";
    io.out(`Simulated ${world} dialogue (seed ${seed}${task}), offline from the corpora in ${dataDir}`);
    for (const turn of dialogue.turns) io.out(`${SPEAKERS[world][turn.speaker]} [${turnLabel(world, turn)}]: ${turn.text}`);
    io.out("Outcome:");
    for (const line of formatOutcome(outcome)) io.out(line);
    return 0;
  },
};
