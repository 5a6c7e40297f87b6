import { createRng, formatAct, resolveDataDir } from "@foresight/dialogue";
import {
  agendaPersona,
  loadMultiWozWorld,
  multiWozPolicyByName,
  multiWozWorldGoal,
  MULTIWOZ_MAX_TURNS,
  MULTIWOZ_POLICY_NAMES,
  simulateMultiWozDialogue,
  type MultiWozPolicyName,
} from "@foresight/llm-sim";
import { parseFlags, parseIntFlag, parseSeedFlag, UsageError, type Command } from "../command.js";
import { MAX_SIMULATION_TURNS } from "./simulate.js";

/** `foresight simulate multiwoz --seed N [--json] [--goal ID] [--persona P] [--system S] [--max-turns N] [--data-dir DIR]`. */
export const simulateMultiWozCommand: Command = {
  path: ["simulate", "multiwoz"],
  summary: "simulate a MultiWOZ dialogue offline (agenda user, template NLG, DB-grounded system)",
  usage: [
    "Usage: foresight simulate multiwoz --seed N [--json] [--goal ID] [--persona P] [--system S] [--max-turns N] [--data-dir DIR]",
    "",
    "  --seed N         seed of the whole dialogue (and of the goal when --goal is not given), 0 to 4294967295; required",
    "  --goal ID        take the goal of this MultiWOZ validation dialogue (e.g. PMUL1635); default: drawn by the seed",
    "  --persona P      cooperative (default) | less-cooperative",
    `  --system S       ${MULTIWOZ_POLICY_NAMES.join(" | ")} (default correct: the rule-based DB policy; prior: samples the corpus act prior)`,
    `  --max-turns N    exchanges before the dialogue is cut off, 1 to ${MAX_SIMULATION_TURNS} (default ${MULTIWOZ_MAX_TURNS})`,
    "  --json           print the Dialogue object (acts, belief states, outcome) as JSON",
    "  --data-dir DIR   the shared data folder (default: env FORESIGHT_DATA_DIR, else ../shared/data beside the workspace)",
  ].join("\n"),
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      seed: { type: "string" },
      goal: { type: "string" },
      persona: { type: "string" },
      system: { type: "string" },
      "max-turns": { type: "string" },
      json: { type: "boolean" },
      "data-dir": { type: "string" },
    });
    if (values.seed === undefined) throw new UsageError("--seed is required");
    const seed = parseSeedFlag(values.seed, 0);
    const maxTurns = parseIntFlag("max-turns", values["max-turns"], MULTIWOZ_MAX_TURNS, { min: 1, max: MAX_SIMULATION_TURNS });
    let persona;
    try {
      persona = agendaPersona(values.persona ?? "cooperative");
    } catch (error) {
      throw new UsageError(`--persona: ${(error as Error).message}`);
    }
    const system = (values.system ?? "correct") as MultiWozPolicyName;
    if (!MULTIWOZ_POLICY_NAMES.includes(system)) throw new UsageError(`--system must be one of ${MULTIWOZ_POLICY_NAMES.join(", ")}, got "${values.system}"`);
    const world = loadMultiWozWorld({ dataDir: resolveDataDir(values["data-dir"], "--data-dir") });
    let picked;
    if (values.goal !== undefined) {
      try {
        picked = multiWozWorldGoal(world, values.goal);
      } catch (error) {
        throw new UsageError(`--goal: ${(error as Error).message}`);
      }
    } else {
      picked = world.goals[createRng(`goal:${seed}`).int(world.goals.length)]!;
    }
    const result = simulateMultiWozDialogue({
      world,
      goal: picked.goal,
      goalId: picked.id,
      seed,
      persona,
      policy: multiWozPolicyByName(system, world.prior),
      policyName: system,
      maxTurns,
    });
    if (values.json) {
      io.out(JSON.stringify(result.dialogue, null, 2));
      return 0;
    }
    io.out(`MultiWOZ offline simulation — goal ${picked.id} (${picked.split} split), seed ${seed}, persona ${persona.name}, system ${system}`);
    for (const line of picked.goal.message) io.out(`  goal: ${line.replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim()}`);
    io.out("");
    for (const turn of result.dialogue.turns) {
      const name = turn.speaker === "user" ? "USER  " : "SYSTEM";
      io.out(`${name} ${turn.text}`);
      io.out(`       acts: ${(turn.acts ?? []).map(formatAct).join(" ") || "(none)"}`);
      if (turn.state) {
        const belief = Object.entries(turn.state as Record<string, { semi: Record<string, string>; book: Record<string, string>; booked: { reference?: string }[] }>)
          .map(([domain, part]) => {
            const slots = Object.entries({ ...part.semi, ...part.book }).map(([slot, value]) => `${slot}=${value}`);
            const refs = part.booked.map((booking) => `ref ${booking.reference}`);
            return `${domain}{${[...slots, ...refs].join(", ")}}`;
          })
          .join(" ");
        io.out(`       state: ${belief || "(empty)"}`);
      }
    }
    const outcome = result.outcome;
    io.out("");
    io.out(`outcome: ${outcome.endReason}; goal ${outcome.goalComplete ? "complete" : "not complete"} (${Object.entries(outcome.domains).map(([domain, done]) => `${domain} ${done ? "done" : "open"}`).join(", ")}); ${outcome.exchanges} exchanges; bookings: ${outcome.bookings.map((booking) => `${booking.domain} ${booking.venue} ${booking.reference}`).join(", ") || "none"}; template fallbacks: ${outcome.nlgFallbacks}`);
    return 0;
  },
};
