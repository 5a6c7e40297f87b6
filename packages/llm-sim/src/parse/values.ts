import { extractJson } from "./json.js";

const NUMBER_KEYS = ["probability", "value", "score", "p", "success", "likelihood"];

function inUnit(value: number): number | undefined {
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
}

/** A number, a percentage ("70%") or a fraction ("7/10", "7 out of 10"), not part of a longer number. */
const QUANTITY = String.raw`(?<![\d.])(-?(?:\d+(?:\.\d+)?|\.\d+))(?:\s*(%)|\s*(?:\/|out of)\s*(\d+(?:\.\d+)?))?(?!\.?\d)`;
/** A value named as a probability: `probability: 0.8`, `"value": 0.8`, `score = 7/10`, `the likelihood is 80%`. */
const LABELLED = new RegExp(String.raw`\b(?:probability|likelihood|value|score|success|p)\b["'*\s]*(?:[:=]|\bis\b)["'*\s]*${QUANTITY}`, "gi");
const ANY = new RegExp(QUANTITY, "gi");

/** The value of a {@link QUANTITY} match (groups: number, percent sign, denominator); undefined for a zero denominator. */
function quantityOf(match: RegExpMatchArray): number | undefined {
  const value = Number(match[1]);
  if (match[2] !== undefined) return value / 100;
  if (match[3] === undefined) return value;
  const denominator = Number(match[3]);
  return denominator > 0 ? value / denominator : undefined;
}

/** The last quantity matched by `pattern` that lies in [0, 1], and whether the pattern matched at all. */
function lastInUnit(text: string, pattern: RegExp): { found: boolean; value: number | undefined } {
  let value: number | undefined;
  let found = false;
  for (const match of text.matchAll(pattern)) {
    found = true;
    const quantity = quantityOf(match);
    if (quantity !== undefined && inUnit(quantity) !== undefined) value = quantity;
  }
  return { found, value };
}

/**
 * Reads a probability in [0, 1] from model output: JSON (`{"probability": 0.7}` or a bare number), else the last
 * labelled value in the text (`probability: 0.7`, `score = 7/10`, `likelihood is 70%`; when values are labelled but
 * none is in range, undefined), else the last number, percentage ("70%") or fraction ("7 out of 10") in [0, 1], so
 * reasoning before the answer ("Step 1: … so 0.8") does not count. Undefined when none is found or it is out of range.
 */
export function parseProbability(text: string): number | undefined {
  const json = extractJson(text);
  if (typeof json === "number") return inUnit(json);
  if (json && typeof json === "object" && !Array.isArray(json)) {
    for (const key of NUMBER_KEYS) {
      const value = (json as Record<string, unknown>)[key];
      if (typeof value === "number") return inUnit(value);
      if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return inUnit(Number(value));
    }
  }
  const labelled = lastInUnit(text, LABELLED);
  if (labelled.found) return labelled.value;
  return lastInUnit(text, ANY).value;
}

const YES = /^(?:yes|y|true|1|rational|reasonable|appropriate|correct|是|合理)(?![a-z0-9])/;
const NO = /^(?:no|n|false|0|irrational|unreasonable|inappropriate|incorrect|否|不合理)(?![a-z0-9])/;

/**
 * Reads a 0/1 judgement from model output: the last "the answer is: 1/0" conclusion (ChatSOP's format, after an
 * analysis), JSON (`{"rational": true}`, `{"score": 1}`), or a leading or labelled yes/no, true/false, 1/0,
 * rational/irrational. Undefined when the answer is not clear.
 */
export function parseBinary(text: string): 0 | 1 | undefined {
  // ChatSOP's judge reasons first and concludes "Therefore, the answer is: 1": the last such conclusion decides.
  const concluded = [...text.matchAll(/(?:\banswer\s+is|\bthe\s+answer|答案(?:是)?)\s*[:：=]?\s*[*"'`「]*\s*([01])(?![0-9.])/gi)].at(-1);
  if (concluded) return concluded[1] === "1" ? 1 : 0;
  const json = extractJson(text);
  if (json && typeof json === "object" && !Array.isArray(json)) {
    for (const value of Object.values(json as Record<string, unknown>)) {
      if (value === true || value === 1 || value === "1" || value === "yes") return 1;
      if (value === false || value === 0 || value === "0" || value === "no") return 0;
    }
  }
  const cleaned = text.trim().toLowerCase().replace(/^[\s*"'`[(]+/, "");
  const labelled = /(?:answer|judgement|judgment|verdict|score|rational)\s*[:=]\s*\**\s*([^\s*.,;]+)/i.exec(cleaned);
  for (const candidate of [labelled?.[1], cleaned]) {
    if (candidate === undefined) continue;
    // Check "no"-family first so "irrational" is not read as "rational".
    if (NO.test(candidate)) return 0;
    if (YES.test(candidate)) return 1;
  }
  return undefined;
}

/** A pairwise preference as a judge states it, in the order the candidates were shown. */
export type ShownVerdict = "A" | "B" | "tie";

/**
 * Reads a pairwise verdict: `[[A]]`, JSON `{"winner": "B"}`, "Response A is better", "Answer: B", "tie",
 * or an output that is just "A"/"B". Undefined when it cannot tell.
 */
export function parseVerdict(text: string): ShownVerdict | undefined {
  const json = extractJson(text);
  if (json && typeof json === "object" && !Array.isArray(json)) {
    for (const key of ["winner", "verdict", "better", "answer", "choice", "preferred"]) {
      const value = (json as Record<string, unknown>)[key];
      if (typeof value === "string") {
        const verdict = parseVerdict(value);
        if (verdict) return verdict;
      }
    }
  }
  const bracket = /\[\[\s*(A|B|tie|TIE|Tie|C)\s*\]\]/.exec(text);
  if (bracket) return bracket[1] === "A" ? "A" : bracket[1] === "B" ? "B" : "tie";
  const trimmed = text.trim().replace(/^[\s*"'`([]+|[\s*"'`)\].!]+$/g, "");
  if (/^(?:response|candidate|option|reply|conversation|transcript)?\s*A$/i.test(trimmed)) return "A";
  if (/^(?:response|candidate|option|reply|conversation|transcript)?\s*B$/i.test(trimmed)) return "B";
  if (/^(?:tie|draw|equal|both|neither)$/i.test(trimmed)) return "tie";
  const labelled = /(?:answer|verdict|winner|better|choice|preferred)\s*(?:is)?\s*[:=]?\s*\**\s*(?:response|candidate|option|reply|conversation|transcript)?\s*\**\s*(A|B|tie)\b/i.exec(text);
  if (labelled) return labelled[1]?.toUpperCase() === "A" ? "A" : labelled[1]?.toUpperCase() === "B" ? "B" : "tie";
  const named = [...text.matchAll(/\b(?:response|candidate|option|reply|conversation|transcript)\s+(A|B)\b/gi)].map((match) => (match[1] ?? "").toUpperCase());
  const distinct = new Set(named);
  if (distinct.size === 1) return named[0] === "A" ? "A" : "B";
  if (/\b(?:it'?s a tie|tie|equally good|both are equal)\b/i.test(text)) return "tie";
  return undefined;
}
