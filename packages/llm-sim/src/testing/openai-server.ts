import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The body of a chat completion request as the scripted server receives it. */
export interface ScriptedServerRequest {
  model: string;
  messages: { role: string; content: string }[];
  n?: number;
  temperature?: number;
  max_tokens?: number;
  logprobs?: boolean;
  top_logprobs?: number;
  seed?: number;
}

/** What the script answers: one text per choice, and optionally the first token's top alternatives (token → probability). */
export interface ScriptedServerAnswer {
  texts: string[];
  /** Returned as logprobs of the first token of every choice when the request asks for logprobs (none when absent). */
  firstTokenAlternatives?: Record<string, number>;
}

/** A running scripted OpenAI-compatible server. */
export interface ScriptedOpenAiServer {
  /** The base URL to give the `openai` client, e.g. `http://127.0.0.1:PORT/v1`. */
  baseURL: string;
  /** Every request received, in order. */
  requests: ScriptedServerRequest[];
  close(): Promise<void>;
}

function completion(body: ScriptedServerRequest, answer: ScriptedServerAnswer) {
  const alternatives = Object.entries(answer.firstTokenAlternatives ?? {}).slice(0, body.top_logprobs ?? 0);
  return {
    id: "chatcmpl-scripted",
    object: "chat.completion",
    created: 0,
    model: body.model,
    choices: answer.texts.map((text, index) => ({
      index,
      finish_reason: "stop",
      message: { role: "assistant", content: text },
      logprobs: body.logprobs && answer.firstTokenAlternatives
        ? { content: [{ token: text.slice(0, 1), logprob: Math.log(0.5), bytes: null, top_logprobs: alternatives.map(([token, p], rank) => ({ token, logprob: Math.log(p), bytes: null, rank })) }] }
        : null,
    })),
    usage: { prompt_tokens: 10, completion_tokens: 5 * answer.texts.length, total_tokens: 10 + 5 * answer.texts.length },
  };
}

/**
 * Starts an OpenAI-compatible `/v1/chat/completions` server on 127.0.0.1 (a free port) whose answers come from
 * `script`, so tests can drive the real `openai` client end to end without a network. Any other route is a 404.
 */
export async function startScriptedOpenAiServer(script: (request: ScriptedServerRequest) => ScriptedServerAnswer): Promise<ScriptedOpenAiServer> {
  const requests: ScriptedServerRequest[] = [];
  const send = (res: ServerResponse, status: number, payload: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(payload));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") return send(res, 404, { error: { message: "not found" } });
    let raw = "";
    for await (const chunk of req) raw += String(chunk);
    const body = JSON.parse(raw) as ScriptedServerRequest;
    requests.push(body);
    send(res, 200, completion(body, script(body)));
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: { message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
