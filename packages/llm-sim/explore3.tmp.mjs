import { OpenChatCorpusWorld, simulateOpenChat, CorpusCandidateGenerator } from "./dist/offline/index.js";
import { createRng } from "@foresight/dialogue";
let t=Date.now();
const w = OpenChatCorpusWorld.build();
console.log("build", Date.now()-t, w.utterances.length, w.train.length, w.test.length);
t=Date.now();
for (const s of [1,2]) { const {dialogue, outcome} = simulateOpenChat(w,{seed:s}); for (const tt of dialogue.turns) console.log(tt.speaker, tt.acts[0].intent, tt.state.emotion, tt.text); console.log(outcome); }
console.log("sim", Date.now()-t);
const g=new CorpusCandidateGenerator(w,{rng:createRng(1)});
console.log(g.candidates([{speaker:"user",text:"Do you want to go to the movies tonight?"}],5));
