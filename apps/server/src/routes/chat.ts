import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { ChatMessage } from "@foresight/llm-sim";
import type { Conversation, ConversationTurn, Decision } from "@foresight/planners";
import type { ServerContext } from "../context.js";
import { PlanDeadlineError, linkedSignal } from "../deadline.js";
import { publicDecision, runPlan } from "../planning.js";
import { ChatCompletionRequestSchema, type ChatCompletionRequest } from "../schemas.js";
import { UpstreamError, parseProxyModel, upstreamCandidates, type UpstreamCandidates } from "../upstream.js";
import { HttpError, abortOnClose, parseBody } from "./http.js";

function contentText(content: ChatCompletionRequest["messages"][number]["content"]): string {
  if (content === null) return "";
  return typeof content === "string" ? content : content.map((part) => part.text).join("");
}

/** The chat as the planner sees it: user/assistant turns; system and developer messages go to `context.system`. */
export function conversationFromMessages(messages: ChatCompletionRequest["messages"]): Conversation {
  const turns: ConversationTurn[] = [];
  const system: string[] = [];
  for (const message of messages) {
    const text = contentText(message.content);
    if (message.role === "system" || message.role === "developer") system.push(text);
    else turns.push({ speaker: message.role === "assistant" ? "agent" : "user", text });
  }
  return { turns, ...(system.length > 0 ? { context: { system: system.join("\n\n") } } : {}) };
}

function completionBody(id: string, model: string, created: number, text: string, usage: UpstreamCandidates, foresight: Record<string, unknown>) {
  return {
    id,
    object: "chat.completion",
    created,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage: { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens },
    foresight,
  };
}

/** Splits a reply into a few stream chunks at word boundaries (the reply is complete before it streams). */
function streamPieces(text: string, pieces = 8): string[] {
  const words = text.split(/(?<=\s)/);
  const size = Math.max(1, Math.ceil(words.length / pieces));
  const out: string[] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(""));
  return out.length > 0 ? out : [""];
}

/**
 * `POST /v1/chat/completions`: an OpenAI-compatible proxy that plans every reply. It asks the upstream model for m
 * candidates, lets the planner (from the `model` field, e.g. `foresight/scope:gpt-4o-mini`, or the configured
 * default) choose among them, and answers in the standard format — streamed when asked — with the planning
 * statistics in the `foresight` extension field. When planning fails or overruns, it degrades to the upstream's
 * first candidate, flagged `degraded` with the reason.
 */
export function registerChatRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post("/v1/chat/completions", async (request, reply) => {
    const body = parseBody(ChatCompletionRequestSchema, request.body);
    const { planner: plannerName, upstream: upstreamName } = parseProxyModel(body.model, ctx.config.defaultPlanner);
    const factory = ctx.pool.factory(plannerName);
    const upstream = ctx.upstream(upstreamName);
    if (!upstream) throw new HttpError(503, "upstream_not_configured", "no upstream model configured: set FORESIGHT_LLM_BASE_URL (and FORESIGHT_LLM_API_KEY) for the server");
    const timeMs = Math.min(body.foresight?.budget?.timeMs ?? ctx.config.defaultBudgetMs, ctx.config.maxBudgetMs);
    const clientGone = abortOnClose(reply);
    // The upstream gets the same wall-clock allowance as the plan; both together end by about twice the budget.
    const upstreamDeadline = linkedSignal([clientGone, ctx.shutdown, AbortSignal.timeout(timeMs + ctx.config.deadlineMarginMs)]);
    const messages: ChatMessage[] = body.messages.map((m) => ({ role: m.role === "developer" ? "system" : m.role, content: contentText(m.content) }) as ChatMessage);
    const candidates = await upstreamCandidates(
      upstream,
      messages,
      body.foresight?.candidates ?? ctx.config.proxyCandidates,
      { ...(body.temperature === undefined ? {} : { temperature: body.temperature }), ...(body.top_p === undefined ? {} : { topP: body.top_p }), ...((body.max_completion_tokens ?? body.max_tokens) === undefined ? {} : { maxTokens: body.max_completion_tokens ?? body.max_tokens }) },
      upstreamDeadline.signal,
    )
      .catch((error: unknown) => {
        if (error instanceof UpstreamError) {
          ctx.metrics.errors.inc({ kind: `upstream_${error.kind}` });
          throw new HttpError(502, "upstream_error", error.message);
        }
        throw error;
      })
      .finally(() => upstreamDeadline.dispose());
    ctx.metrics.llmCalls.inc({ source: "proxy" }, candidates.calls);
    ctx.metrics.llmTokens.inc({ source: "proxy" }, candidates.promptTokens + candidates.completionTokens);
    if (candidates.texts.length === 0) throw new HttpError(502, "upstream_error", "upstream model returned no usable candidate (all empty)");

    const conversation = conversationFromMessages(body.messages);
    let decision: Decision | undefined;
    let degraded: string | undefined;
    try {
      const planner = await ctx.pool.sharedInstance(factory.name);
      decision = await runPlan(ctx, factory.name, planner, conversation, {
        budget: { ...body.foresight?.budget, timeMs },
        ...(body.foresight?.seed === undefined ? {} : { seed: body.foresight.seed }),
        ...(body.foresight?.settings === undefined ? {} : { settings: body.foresight.settings }),
        ...(body.foresight?.trace === undefined ? {} : { trace: body.foresight.trace }),
        candidates: candidates.texts,
      }, clientGone);
      if (decision.degraded) degraded = decision.degraded.reason;
    } catch (error) {
      if (error instanceof HttpError && error.statusCode === 429) throw error;
      degraded = error instanceof PlanDeadlineError ? error.message : `planning failed: ${error instanceof Error ? error.name : "error"}`;
      ctx.metrics.errors.inc({ kind: "plan_degraded" });
      request.log.warn({ err: error }, "chat proxy degraded to the first candidate");
    }
    const text = decision?.reply ?? candidates.texts[0]!;
    const foresight = {
      planner: factory.name,
      upstreamModel: upstreamName,
      candidates: candidates.texts.length,
      upstreamRetries: candidates.retries,
      ...(decision ? { decision: publicDecision(decision), traceId: decision.traceId } : {}),
      ...(degraded ? { degraded: { reason: degraded } } : {}),
    };
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    if (!body.stream) return completionBody(id, body.model, created, text, candidates, foresight);

    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })}\n\n`;
    raw.write(chunk({ role: "assistant", content: "" }, null));
    for (const piece of streamPieces(text)) raw.write(chunk({ content: piece }, null));
    raw.write(chunk({}, "stop", { foresight }));
    raw.end("data: [DONE]\n\n");
    return reply;
  });
}
