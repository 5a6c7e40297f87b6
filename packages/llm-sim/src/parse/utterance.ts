import { normalizeLabel } from "./labels.js";

/** Options for {@link cleanUtterance}. */
export interface CleanUtteranceOptions {
  /** The speaker the model wrote for (its name prefix is removed). */
  speaker: string;
  /** Other speakers: output is cut where one of them starts a new line. */
  others?: readonly string[];
  /** Remove a leading `[label]` tag as well (it is returned in `tag`). */
  stripTag?: boolean;
}

/** A cleaned utterance with the leading `[tag]` the model put before it, if any. */
export interface CleanedUtterance {
  text: string;
  tag?: string;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Turns raw model output into one utterance: drops a leading "Speaker:" or "Speaker [act]:" prefix and an
 * optional `[tag]`, cuts where another speaker's line starts, strips wrapping quotes and whitespace.
 */
export function cleanUtterance(raw: string, options: CleanUtteranceOptions): CleanedUtterance {
  let text = raw.replace(/\r\n/g, "\n").trim();
  const speaker = escape(options.speaker);
  let tag: string | undefined;
  const prefix = new RegExp(`^(?:\\*\\*)?${speaker}(?:\\*\\*)?\\s*(\\[[^\\]\\n]*\\])?\\s*(?:\\*\\*)?:(?:\\*\\*)?\\s*`, "i");
  const prefixMatch = prefix.exec(text);
  if (prefixMatch) {
    if (prefixMatch[1]) tag = prefixMatch[1].slice(1, -1).trim();
    text = text.slice(prefixMatch[0].length);
  }
  if (options.stripTag !== false) {
    const tagMatch = /^\[([^\]\n]{1,80})\]\s*/.exec(text);
    if (tagMatch) {
      tag = tag ?? tagMatch[1]?.trim();
      text = text.slice(tagMatch[0].length);
    }
  }
  const cutNames = [...(options.others ?? []), options.speaker].map(escape);
  if (cutNames.length > 0) {
    const cut = new RegExp(`\\n\\s*(?:\\*\\*)?(?:${cutNames.join("|")})(?:\\*\\*)?\\s*(?:\\[[^\\]\\n]*\\])?\\s*:`, "i");
    const at = cut.exec(text);
    if (at) text = text.slice(0, at.index);
  }
  text = text.trim();
  if (text.length >= 2 && ((text.startsWith('"') && text.endsWith('"')) || (text.startsWith("“") && text.endsWith("”")))) text = text.slice(1, -1).trim();
  const result: CleanedUtterance = { text };
  if (tag !== undefined) result.tag = tag;
  return result;
}

/** A key under which two utterances count as duplicates (case, spacing and punctuation ignored). */
export function dedupeKey(text: string): string {
  return normalizeLabel(text);
}
