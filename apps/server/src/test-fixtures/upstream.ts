import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** What the scripted upstream does with one request. */
export type UpstreamBehaviour = "ok" | "500-echo-headers" | "429" | "malformed" | "reset-mid-body" | "hang";

/** A scripted OpenAI-compatible upstream on 127.0.0.1: behaviours are consumed in order, then "ok" forever. */
export async function startUpstream(script: UpstreamBehaviour[] = []): Promise<{ url: string; requests: unknown[]; close(): Promise<void> }> {
  const requests: unknown[] = [];
  const queue = [...script];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const body = JSON.parse(raw) as { n?: number; model: string };
      requests.push(body);
      const behaviour = queue.shift() ?? "ok";
      if (behaviour === "hang") return; // never answers
      if (behaviour === "500-echo-headers") {
        res.writeHead(500, { "content-type": "application/json" });
        return res.end(JSON.stringify({ error: { message: `upstream exploded; your headers were ${JSON.stringify(req.headers)}` } }));
      }
      if (behaviour === "429") {
        res.writeHead(429, { "content-type": "application/json", "retry-after-ms": "20" });
        return res.end(JSON.stringify({ error: { message: "slow down" } }));
      }
      if (behaviour === "malformed") {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end('{"choices": [ {"message": ');
      }
      const n = body.n ?? 1;
      const texts = ["Sure.", "That sounds wonderful, tell me more about your trip!", "Okay.", "Really?", "Hmm, interesting."];
      const payload = JSON.stringify({
        id: "up-1",
        object: "chat.completion",
        created: 0,
        model: body.model,
        choices: Array.from({ length: n }, (_, i) => ({ index: i, message: { role: "assistant", content: texts[i % texts.length] }, finish_reason: "stop" })),
        usage: { prompt_tokens: 11, completion_tokens: 7 * n, total_tokens: 11 + 7 * n },
      });
      if (behaviour === "reset-mid-body") {
        res.writeHead(200, { "content-type": "application/json", "content-length": String(payload.length) });
        res.write(payload.slice(0, 20));
        setTimeout(() => res.socket?.destroy(), 10);
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
