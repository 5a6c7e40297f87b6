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

/** A completion the script answers: one text per choice, and optionally logprobs, finish reasons, usage and a delay. */
export interface ScriptedServerAnswer {
  texts: string[];
  /** Returned as logprobs of the first token of every choice when the request asks for logprobs (none when absent). */
  firstTokenAlternatives?: Record<string, number>;
  /** The probability of each choice's own first token in those logprobs (default 0.5). */
  firstTokenProbability?: number;
  /** Finish reason per choice (default "stop" for all). */
  finishReasons?: string[];
  /** Token usage as the endpoint reports it (default 10 prompt tokens, 5 per choice). */
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Milliseconds before the answer is sent (dropped if the client goes away first). */
  delayMs?: number;
}

/** An answer that is not a completion: an HTTP status with a JSON (or raw text) body and headers. */
export interface ScriptedServerStatus {
  status: number;
  /** Sent as JSON, or as it is when a string (a truncated or malformed body). */
  body: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

/** Full control of the response, for transport faults (resets, hang-ups, endless bodies): the handler writes it. */
export interface ScriptedServerRaw {
  raw: (req: IncomingMessage, res: ServerResponse) => void;
}

/** What the script answers for one request. */
export type ScriptedServerReply = ScriptedServerAnswer | ScriptedServerStatus | ScriptedServerRaw;

/** The script: the reply to a request (`hit` counts requests from 1 in the order they arrived). */
export type ScriptedServerScript = (request: ScriptedServerRequest, hit: number) => ScriptedServerReply | Promise<ScriptedServerReply>;

/** A running scripted OpenAI-compatible server. */
export interface ScriptedOpenAiServer {
  /** The base URL to give the `openai` client, e.g. `http://127.0.0.1:PORT/v1`. */
  baseURL: string;
  /** Every request received, in order. */
  requests: ScriptedServerRequest[];
  close(): Promise<void>;
}

/** The chat completion JSON of an answer, as an OpenAI-compatible endpoint sends it. */
export function scriptedCompletion(request: ScriptedServerRequest, answer: ScriptedServerAnswer) {
  const alternatives = Object.entries(answer.firstTokenAlternatives ?? {}).slice(0, request.top_logprobs ?? 0);
  const logprob = Math.log(answer.firstTokenProbability ?? 0.5);
  return {
    id: "chatcmpl-scripted",
    object: "chat.completion",
    created: 0,
    model: request.model,
    choices: answer.texts.map((text, index) => ({
      index,
      finish_reason: answer.finishReasons?.[index] ?? "stop",
      message: { role: "assistant", content: text },
      logprobs: request.logprobs && answer.firstTokenAlternatives
        ? { content: [{ token: text.slice(0, 1), logprob, bytes: null, top_logprobs: alternatives.map(([token, p], rank) => ({ token, logprob: Math.log(p), bytes: null, rank })) }] }
        : null,
    })),
    usage: (({ prompt_tokens, completion_tokens }) => ({ prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens }))(answer.usage ?? { prompt_tokens: 10, completion_tokens: 5 * answer.texts.length }),
  };
}

/**
 * Starts an OpenAI-compatible `/v1/chat/completions` server on 127.0.0.1 (a free port) whose replies come from
 * `script`: completions, HTTP errors, malformed bodies, or any raw transport behaviour, so tests drive the real
 * `openai` client end to end without a network. Any other route is a 404.
 */
export async function startScriptedOpenAiServer(script: ScriptedServerScript): Promise<ScriptedOpenAiServer> {
  const requests: ScriptedServerRequest[] = [];
  const send = (res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(typeof payload === "string" ? payload : JSON.stringify(payload));
  };
  const later = (res: ServerResponse, delayMs: number | undefined, reply: () => void) => {
    if (!delayMs) return reply();
    const timer = setTimeout(reply, delayMs);
    res.on("close", () => clearTimeout(timer));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") return send(res, 404, { error: { message: "not found" } });
    let raw = "";
    for await (const chunk of req) raw += String(chunk);
    const body = JSON.parse(raw) as ScriptedServerRequest;
    requests.push(body);
    const reply = await script(body, requests.length);
    if ("raw" in reply) return reply.raw(req, res);
    if ("status" in reply) return later(res, reply.delayMs, () => send(res, reply.status, reply.body, reply.headers));
    later(res, reply.delayMs, () => send(res, 200, scriptedCompletion(body, reply)));
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
