import type { ChatModel, ChatRequest, ChatResponse } from "../chat.js";
import { systemClock, type Clock } from "../clock.js";
import { ChatModelError } from "../errors.js";

/** A trace event for one chat call: its start, its answer, or its failure. Calls are numbered by `callId`. */
export type ChatTraceEvent =
  | { type: "request"; callId: number; modelId: string; role?: string; turn?: string | number; n: number; messages: number; time: number }
  | {
      type: "response";
      callId: number;
      modelId: string;
      role?: string;
      turn?: string | number;
      latencyMs: number;
      choices: number;
      promptTokens: number;
      completionTokens: number;
      cached: boolean;
      time: number;
    }
  | { type: "error"; callId: number; modelId: string; role?: string; turn?: string | number; latencyMs: number; kind: string; status?: number; message: string; time: number };

/** Receives trace events; must not throw. */
export type TraceSink = (event: ChatTraceEvent) => void;

/** Emits a request, response or error event for every call through `model`. */
export function withTracing(model: ChatModel, sink: TraceSink, clock: Clock = systemClock): ChatModel {
  let nextId = 0;
  return {
    id: model.id,
    async complete(request: ChatRequest): Promise<ChatResponse> {
      const callId = nextId++;
      const base = { callId, modelId: model.id, role: request.role, turn: request.turn };
      const started = clock.now();
      sink({ type: "request", ...base, n: request.n ?? 1, messages: request.messages.length, time: started });
      try {
        const response = await model.complete(request);
        const now = clock.now();
        sink({
          type: "response",
          ...base,
          latencyMs: now - started,
          choices: response.choices.length,
          promptTokens: response.usage.promptTokens,
          completionTokens: response.usage.completionTokens,
          cached: response.cached === true,
          time: now,
        });
        return response;
      } catch (error) {
        const now = clock.now();
        const kind = error instanceof ChatModelError ? error.kind : "error";
        const status = error instanceof ChatModelError ? error.status : undefined;
        sink({ type: "error", ...base, latencyMs: now - started, kind, status, message: error instanceof Error ? error.message : String(error), time: now });
        throw error;
      }
    },
  };
}
