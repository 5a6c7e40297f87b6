import { createRng } from "@foresight/dialogue";
import { loadDefaultWorldModel, sampleMixture } from "./dist/index.js";
for (const heads of ["ensemble", "mdn"]) {
const w = await loadDefaultWorldModel({ modelsDir: "/tmp/exp/full", heads, log: () => {}, intraOpThreads: Number(process.env.T ?? 1) });
const B = 256, d = w.dim;
const s = new Float32Array(B * d).map((_, i) => Math.sin(i) * 0.1), a = new Float32Array(B * d).map((_, i) => Math.cos(i) * 0.05);
const rng = createRng(1);
const time = async (label, f) => { for (let i = 0; i < 20; i++) await f(); const t = performance.now(); for (let i = 0; i < 200; i++) await f(); console.log(heads, label, ((performance.now() - t) / 200).toFixed(3), "ms"); };
let p;
await time("transition predict", async () => { p = await w.parts.transition.predict({ state: s, action: a }, B); });
await time("sample", async () => { sampleMixture(p, rng, 1); });
await time("reward", async () => { await w.stateRewards(s, B); });
await time("action predict", async () => { await w.parts.action.predict({ state: s }, B); });
}
