import { createRng } from "@foresight/dialogue";
import { loadOpenChatCorpus, contextResponsePairs, hashedFeatures, sparseDot, fitCcaEncoder, embeddingBagForward, packSparse, retrievalMetrics, rowDot } from "./dist/index.js";
const B = Number(process.env.B ?? 16384), D = Number(process.env.D ?? 64);
let t = Date.now();
const corpus = loadOpenChatCorpus();
const cfg = { buckets: B, bigrams: process.env.BI !== "0", turnDecay: Number(process.env.DECAY ?? 0.5), maxTurns: 3 };
const train = [...contextResponsePairs(corpus.dailyDialog.train, 3), ...contextResponsePairs(corpus.persuasion.train, 3)];
const test = contextResponsePairs(corpus.dailyDialog.test, 3).slice(0, 3000);
const pairs = train.map((p) => ({ context: hashedFeatures(p.context, cfg), response: hashedFeatures(p.response, cfg) }));
console.log("feat", Date.now() - t, pairs.length);
const tc = test.map((p) => hashedFeatures(p.context, cfg)), tr = test.map((p) => hashedFeatures(p.response, cfg));
console.log("bow baseline same buckets", retrievalMetrics(test.length, 100, createRng(1), (q, c) => sparseDot(tc[q], tr[c])).recallAt1);
for (const prior of (process.env.PRIORS ?? "1").split(",").map(Number)) for (const ep of (process.env.EP ?? "0.5").split(",").map(Number)) {
t = Date.now();
const spec = fitCcaEncoder(pairs, { buckets: B, dim: D, oversample: 16, iterations: Number(process.env.IT ?? 3), whitenPrior: prior, eigenPower: ep }, createRng(3));
const C = embeddingBagForward(spec, packSparse(tc)), R = embeddingBagForward(spec, packSparse(tr));
console.log("prior", prior, "ep", ep, "ms", Date.now() - t, retrievalMetrics(test.length, 100, createRng(1), (q, c) => rowDot(C, q, R, c, D)), spec.eigenvalues.slice(0, 5));
}
