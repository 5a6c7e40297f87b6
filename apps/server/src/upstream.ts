import { ChatModelError, buildChatModel, chatModelFromEnv, type ChatMessage, type ChatModel } from "@foresight/llm-sim";

/** Builds the upstream chat model for a model name (the proxy's `model` field without the planner prefix). */
export type UpstreamFactory = (model: string) => ChatModel | undefined;

/** The upstream from FORESIGHT_LLM_BASE_URL / FORESIGHT_LLM_API_KEY, one client per model name, undefined when unset. */
export function upstreamFromEnv(env: Record<string, string | undefined> = process.env): UpstreamFactory {
  const clients = new Map<string, ChatModel | undefined>();
  return (model) => {
    if (!clients.has(model)) clients.set(model, chatModelFromEnv(env, { model }));
    return clients.get(model);
  };
}

/** `foresight/scope:gpt-4o-mini` → planner "scope", upstream "gpt-4o-mini"; a plain name uses the default planner. */
export function parseProxyModel(model: string, defaultPlanner: string): { planner: string; upstream: string } {
  const match = /^foresight\/([^:]+):(.+)$/.exec(model);
  return match ? { planner: match[1]!, upstream: match[2]! } : { planner: defaultPlanner, upstream: model };
}

/** What the upstream gave for one proxy request. */
export interface UpstreamCandidates {
  texts: string[];
  promptTokens: number;
  completionTokens: number;
  calls: number;
  retries: number;
}

/** A failure of the upstream after retries; `kind` is llm-sim's error kind, the message never carries a key. */
export class UpstreamError extends Error {
  constructor(readonly kind: string, message: string) {
    super(message);
    this.name = "UpstreamError";
  }
}

/**
 * Asks the upstream for `m` candidate replies, retrying retryable failures (timeouts, resets, 429, 5xx, malformed
 * bodies) until `signal` (the plan's deadline) fires. Distinct non-empty texts only.
 */
export async function upstreamCandidates(
  upstream: ChatModel,
  messages: ChatMessage[],
  m: number,
  sampling: { temperature?: number; topP?: number; maxTokens?: number },
  signal: AbortSignal,
): Promise<UpstreamCandidates> {
  let retries = 0;
  const model = buildChatModel(upstream, {
    concurrency: 64,
    timeoutMs: false,
    retry: {
      maxRetries: 4,
      baseDelayMs: 50,
      maxDelayMs: 500,
      maxRetryAfterMs: 2000,
      retryable: (error) => error instanceof ChatModelError && (error.kind === "malformed-response" || error.kind === "timeout" || error.kind === "network" || (error.kind === "http" && (error.status === 408 || error.status === 429 || (error.status ?? 0) >= 500))),
      onRetry: () => {
        retries++;
      },
    },
  });
  try {
    const response = await model.complete({
      messages,
      n: m,
      temperature: sampling.temperature ?? 1,
      ...(sampling.topP === undefined ? {} : { topP: sampling.topP }),
      ...(sampling.maxTokens === undefined ? {} : { maxTokens: sampling.maxTokens }),
      role: "proxy-candidates",
      signal,
    });
    const texts = [...new Set(response.choices.map((c) => c.text.trim()).filter((t) => t.length > 0))];
    return { texts, promptTokens: response.usage.promptTokens, completionTokens: response.usage.completionTokens, calls: 1 + retries, retries };
  } catch (error) {
    const kind = error instanceof ChatModelError ? error.kind : "unknown";
    const status = error instanceof ChatModelError && error.status !== undefined ? ` (HTTP ${error.status})` : "";
    // Only our own words: upstream error bodies may echo request headers, keys included.
    throw new UpstreamError(kind, `upstream model failed after ${retries} retries: ${kind}${status}`);
  }
}
