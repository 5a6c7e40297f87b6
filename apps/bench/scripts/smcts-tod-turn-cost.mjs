/* global process, console */
// CPU of SMCTS-TOD's planners per planned turn and per episode, and what a scale would cost: plays the first N
// held-out MultiWOZ goals (or SGD goals with `sgd`) with each planner in the four worlds (both personas × matched /
// mismatched) at S simulations per turn, as the smcts-tod suite plays them, after a warm-up episode that loads the
// worlds and models; prints per planner the turns, CPU-ms per turn and CPU-s per episode, and the CPU-minutes of
// every held-out goal in the four worlds at that S (the episodes measured scaled by goals; world loading not counted).
// Usage (after `pnpm build`): node apps/bench/scripts/smcts-tod-turn-cost.mjs [planners=smcts-tod] [goals=4] [S=32] [world=multiwoz|sgd] [seed=1]
import { agendaPersona } from "@foresight/llm-sim";
import { plannerFactory, playSgdEpisode, playTodEpisode, sgdWorld, todWorld } from "@foresight/planners";

const names = (process.argv[2] ?? "smcts-tod").split(",");
const [goalCount = 4, simulations = 32] = process.argv.slice(3, 5).map(Number);
const domain = process.argv[5] ?? "multiwoz";
const seed = Number(process.argv[6] ?? 1);
if (domain !== "multiwoz" && domain !== "sgd") throw new Error(`world must be multiwoz or sgd, got "${domain}"`);
const world = domain === "sgd" ? sgdWorld() : todWorld();
const heldOut = world.goals.filter((g) => g.split === "test");
const play = domain === "sgd" ? playSgdEpisode : playTodEpisode;
const WORLDS = ["cooperative", "less-cooperative"].flatMap((judge) => [
  [judge, judge],
  [judge, judge === "cooperative" ? "less-cooperative" : "cooperative"],
]);
const episode = (planner, goal, judge, planning) =>
  play({ world, goal, judgePersona: agendaPersona(judge), planner, planningPersona: planning, seed, planOptions: { budget: { iterations: simulations } } });

for (const name of names) {
  const planner = await plannerFactory(name).create({});
  // Warm-up: the value model, the world's caches and the JIT.
  await episode(planner, heldOut.at(-1), "cooperative", "cooperative");
  const cpu = process.cpuUsage();
  let turns = 0;
  let episodes = 0;
  for (const goal of heldOut.slice(0, goalCount)) {
    for (const [judge, planning] of WORLDS) {
      turns += (await episode(planner, goal, judge, planning)).turns.length;
      episodes += 1;
    }
  }
  const used = process.cpuUsage(cpu);
  const seconds = (used.user + used.system) / 1e6;
  const projected = (seconds / episodes) * heldOut.length * WORLDS.length;
  console.log(
    `${domain} ${name} S = ${simulations}: ${episodes} episodes (${goalCount} goals × 4 worlds), ${(turns / episodes).toFixed(1)} turns each, ` +
      `${((seconds * 1e3) / turns).toFixed(1)} CPU-ms per turn, ${(seconds / episodes).toFixed(2)} CPU-s per episode; ` +
      `all ${heldOut.length} held-out goals × 4 worlds ≈ ${(projected / 60).toFixed(1)} CPU-min`,
  );
}
