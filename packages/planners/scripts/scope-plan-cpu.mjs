// Per-plan fixed CPU of SCOPE: plans N distinct held-out conversations at 1 simulation (the load test's requests:
// no candidates, the generator proposes m = 5) and prints CPU ms per plan, after a warm-up pass on other ones.
// Usage (after `pnpm build`): node packages/planners/scripts/scope-plan-cpu.mjs [N=200] [seed=1]
import { scopeFactoryEnsemble } from "../dist/index.js";

const count = Number(process.argv[2] ?? 200);
const seed = Number(process.argv[3] ?? 1);
const planner = await scopeFactoryEnsemble.create({});
async function conversations(from, n) {
  const found = new Map();
  for (let i = 0; found.size < n && i < n * 8; i++) {
    const c = await scopeFactoryEnsemble.heldOutConversation({ seed: from + i });
    found.set(JSON.stringify(c.turns), c);
  }
  return [...found.values()];
}
const warm = await conversations(seed + 100_000, 50);
for (const c of warm) await planner.plan(c, { budget: { iterations: 1 }, seed });
const measured = await conversations(seed, count);
const cpu = process.cpuUsage();
const wall = performance.now();
const replies = [];
for (const c of measured) replies.push((await planner.plan(c, { budget: { iterations: 1 }, seed })).reply);
const used = process.cpuUsage(cpu);
const ms = (used.user + used.system) / 1000;
console.log(`${measured.length} distinct conversations · ${(ms / measured.length).toFixed(2)} CPU ms/plan · ${((performance.now() - wall) / measured.length).toFixed(2)} wall ms/plan`);
// A fingerprint of the decisions, so a speed change can be checked to change none.
const { createHash } = await import("node:crypto");
console.log(`decisions sha256 ${createHash("sha256").update(JSON.stringify(replies)).digest("hex").slice(0, 16)}`);
await planner.close();
