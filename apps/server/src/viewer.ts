/**
 * The search-tree viewer: one self-contained page (no CDN, works offline) that fetches `/v1/traces/{id}` and draws
 * the tree as SVG — nodes sized by visits, coloured by value (red low … green high), the chosen path outlined;
 * clicking a node shows its edges, realizations and candidate texts. Without a search tree in the trace (a baseline),
 * it draws the root and the decision's candidates.
 */
export const VIEWER_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Foresight search tree</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;display:flex;height:100vh}
#main{flex:1;overflow:auto} #side{width:360px;border-left:1px solid #ccc;padding:12px;overflow:auto;background:#fafafa}
header{padding:8px 12px;border-bottom:1px solid #ccc} input{width:320px}
circle{stroke:#333;stroke-width:1;cursor:pointer} circle.sel{stroke:#000;stroke-width:3}
line{stroke:#999} text{font-size:10px;fill:#333} pre{white-space:pre-wrap;font-size:12px}
#legend span{display:inline-block;width:14px;height:10px}
</style></head>
<body><div id="main"><header>Trace id <input id="tid"> <button id="load">Load</button> <span id="status"></span>
<span id="legend"> value: <span style="background:hsl(0,70%,55%)"></span> low <span style="background:hsl(120,70%,45%)"></span> high</span></header>
<svg id="tree" xmlns="http://www.w3.org/2000/svg"></svg></div>
<div id="side"><h3>Node</h3><div id="info">Click a node.</div></div>
<script>
const NS="http://www.w3.org/2000/svg";
const el=(n,a)=>{const e=document.createElementNS(NS,n);for(const k in a)e.setAttribute(k,a[k]);return e;};
const esc=s=>String(s).replace(/[&<>]/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;"}[c]));
function fromCandidates(t){const d=t.decision;const nodes=[{id:0,parent:null,action:null,depth:0,visits:d.candidates.reduce((s,c)=>s+c.visits,0),value:0,edges:[]}];
 d.candidates.forEach((c,i)=>nodes.push({id:i+1,parent:0,action:c.act??c.text,depth:1,visits:c.visits,value:c.value??0,edges:[],candidate:c}));return nodes;}
function draw(t){
 const nodes=(t.tree&&t.tree.nodes)?t.tree.nodes:fromCandidates(t);
 const kids=new Map();nodes.forEach(n=>{if(n.parent!==null){if(!kids.has(n.parent))kids.set(n.parent,[]);kids.get(n.parent).push(n);}});
 const vals=nodes.filter(n=>n.visits>0).map(n=>n.value);const lo=Math.min(...vals,0),hi=Math.max(...vals,1e-9);
 const maxV=Math.max(...nodes.map(n=>n.visits),1);let leaf=0;const pos=new Map();
 (function place(n){const c=kids.get(n.id)||[];if(c.length===0){pos.set(n.id,[leaf++*28+20,n.depth*80+30]);return;}
  c.forEach(place);const xs=c.map(k=>pos.get(k.id)[0]);pos.set(n.id,[(Math.min(...xs)+Math.max(...xs))/2,n.depth*80+30]);})(nodes[0]);
 const svg=document.getElementById("tree");svg.innerHTML="";const depth=Math.max(...nodes.map(n=>n.depth));
 svg.setAttribute("width",Math.max(600,leaf*28+40));svg.setAttribute("height",depth*80+80);
 nodes.forEach(n=>{if(n.parent!==null&&pos.has(n.parent)){const[a,b]=pos.get(n.parent),[c,d]=pos.get(n.id);svg.appendChild(el("line",{x1:a,y1:b,x2:c,y2:d}));}});
 nodes.forEach(n=>{const[x,y]=pos.get(n.id);const r=4+12*Math.sqrt(n.visits/maxV);const f=hi>lo?(n.value-lo)/(hi-lo):0.5;
  const c=el("circle",{cx:x,cy:y,r:r,fill:n.visits>0?"hsl("+Math.round(120*f)+",70%,50%)":"#ddd","data-id":n.id});
  c.addEventListener("click",()=>{document.querySelectorAll("circle.sel").forEach(e=>e.classList.remove("sel"));c.classList.add("sel");show(n);});
  svg.appendChild(c);if(n.depth<=1&&n.action!==null){const tx=el("text",{x:x+r+2,y:y+3});tx.textContent=String(typeof n.action==="object"?JSON.stringify(n.action):n.action).slice(0,24);svg.appendChild(tx);}});
 document.getElementById("status").textContent=t.planner+" · "+nodes.length+" nodes · chose "+(t.decision.act??"")+" "+(t.decision.reply??"").slice(0,60);
 show(nodes[0]);
}
function show(n){let h="<b>node "+n.id+"</b> depth "+n.depth+"<br>visits "+n.visits+" · value "+(+n.value).toFixed(3)+"<br>action: <pre>"+esc(JSON.stringify(n.action,null,1))+"</pre>";
 if(n.candidate)h+="candidate: <pre>"+esc(JSON.stringify(n.candidate,null,1))+"</pre>";
 if(n.edges&&n.edges.length)h+="edges:<pre>"+esc(n.edges.map(e=>JSON.stringify(e.action)+"  N="+e.visits+" Q="+(e.q===null?"—":e.q.toFixed(3))+" P="+e.prior.toFixed(3)).join("\\n"))+"</pre>";
 if(n.realizations&&n.realizations.length)h+="realizations:<pre>"+esc(JSON.stringify(n.realizations,null,1))+"</pre>";
 if(n.state!==undefined)h+="state:<pre>"+esc(JSON.stringify(n.state,null,1))+"</pre>";
 document.getElementById("info").innerHTML=h;}
async function load(id){document.getElementById("status").textContent="loading…";
 const r=await fetch("/v1/traces/"+encodeURIComponent(id));if(!r.ok){document.getElementById("status").textContent="trace not found ("+r.status+")";return;}
 draw(await r.json());document.body.dataset.loaded="1";}
document.getElementById("load").onclick=()=>load(document.getElementById("tid").value);
const q=new URLSearchParams(location.search).get("trace");if(q){document.getElementById("tid").value=q;load(q);}
</script></body></html>`;
