import type { FastifyReply } from "fastify";
import type { z } from "zod";
import { describeZodError } from "../schemas.js";

/** A request the client got wrong: 4xx with one line naming the field. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly type: string,
    message: string,
    readonly field?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** Validates a body with a zod schema; a failure is a 400 naming the first failing field. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new HttpError(400, "invalid_request", describeZodError(parsed.error), first && first.path.length > 0 ? first.path.join(".") : undefined);
  }
  return parsed.data;
}

/** A signal that aborts when the client goes away before the answer is sent (the response closes unfinished). */
export function abortOnClose(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) controller.abort(new Error("client disconnected"));
  });
  return controller.signal;
}

/** When the request arrived, on the `performance.now()` clock (budgets count from there). */
export function arrivalTime(reply: FastifyReply): number {
  return performance.now() - reply.elapsedTime;
}
