import { trainDefaultModels, TINY_TRAIN_SCALE, DEFAULT_TRAIN_SCALE } from "./dist/index.js";
const t = Date.now();
const m = await trainDefaultModels(process.argv[2] ?? "all", { outDir: process.argv[3], seed: 7, scale: process.env.TINY ? TINY_TRAIN_SCALE : DEFAULT_TRAIN_SCALE, log: (l) => console.log(((Date.now() - t) / 1000).toFixed(1), l) });
for (const x of m) console.log(x.name, JSON.stringify(x.metrics));
