import { isDontCareValue, normalizeMultiWozValue, type MultiWozDatabase, type MultiWozEntity } from "@foresight/dialogue";
import { partialRatio } from "./fuzzy.js";

/**
 * The train a train id refers to. Ids repeat across days and routes in the database, so among several trains with
 * the id, the one agreeing with the most of `context`'s `day`, `departure` and `destination` (a belief state's or
 * goal's values) wins, the first on a tie; `undefined` when no train has the id.
 */
export function resolveTrain(
  db: MultiWozDatabase,
  trainID: string,
  context: Readonly<Record<string, string>> = {},
): MultiWozEntity | undefined {
  const candidates = db.query("train", { trainID });
  let best: { entity: MultiWozEntity; score: number } | undefined;
  for (const entity of candidates) {
    let score = 0;
    for (const slot of ["day", "departure", "destination"]) {
      const wanted = context[slot];
      if (wanted !== undefined && !isDontCareValue(wanted) && String(entity[slot]).toLowerCase() === wanted.trim().toLowerCase()) score++;
    }
    if (!best || score > best.score) best = { entity, score };
  }
  return best?.entity;
}

/**
 * The venue a name refers to: the database's exact match (case, `the` and `'s` spelling tolerated), else the entity
 * whose name (both without a leading `the`) has the highest {@link partialRatio} with it, at least `threshold` (default 90), preferring the closest
 * length on ties (`the cafe jello` → `cafe jello gallery`); `undefined` when none is close enough.
 */
export function resolveVenue(
  db: MultiWozDatabase,
  domain: string,
  name: string,
  threshold = 90,
): MultiWozEntity | undefined {
  const exact = db.query(domain, { name })[0];
  const wanted = normalizeMultiWozValue("name", name);
  if (exact || wanted.length < 3) return exact;
  let best: { entity: MultiWozEntity; score: number; gap: number } | undefined;
  for (const entity of db.entities(domain)) {
    const candidate = normalizeMultiWozValue("name", String(entity.name ?? ""));
    const score = partialRatio(wanted, candidate);
    const gap = Math.abs(candidate.length - wanted.length);
    if (score >= threshold && (!best || score > best.score || (score === best.score && gap < best.gap))) best = { entity, score, gap };
  }
  return best?.entity;
}
