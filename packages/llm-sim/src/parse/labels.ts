/** How {@link matchLabel} found a label in model output. */
export type LabelMatchMethod = "exact" | "bracketed" | "option" | "prefix" | "contains";

/** A label recognised in model output. */
export interface LabelMatch {
  label: string;
  method: LabelMatchMethod;
}

/** Options for {@link matchLabel}. */
export interface MatchLabelOptions {
  /** Extra spellings: alias → label (e.g. `"donation proposal"` → `"proposition of donation"`). */
  aliases?: Record<string, string>;
  /** Option keys shown in the prompt, same order as `labels` (e.g. `["A", "B", …]`): an answer of "B)" means labels[1]. */
  optionKeys?: readonly string[];
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Lower-cases and reduces a label to letters, digits and single spaces (hyphens, underscores, dots and brackets become spaces). */
export function normalizeLabel(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

function bracketedSpans(text: string): string[] {
  const spans: { at: number; text: string }[] = [];
  const patterns = [/\[([^[\]\n]{1,80})\]/g, /\(([^()\n]{1,80})\)/g, /\*\*([^*\n]{1,80})\*\*/g, /"([^"\n]{1,80})"/g, /`([^`\n]{1,80})`/g, /<([^<>\n]{1,80})>/g];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) spans.push({ at: match.index ?? 0, text: match[1] ?? "" });
  }
  return spans.sort((a, b) => a.at - b.at).map((span) => span.text);
}

function namedAtStart(norm: string, spellings: readonly { norm: string; label: string }[]): string | undefined {
  return spellings.find((spelling) => norm === spelling.norm || norm.startsWith(`${spelling.norm} `) || (CJK.test(spelling.norm) && norm.startsWith(spelling.norm)))?.label;
}

/**
 * The option a leading key picks ("B", "B)", "(B)", "Answer: B", "B credibility appeal"). A key followed by other
 * prose counts only when it is set off as a key (brackets, ")", ".", ":", or "Answer:"), so the article "A" or the
 * pronoun "I" opening a sentence is not read as an option; a key whose following words name a different label is
 * ambiguous and not taken either.
 */
function optionAnswer(text: string, keys: readonly string[], labels: readonly string[], spellings: readonly { norm: string; label: string }[]): number | undefined {
  const match = /^\s*(?:\*\*)?(?:(option|answer|choice)\s*[:#]?\s*)?([([])?([A-Za-z0-9]{1,2})([)\].:])?(?:\*\*)?(?=\s|$|[)\].:,-])/i.exec(text);
  if (!match) return undefined;
  const key = match[3] as string;
  let index = keys.indexOf(key);
  // A lone lower-case letter is only taken as a key when it stands alone (not the word "a").
  if (index < 0 && /^[a-z]$/.test(key) && text.trim().length <= 3) index = keys.indexOf(key.toUpperCase());
  if (index < 0) return undefined;
  const rest = normalizeLabel(text.slice(match[0].length));
  if (rest.length === 0) return index;
  const named = namedAtStart(rest, spellings);
  if (named !== undefined) return named === labels[index] ? index : undefined;
  const setOff = match[1] !== undefined || match[2] !== undefined || match[4] !== undefined;
  return setOff ? index : undefined;
}

/**
 * Finds which of `labels` the model output names, tolerant of case, brackets, hyphens vs spaces and surrounding
 * prose. Tries, in order: the whole output, a bracketed/quoted/bold span, an option key, a leading label, and
 * finally the earliest label mentioned anywhere (longest wins at one position). Undefined when none is found.
 */
export function matchLabel(text: string, labels: readonly string[], options: MatchLabelOptions = {}): LabelMatch | undefined {
  const spellings: { norm: string; label: string }[] = labels.map((label) => ({ norm: normalizeLabel(label), label }));
  for (const [alias, label] of Object.entries(options.aliases ?? {})) spellings.push({ norm: normalizeLabel(alias), label });
  const usable = spellings.filter((spelling) => spelling.norm.length > 0).sort((a, b) => b.norm.length - a.norm.length);
  const whole = normalizeLabel(text);
  if (whole.length === 0) return undefined;

  const exact = usable.find((spelling) => spelling.norm === whole);
  if (exact) return { label: exact.label, method: "exact" };

  for (const span of bracketedSpans(text)) {
    const norm = normalizeLabel(span);
    const found = usable.find((spelling) => spelling.norm === norm);
    if (found) return { label: found.label, method: "bracketed" };
  }

  if (options.optionKeys) {
    const index = optionAnswer(text, options.optionKeys, labels, usable);
    if (index !== undefined && labels[index] !== undefined) return { label: labels[index] as string, method: "option" };
  }

  const prefixed = namedAtStart(whole, usable);
  if (prefixed !== undefined) return { label: prefixed, method: "prefix" };

  const padded = ` ${whole} `;
  let best: { at: number; length: number; label: string } | undefined;
  for (const spelling of usable) {
    const at = CJK.test(spelling.norm) ? whole.indexOf(spelling.norm) : padded.indexOf(` ${spelling.norm} `);
    if (at < 0) continue;
    if (!best || at < best.at || (at === best.at && spelling.norm.length > best.length)) best = { at, length: spelling.norm.length, label: spelling.label };
  }
  return best ? { label: best.label, method: "contains" } : undefined;
}

/** Option keys `A`, `B`, … for up to 26 options. */
export function optionKeys(count: number): string[] {
  if (count > 26) throw new RangeError(`at most 26 lettered options are supported, got ${count}`);
  return Array.from({ length: count }, (_, index) => String.fromCharCode(65 + index));
}

/** The alias map (alias → label) of specs that list `aliases`. */
export function aliasesOf(specs: readonly { label: string; aliases?: readonly string[] | undefined }[]): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const spec of specs) for (const alias of spec.aliases ?? []) aliases[alias] = spec.label;
  return aliases;
}
