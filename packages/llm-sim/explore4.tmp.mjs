import { loadDailyDialog } from "@foresight/dialogue";
import { tokenize, Bm25Index, chatUtterances, chatContextTokens } from "./dist/offline/index.js";
let t=Date.now(); const d=loadDailyDialog(); console.log("load",Date.now()-t); t=Date.now();
const u=chatUtterances(d); console.log("utt",Date.now()-t); t=Date.now();
const docs=u.map(x=>chatContextTokens(x.previousText,x.beforePreviousText)); console.log("tok",Date.now()-t); t=Date.now();
const idx=new Bm25Index(docs); console.log("index",Date.now()-t); t=Date.now();
for(let i=0;i<20;i++) idx.search(docs[i*100],{topK:60}); console.log("20 searches",Date.now()-t);
