/* global process, console */
// A decision fingerprint of the SMCTS-TOD planners, for speed work that must not change any decision: plays the first
// N held-out MultiWOZ goals with every smcts-tod planner (the suite's main four and its ablations) and the first M
// held-out SGD goals with the main four, in two worlds (cooperative/matched, less-cooperative/mismatched), at fixed
// seeds and S simulations per turn, exactly as the smcts-tod suite plays them, and hashes every decision (act, reply,
// every candidate's visits, Q, prior and cached realizations with their V̄, the role calls, tokens and model calls;
// not the wall time) and every episode's outcome. Prints one line per episode and the hash of all of them: compare
// it before and after a change (`diff` the printed lines to find the first episode that differs).
// Usage (after `pnpm build`): node apps/bench/scripts/smcts-tod-fingerprint.mjs [multiwozGoals=2] [sgdGoals=4] [S=16] [seed=1]
import { createHash } from "node:crypto";
import { agendaPersona } from "@foresight/llm-sim";
import { plannerFactory, playSgdEpisode, playTodEpisode, sgdWorld, todWorld } from "@foresight/planners";

const [multiwozGoals = 2, sgdGoals = 4, simulations = 16, seed = 1] = process.argv.slice(2, 6).map(Number);
const MAIN = ["smcts-tod", "smcts-tod-prompting", "smcts-tod-prior-only", "smcts-tod-greedy-v"];
const ABLATIONS = ["smcts-tod-closed-loop", "smcts-tod-no-best-of-k", "smcts-tod-seed-value", "smcts-tod-prompt-value"];
// [judge persona, planning persona]: matched cooperative, and the less-cooperative judge planned with the cooperative user.
const WORLDS = [
  ["cooperative", "cooperative"],
  ["less-cooperative", "cooperative"],
];

const planners = new Map();
async function planner(name) {
  if (!planners.has(name)) planners.set(name, await plannerFactory(name).create({}));
  return planners.get(name);
}
/** A decision without its wall time (the only field that may differ between two identical runs). */
function decisionRecord(decision) {
  const { wallMs: _wallMs, ...stats } = decision.stats;
  return { ...decision, stats };
}
const digest = (value) => createHash("sha256").update(JSON.stringify(value)).digest("hex");

const lines = [];
const cpu = process.cpuUsage();
const multiwoz = todWorld();
const sgd = sgdWorld();
const domains = [
  { name: "multiwoz", planners: [...MAIN, ...ABLATIONS], goals: multiwoz.goals.filter((g) => g.split === "test").slice(0, multiwozGoals) },
  { name: "sgd", planners: MAIN, goals: sgd.goals.filter((g) => g.split === "test").slice(0, sgdGoals) },
];
for (const domain of domains) {
  for (const goal of domain.goals) {
    for (const [judge, planning] of WORLDS) {
      for (const name of domain.planners) {
        const played = { goal, judgePersona: agendaPersona(judge), planner: await planner(name), planningPersona: planning, seed, planOptions: { budget: { iterations: simulations } } };
        const episode = domain.name === "sgd" ? await playSgdEpisode({ world: sgd, ...played }) : await playTodEpisode({ world: multiwoz, ...played });
        const { turns, ...outcome } = episode;
        const hash = digest({ outcome, decisions: turns.map((turn) => decisionRecord(turn.decision)) });
        const line = `${domain.name} ${goal.id} ${judge}/${planning} ${name}: ${turns.length} turns, success ${Number(episode.success)}, ${hash.slice(0, 16)}`;
        lines.push(line);
        console.log(line);
      }
    }
  }
}
const used = process.cpuUsage(cpu);
console.log(`fingerprint ${digest(lines).slice(0, 16)} (${lines.length} episodes, S = ${simulations}, seed ${seed}, ${((used.user + used.system) / 1e6).toFixed(1)} CPU-s)`);
