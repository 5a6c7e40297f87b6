import type { z } from "zod";

// @foresight/llm-sim has a JSON extractor in src/parse/, but its package entry point does not export it yet;
// this is the small subset this package needs.

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    const withoutTrailingCommas = text.replace(/,\s*([}\]])/g, "$1");
    if (withoutTrailingCommas === text) return { ok: false };
    try {
      return { ok: true, value: JSON.parse(withoutTrailingCommas) };
    } catch {
      return { ok: false };
    }
  }
}

function balancedEnd(text: string, start: number): number {
  const expected: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === "{" || char === "[") expected.push(char === "{" ? "}" : "]");
    else if (char === "}" || char === "]") {
      if (expected.pop() !== char) return -1;
      if (expected.length === 0) return i;
    }
  }
  return -1;
}

/**
 * The first JSON object or array in model output: a fenced code block, the whole text, or the first balanced
 * `{…}`/`[…]` inside prose (trailing commas tolerated). Undefined when there is none.
 */
export function extractJson(text: string): unknown {
  for (const fence of text.matchAll(/```[a-zA-Z0-9_-]*\s*\n?([\s\S]*?)```/g)) {
    const parsed = tryParse((fence[1] ?? "").trim());
    if (parsed.ok && typeof parsed.value === "object" && parsed.value !== null) return parsed.value;
  }
  const whole = tryParse(text.trim());
  if (whole.ok && typeof whole.value === "object" && whole.value !== null) return whole.value;
  for (let start = 0; start < text.length; start++) {
    if (text[start] !== "{" && text[start] !== "[") continue;
    const end = balancedEnd(text, start);
    if (end < 0) continue;
    const parsed = tryParse(text.slice(start, end + 1));
    if (parsed.ok) return parsed.value;
  }
  return undefined;
}

/** Formats a zod error's first issue as `field a.b.0: message`. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join(".") || "(root)";
  return `field ${path}: ${issue?.message ?? "invalid value"}`;
}
