/** What went wrong with a chat call; decides whether a retry can help. */
export type ChatErrorKind =
  /** The endpoint answered with an HTTP error status (see `status`). */
  | "http"
  /** The call exceeded its per-request timeout. */
  | "timeout"
  /** The connection failed before an HTTP status arrived. */
  | "network"
  /** The endpoint answered 2xx but the body was not a valid chat completion. */
  | "malformed-response"
  /** The caller's AbortSignal fired. */
  | "aborted"
  /** An offline replay asked for a response the cache does not hold. */
  | "cache-miss";

/** Options for {@link ChatModelError}. */
export interface ChatModelErrorOptions {
  status?: number;
  /** Milliseconds the server asked us to wait (`Retry-After` / `retry-after-ms`). */
  retryAfterMs?: number;
  cause?: unknown;
}

/** The one error type every model and wrapper in this package throws for a failed call. */
export class ChatModelError extends Error {
  override readonly name = "ChatModelError";
  readonly kind: ChatErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(kind: ChatErrorKind, message: string, options: ChatModelErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Thrown when the LLM endpoint configuration (code or environment) is missing or invalid. */
export class LlmConfigError extends Error {
  override readonly name = "LlmConfigError";
}

/** True for failures a retry can fix: timeouts, network errors, HTTP 408, 429 and 5xx (never other 4xx). */
export function isRetryableError(error: unknown): boolean {
  if (!(error instanceof ChatModelError)) return false;
  if (error.kind === "timeout" || error.kind === "network") return true;
  if (error.kind !== "http" || error.status === undefined) return false;
  return error.status === 408 || error.status === 429 || error.status >= 500;
}

/** Parses `retry-after-ms` or `Retry-After` (seconds or an HTTP date) into milliseconds; undefined when absent or invalid. */
export function parseRetryAfter(
  get: (name: string) => string | null | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  const ms = get("retry-after-ms");
  if (ms != null && ms.trim() !== "") {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const header = get("retry-after");
  if (header == null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(header);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** The error to throw when `signal` has aborted (its reason when that is already a ChatModelError). */
export function abortError(signal: AbortSignal): ChatModelError {
  const reason: unknown = signal.reason;
  if (reason instanceof ChatModelError) return reason;
  return new ChatModelError("aborted", "the chat request was aborted", { cause: reason });
}

/** Replaces every occurrence of the given secrets, and any `Bearer …` credential, in `text` with "[redacted]". */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text.replace(/\bBearer\s+[^\s"',;]+/gi, "Bearer [redacted]");
  // Secrets shorter than 4 characters are placeholders, and replacing them would garble the message.
  for (const secret of secrets) if (secret && secret.length >= 4) result = result.split(secret).join("[redacted]");
  return result;
}

/**
 * One line describing a low-level failure and its causes, e.g. `fetch failed: other side closed (UND_ERR_SOCKET)`;
 * repeated messages along the cause chain are left out.
 */
export function describeCause(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      const code = (current as { code?: unknown }).code;
      const text = `${current.message || current.name}${typeof code === "string" && !current.message.includes(code) ? ` (${code})` : ""}`;
      if (!parts.includes(text)) parts.push(text);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(": ") || "unknown error";
}
