import { PersuasionCorpusWorld, simulatePersuasion, CorpusPersuadee } from "./dist/offline/index.js";
import { createRng } from "@foresight/dialogue";
let t = Date.now();
const w = PersuasionCorpusWorld.build();
console.log("build ms", Date.now() - t, w.train.length, w.test.length, w.persuaderTurns.length, w.replies.length);
console.log(w.validation);
for (const tg of ["intended"]) { const w2 = PersuasionCorpusWorld.build({valueTarget: tg}); console.log(w2.validation); }
for (const s of [1,2,3,11,42]) { const w3 = PersuasionCorpusWorld.build({splitSeed: s}); console.log(s, w3.validation.aucFullHistory.toFixed(3), w3.validation.aucPrefixes.toFixed(3)); }
console.log(w.value.model);
for (const [a, p] of w.persuaderPools) console.log(a, p.size, w.replyPools.get(a).size);
t = Date.now();
const { dialogue, outcome } = simulatePersuasion(w, { seed: 3 });
console.log("sim ms", Date.now() - t);
for (const turn of dialogue.turns) console.log(turn.speaker, JSON.stringify(turn.state), turn.text.slice(0, 120));
console.log(outcome);
