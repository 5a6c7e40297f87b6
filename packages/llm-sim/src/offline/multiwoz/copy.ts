/**
 * A copy of a value to update: what structuredClone gives for plain objects and arrays, except that read-only
 * (frozen) values are shared, not copied: the database entities a tracked state holds are the bulk of a copy and
 * never change. States are copied at every simulated turn, and structuredClone's serialisation dominated planning.
 */
export function mutableCopy<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) return value.map(mutableCopy) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = mutableCopy((value as Record<string, unknown>)[key]);
  return copy as T;
}
