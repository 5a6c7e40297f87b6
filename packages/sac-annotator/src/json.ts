import type { z } from "zod";

/** Formats a zod error's first issue as `field a.b.0: message`. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join(".") || "(root)";
  return `field ${path}: ${issue?.message ?? "invalid value"}`;
}
