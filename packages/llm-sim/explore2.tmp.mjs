import { PersuasionCorpusWorld, simulatePersuasion, CorpusPersuadee, CorpusPersuaderPrior } from "./dist/offline/index.js";
import { createRng, GDP_ZERO_PERSUADEE_REACTIONS } from "@foresight/dialogue";
const w = PersuasionCorpusWorld.build();
const counts = w.reactionCounts();
const pe = new CorpusPersuadee(w);
const tv=(a,b)=>{let s=0;for(const r of GDP_ZERO_PERSUADEE_REACTIONS)s+=Math.abs((a.get(r)??0)-(b.get(r)??0));return s/2;};
const norm=(m)=>{let t=0;for(const v of m.values())t+=v;return new Map([...m].map(([k,v])=>[k,v/t]));};
// replay contexts from training
let t=Date.now();
for (const [act, row] of counts) {
  const sim = new Map();
  const pool=[...w.replyPools.get(act)];
  for (let i=0;i<600;i++){ const rng=createRng(`r${i}`); const r=w.replies[pool[rng.int(pool.length)]];
    const hist=[{speaker:"user",text:r.previousPersuadeeText},{speaker:"system",text:r.persuaderText}].filter(x=>x.text);
    const out=pe.respond(hist,rng,act); sim.set(out.reaction,(sim.get(out.reaction)??0)+1);}
  console.log(act, "replay TV", tv(norm(row),norm(sim)).toFixed(3));
}
console.log("ms",Date.now()-t); t=Date.now();
// whole simulations
const simc=new Map();
for(let s=0;s<200;s++){const {dialogue}=simulatePersuasion(w,{seed:s}); for(let i=1;i<dialogue.turns.length;i+=2){const a=dialogue.turns[i-1].state.gdpZeroAct, r=dialogue.turns[i].state.reaction; if(!simc.has(a))simc.set(a,new Map()); simc.get(a).set(r,(simc.get(a).get(r)??0)+1);}}
console.log("ms",Date.now()-t);
for (const [act,row] of counts) { const s=simc.get(act); let n=0; for(const v of (s??new Map()).values()) n+=v; console.log(act, "sim TV", s?tv(norm(row),norm(s)).toFixed(3):"-", n);}
// first act
const pr=new CorpusPersuaderPrior(w); console.log(pr.distribution([]));
