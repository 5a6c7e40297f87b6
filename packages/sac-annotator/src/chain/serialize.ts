import { SacFormatError } from "../errors.js";
import { RESERVED_LABEL_CHARACTERS, type SacState } from "../schema.js";

/*
 * The serialisation of one State-Action Chain message (documented in the README):
 *
 *   ⟦u_motivation=seek advice⟧ ⟦u_emotion=anxious⟧ ⟦u_topic=job interview⟧ ⟦a_motivation=reassure⟧ ⟦a_emotion⟧ ⟦a_topic⟧
 *   the reply text, escaped
 *
 * - A header of tags separated by one space, ended by one line feed; everything after it is the reply.
 * - A tag is `⟦name=value⟧`, or `⟦name⟧` for null (motivation, emotion) or no topics; a topic list repeats its tag.
 * - Tag order is fixed: the user-state block (u_motivation, u_emotion, u_topic…) — absent when no user turn precedes
 *   the assistant turn — then the action block (a_motivation, a_emotion, a_topic…).
 * - `⟦` (U+27E6) and `⟧` (U+27E7) are reserved. Labels may not contain them (nor line breaks); in the reply text
 *   every `⟦` is written `⟦⟧`, so an escaped text never holds `⟦` followed by a letter and no tag can be read
 *   out of, or rewritten inside, the words of a reply (the bug SAGE's code had with "emotion:" in replies).
 */

/** Opens a State-Action Chain tag. */
export const TAG_OPEN = "⟦";
/** Closes a State-Action Chain tag. */
export const TAG_CLOSE = "⟧";

/** The tag names of the user-state block, in serialisation order. */
export const USER_TAGS = { motivation: "u_motivation", emotion: "u_emotion", topic: "u_topic" } as const;
/** The tag names of the assistant-action block, in serialisation order. */
export const ACTION_TAGS = { motivation: "a_motivation", emotion: "a_emotion", topic: "a_topic" } as const;

/** The parts of one assistant message in State-Action Chain form. */
export interface SacMessageParts {
  /** The state of the user turn just before, or null when none precedes it. */
  userState: SacState | null;
  /** The assistant's dialog action. */
  action: SacState;
  /** The reply as the speaker wrote it (unescaped). */
  text: string;
}

/** Escapes reply text so it cannot contain a tag: every `⟦` becomes `⟦⟧`. */
export function escapeSacText(text: string): string {
  return text.replaceAll(TAG_OPEN, `${TAG_OPEN}${TAG_CLOSE}`);
}

/** Reverses {@link escapeSacText}; a `⟦` not followed by `⟧` is malformed and throws a {@link SacFormatError}. */
export function unescapeSacText(escaped: string): string {
  let out = "";
  for (let i = 0; i < escaped.length; i++) {
    const char = escaped[i];
    if (char !== TAG_OPEN) {
      out += char;
      continue;
    }
    if (escaped[i + 1] !== TAG_CLOSE) throw new SacFormatError(`unescaped ${TAG_OPEN} at offset ${i} of the reply text`);
    out += TAG_OPEN;
    i++;
  }
  return out;
}

function checkLabel(tag: string, label: string): void {
  if (label.length === 0) throw new SacFormatError(`the value of ${tag} is empty (use null for "nothing fits")`);
  if (RESERVED_LABEL_CHARACTERS.test(label)) throw new SacFormatError(`the value of ${tag} contains ⟦, ⟧ or a line break: ${JSON.stringify(label)}`);
  if (label !== label.trim()) throw new SacFormatError(`the value of ${tag} starts or ends with white space: ${JSON.stringify(label)}`);
}

function tag(name: string, value: string | null): string {
  if (value === null) return `${TAG_OPEN}${name}${TAG_CLOSE}`;
  checkLabel(name, value);
  return `${TAG_OPEN}${name}=${value}${TAG_CLOSE}`;
}

function blockTags(names: { motivation: string; emotion: string; topic: string }, state: SacState): string[] {
  const topics = state.topics.length === 0 ? [tag(names.topic, null)] : state.topics.map((topic) => tag(names.topic, topic));
  return [tag(names.motivation, state.motivation), tag(names.emotion, state.emotion), ...topics];
}

/** The header tags of an assistant message (user state, if any, then action), joined by single spaces. */
export function formatSacHeader(userState: SacState | null, action: SacState): string {
  const tags = userState === null ? [] : blockTags(USER_TAGS, userState);
  return [...tags, ...blockTags(ACTION_TAGS, action)].join(" ");
}

/** Serialises an assistant message: the header, a line feed, then the escaped reply. */
export function formatSacMessage(parts: SacMessageParts): string {
  return `${formatSacHeader(parts.userState, parts.action)}\n${escapeSacText(parts.text)}`;
}

interface RawTag {
  name: string;
  value: string | null;
}

const TAG_PATTERN = /^⟦([a-z_]+)(?:=([^⟦⟧\r\n]*))?⟧/;

function readTags(header: string): RawTag[] {
  const tags: RawTag[] = [];
  let rest = header;
  for (;;) {
    const match = TAG_PATTERN.exec(rest);
    if (!match) throw new SacFormatError(`malformed State-Action Chain header at ${JSON.stringify(rest.slice(0, 40))}`);
    tags.push({ name: match[1] ?? "", value: match[2] ?? null });
    rest = rest.slice(match[0].length);
    if (rest === "") return tags;
    if (!rest.startsWith(" ")) throw new SacFormatError(`tags must be separated by one space, found ${JSON.stringify(rest.slice(0, 20))}`);
    rest = rest.slice(1);
  }
}

function readBlock(tags: RawTag[], start: number, names: { motivation: string; emotion: string; topic: string }): { state: SacState; next: number } {
  const expect = (index: number, name: string): RawTag => {
    const found = tags[index];
    if (!found || found.name !== name) throw new SacFormatError(`expected tag ${name} at position ${index + 1}, found ${found ? found.name : "the end of the header"}`);
    if (found.value !== null) checkLabel(name, found.value);
    return found;
  };
  const motivation = expect(start, names.motivation).value;
  const emotion = expect(start + 1, names.emotion).value;
  let next = start + 2;
  const first = expect(next, names.topic);
  next++;
  const topics: string[] = [];
  if (first.value !== null) {
    topics.push(first.value);
    while (tags[next]?.name === names.topic) {
      const more = expect(next, names.topic);
      if (more.value === null) throw new SacFormatError(`an empty ${names.topic} tag may only stand alone`);
      topics.push(more.value);
      next++;
    }
  }
  return { state: { motivation, emotion, topics }, next };
}

/** Parses an assistant message written by {@link formatSacMessage}; anything else throws a {@link SacFormatError}. */
export function parseSacMessage(content: string): SacMessageParts {
  const newline = content.indexOf("\n");
  if (newline < 0) throw new SacFormatError("no line feed after the State-Action Chain header");
  const tags = readTags(content.slice(0, newline));
  let index = 0;
  let userState: SacState | null = null;
  if (tags[0]?.name === USER_TAGS.motivation) {
    const block = readBlock(tags, 0, USER_TAGS);
    userState = block.state;
    index = block.next;
  }
  const action = readBlock(tags, index, ACTION_TAGS);
  if (action.next !== tags.length) throw new SacFormatError(`unexpected tag ${tags[action.next]?.name ?? ""} after the action block`);
  return { userState, action: action.state, text: unescapeSacText(content.slice(newline + 1)) };
}

const LEADING_TAGS = /^\s*(?:⟦[a-z_]+(?:=[^⟦⟧\r\n]*)?⟧[ \t]*)+\r?\n?/;

/**
 * Removes the state and action tags from a message for display and judging. Lenient, for model output that may
 * not follow the format exactly: a well-formed message gives exactly its reply; otherwise a leading run of tags is
 * dropped and `⟦⟧` is read back as `⟦`.
 */
export function stripStateTags(content: string): string {
  try {
    return parseSacMessage(content).text;
  } catch {
    return content.replace(LEADING_TAGS, "").replaceAll(`${TAG_OPEN}${TAG_CLOSE}`, TAG_OPEN).trim();
  }
}
