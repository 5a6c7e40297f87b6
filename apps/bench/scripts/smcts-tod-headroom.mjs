/* global process, console */
// Where SMCTS-TOD could beat greedy-on-V, and why it loses with a mismatched user: plays the smcts-tod suite's own
// episodes (its `run`, so each episode is exactly a bench episode) on the first N held-out goals of each world, with
// SMCTS-TOD and greedy-on-V, for the cooperative judge (matched) and the less-cooperative judge (matched: the planner
// simulates the judge's user; mismatched: it simulates the cooperative one). Prints which goals greedy-on-V fails
// and whether search completes them, and per goal what the planner does with the judge's user instead of the
// cooperative one; paired differences with bootstrap 95 % CIs. For each goal greedy-on-V fails, how often the world's
// rule-based reference policy (MultiWOZ `correct`, SGD `referenceSgdPolicy`) completes it over 20 seeds. Finished episodes are kept in OUT.jsonl (resumable).
// Usage (after `pnpm build`): node apps/bench/scripts/smcts-tod-headroom.mjs [multiwozGoals=60] [sgdGoals=108] [S=32] [seed=1] [out=smcts-tod-headroom]
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { agendaPersona, referenceSgdPolicy, simulateMultiWozDialogue, simulateSgdDialogue } from "@foresight/llm-sim";
import { sgdWorld, todWorld } from "@foresight/planners";
import { bootstrapCi95, suites } from "../dist/index.js";

const [multiwozGoals = 60, sgdGoals = 108, simulations = 32, seed = 1] = process.argv.slice(2, 6).map(Number);
const out = `${process.argv[6] ?? "smcts-tod-headroom"}.jsonl`;
const suite = suites.find((s) => s.name === "smcts-tod");
const PLANNERS = ["smcts-tod", "smcts-tod-greedy-v"];
const WORLDS = ["cooperative/matched", "less-cooperative/matched", "less-cooperative/mismatched"];
const domains = [
  { name: "multiwoz", prefix: "", goals: todWorld().goals.filter((g) => g.split === "test").slice(0, multiwozGoals).map((g) => g.id) },
  { name: "sgd", prefix: "sgd:", goals: sgdWorld().goals.filter((g) => g.split === "test").slice(0, sgdGoals).map((g) => g.id) },
];
/** Seeds (of 20) on which the reference policy completes goal `unit` with the judge's persona. */
function reference(domain, unit, personaName) {
  const persona = agendaPersona(personaName);
  let completed = 0;
  for (let s = 0; s < 20; s++) {
    if (domain.name === "sgd") {
      const world = sgdWorld();
      completed += simulateSgdDialogue(world, world.goals.find((g) => g.id === unit), persona, referenceSgdPolicy, s).success ? 1 : 0;
    } else {
      const world = todWorld();
      completed += simulateMultiWozDialogue({ world, goal: world.goals.find((g) => g.id === unit).goal, goalId: unit, seed: s, persona }).outcome.goalComplete ? 1 : 0;
    }
  }
  return completed;
}

const key = (spec) => `${spec.planner}|${spec.world}|${spec.unit}|${spec.seed}|${spec.setting.simulations}`;
const done = new Map();
if (existsSync(out)) for (const line of readFileSync(out, "utf8").split("\n").filter(Boolean)) done.set(JSON.parse(line).key, JSON.parse(line));
const cpu = process.cpuUsage();
for (const domain of domains) {
  for (const unit of domain.goals) {
    for (const world of WORLDS) {
      for (const planner of PLANNERS) {
        const spec = { suite: suite.name, planner, setting: { simulations }, world: `${domain.prefix}${world}`, unit, seed };
        if (done.has(key(spec))) continue;
        const outcome = await suite.run(spec, {});
        const record = { key: key(spec), domain: domain.name, planner, world, unit, success: outcome.metrics.success, combined: outcome.metrics.combined, turns: outcome.metrics.turns, acts: (outcome.transcript ?? []).filter((t) => t.speaker !== "user").map((t) => t.act ?? "") };
        done.set(record.key, record);
        appendFileSync(out, `${JSON.stringify(record)}\n`);
      }
    }
  }
}
const used = process.cpuUsage(cpu);
console.log(`episodes: ${done.size} (${((used.user + used.system) / 60e6).toFixed(1)} CPU-min this call), S = ${simulations}, seed ${seed}`);

const f3 = (x) => (x >= 0 ? "+" : "") + x.toFixed(3);
function paired(domain, a, b, label) {
  const diffs = domain.goals.map((unit) => get(domain, a[0], a[1], unit).success - get(domain, b[0], b[1], unit).success);
  const mean = diffs.reduce((s, d) => s + d, 0) / diffs.length;
  const [lo, hi] = bootstrapCi95(diffs, `headroom:${domain.name}:${label}`);
  return `${label}: ${f3(mean)} [${f3(lo)}, ${f3(hi)}] (${diffs.length} goals; ${diffs.filter((d) => d > 0).length} won, ${diffs.filter((d) => d < 0).length} lost)`;
}
function get(domain, planner, world, unit) {
  const spec = { planner, setting: { simulations }, world: `${domain.prefix}${world}`, unit, seed };
  const found = done.get(key(spec));
  if (!found) throw new Error(`missing episode ${key(spec)}`);
  return found;
}
const ok = (r) => (r.success ? "✓" : "✗");
for (const domain of domains) {
  console.log(`\n## ${domain.name}: ${domain.goals.length} held-out goals`);
  for (const world of WORLDS) {
    const g = domain.goals.filter((u) => get(domain, "smcts-tod-greedy-v", world, u).success).length;
    const s = domain.goals.filter((u) => get(domain, "smcts-tod", world, u).success).length;
    console.log(`${world}: greedy-on-V completes ${g}/${domain.goals.length}, SMCTS-TOD ${s}/${domain.goals.length}`);
    console.log(`  ${paired(domain, ["smcts-tod", world], ["smcts-tod-greedy-v", world], "SMCTS-TOD − greedy-on-V success")}`);
  }
  // greedy-on-V does not simulate a user: its episodes must not depend on the planning persona.
  const differ = domain.goals.filter((u) => JSON.stringify(get(domain, "smcts-tod-greedy-v", "less-cooperative/matched", u).acts) !== JSON.stringify(get(domain, "smcts-tod-greedy-v", "less-cooperative/mismatched", u).acts)).length;
  console.log(`greedy-on-V episodes that differ between the matched and mismatched less-cooperative worlds: ${differ}`);
  for (const world of ["cooperative/matched", "less-cooperative/matched"]) {
    const failed = domain.goals.filter((u) => !get(domain, "smcts-tod-greedy-v", world, u).success);
    const fixed = failed.filter((u) => get(domain, "smcts-tod", world, u).success);
    const broken = domain.goals.filter((u) => get(domain, "smcts-tod-greedy-v", world, u).success && !get(domain, "smcts-tod", world, u).success);
    console.log(`${world}: greedy-on-V fails ${failed.length} goal(s) [${failed.join(", ")}]; SMCTS-TOD completes ${fixed.length} of them [${fixed.join(", ")}] and fails ${broken.length} greedy-on-V completes [${broken.join(", ")}]`);
    console.log(`  the reference policy completes them on [${failed.map((u) => reference(domain, u, world.split("/")[0])).join(", ")}] of 20 seeds`);
  }
  console.log("less-cooperative judge: the planner simulating the cooperative user (mismatched) vs the judge's own (matched)");
  console.log(`  ${paired(domain, ["smcts-tod", "less-cooperative/matched"], ["smcts-tod", "less-cooperative/mismatched"], "matched − mismatched SMCTS-TOD success")}`);
  console.log(`  ${paired(domain, ["smcts-tod", "less-cooperative/mismatched"], ["smcts-tod-greedy-v", "less-cooperative/mismatched"], "mismatched SMCTS-TOD − greedy-on-V success")}`);
  const lost = domain.goals.filter((u) => !get(domain, "smcts-tod", "less-cooperative/mismatched", u).success && get(domain, "smcts-tod-greedy-v", "less-cooperative/mismatched", u).success);
  const recovered = lost.filter((u) => get(domain, "smcts-tod", "less-cooperative/matched", u).success);
  console.log(`  goals mismatched SMCTS-TOD fails and greedy-on-V completes: ${lost.length}; with the judge's user (matched) it completes ${recovered.length} of them`);
  for (const u of lost) {
    const mis = get(domain, "smcts-tod", "less-cooperative/mismatched", u);
    const mat = get(domain, "smcts-tod", "less-cooperative/matched", u);
    const gv = get(domain, "smcts-tod-greedy-v", "less-cooperative/mismatched", u);
    console.log(`    ${u}: mismatched ${ok(mis)} ${mis.turns} turns [${mis.acts.join(" ")}] | matched ${ok(mat)} ${mat.turns} turns [${mat.acts.join(" ")}] | greedy-on-V ${ok(gv)} [${gv.acts.join(" ")}]`);
  }
}
