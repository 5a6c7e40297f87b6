/* global process, console */
// CPU per planned system turn of SMCTS-TOD: plays the first N held-out MultiWOZ goals (and M SGD goals) with one planner
// in the cooperative matched world at S simulations per turn, as the smcts-tod suite plays them, and prints the
// process CPU time per planned turn (after a warm-up episode that loads the worlds and models).
// Usage (after `pnpm build`): node apps/bench/scripts/smcts-tod-turn-cost.mjs [planner=smcts-tod] [multiwozGoals=4] [S=32] [sgdGoals=0] [seed=1]
import { agendaPersona } from "@foresight/llm-sim";
import { plannerFactory, playSgdEpisode, playTodEpisode, sgdWorld, todWorld } from "@foresight/planners";

const name = process.argv[2] ?? "smcts-tod";
const [multiwozGoals = 4, simulations = 32, sgdGoals = 0, seed = 1] = process.argv.slice(3, 7).map(Number);
const planner = await plannerFactory(name).create({});
const multiwoz = todWorld();
const sgd = sgdWorld();
const played = (goal) => ({ goal, judgePersona: agendaPersona("cooperative"), planner, planningPersona: "cooperative", seed, planOptions: { budget: { iterations: simulations } } });
const multiwozGoalsHeld = multiwoz.goals.filter((g) => g.split === "test");
// Warm-up: the value model, the world's caches and the JIT.
await playTodEpisode({ world: multiwoz, ...played(multiwozGoalsHeld.at(-1)) });
const report = async (label, goals, play) => {
  if (goals.length === 0) return;
  const cpu = process.cpuUsage();
  let turns = 0;
  for (const goal of goals) turns += (await play(goal)).turns.length;
  const used = process.cpuUsage(cpu);
  console.log(`${label} ${name} S = ${simulations}: ${turns} turns over ${goals.length} goals, ${((used.user + used.system) / 1e3 / turns).toFixed(1)} CPU-ms per turn`);
};
await report("multiwoz", multiwozGoalsHeld.slice(0, multiwozGoals), (goal) => playTodEpisode({ world: multiwoz, ...played(goal) }));
await report("sgd", sgd.goals.filter((g) => g.split === "test").slice(0, sgdGoals), (goal) => playSgdEpisode({ world: sgd, ...played(goal) }));
