import type { z } from "zod";

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    const repaired = text.replace(/,\s*([}\]])/g, "$1");
    if (repaired === text) return { ok: false };
    try {
      return { ok: true, value: JSON.parse(repaired) };
    } catch {
      return { ok: false };
    }
  }
}

function balancedEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === "{" || char === "[") stack.push(char === "{" ? "}" : "]");
    else if (char === "}" || char === "]") {
      if (stack.pop() !== char) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/**
 * Extracts the first JSON value from model output: a fenced ```json block, the whole text, or the first
 * balanced `{…}`/`[…]` inside chatty prose (trailing commas tolerated). Undefined when there is none.
 */
export function extractJson(text: string): unknown {
  for (const fence of text.matchAll(/```[a-zA-Z0-9_-]*\s*\n?([\s\S]*?)```/g)) {
    const parsed = tryParse((fence[1] ?? "").trim());
    if (parsed.ok) return parsed.value;
  }
  const whole = tryParse(text.trim());
  if (whole.ok && typeof whole.value === "object" && whole.value !== null) return whole.value;
  for (let start = 0; start < text.length; start++) {
    const char = text[start];
    if (char !== "{" && char !== "[") continue;
    const end = balancedEnd(text, start);
    if (end < 0) continue;
    const parsed = tryParse(text.slice(start, end + 1));
    if (parsed.ok) return parsed.value;
  }
  return whole.ok ? whole.value : undefined;
}

/** The outcome of parsing model output into a schema. */
export type JsonParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Extracts JSON from model output and validates it; the failure reason names the offending field. */
export function parseJsonOutput<T>(text: string, schema: z.ZodType<T>): JsonParseResult<T> {
  const value = extractJson(text);
  if (value === undefined) return { ok: false, reason: "no JSON found in the model output" };
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `field ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}` };
}
