import {TicTacToe, Mcts} from "@foresight/mcts-core";
import {ObjectTreeUct, collectGarbage} from "./dist/index.js";
const sleep=(ms)=>new Promise(r=>setTimeout(r,ms));
async function settled(){ let last=-1; for(let i=0;i<10;i++){ collectGarbage(); await sleep(5); const u=process.memoryUsage(); const v=u.heapUsed+u.arrayBuffers; if (Math.abs(v-last)<64*1024) return v; last=v;} return last; }
const t=new TicTacToe();
async function meas(make){ const b=await settled(); const s=make(); let n=0; while(s.nodeCount<20000) s.search({iterations:20000-s.nodeCount}); const a=await settled(); return ((a-b)/s.nodeCount).toFixed(1); }
for (let i=0;i<5;i++){ console.log(await meas(()=>new Mcts(t,0,{players:2,seed:1})), await meas(()=>new ObjectTreeUct(t,0,{players:2,seed:1}))); }
