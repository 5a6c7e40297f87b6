import { readdirSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { CorpusError, readJsonFile, requireCorpusDir, resolveDataDir, validateCorpusValue } from "../core/data-dir.js";
import { SkippedRecords, type RecordTolerance } from "../core/skipped.js";
import type { Dialogue, DialogueAct, Turn } from "../core/schema.js";
import {
  RawSgdDialogueSchema,
  RawSgdSchemaFileSchema,
  SGD_SPLITS,
  SgdTurnStateSchema,
  type RawSgdDialogue,
  type RawSgdService,
  type SgdDialogueMetadata,
  type SgdServiceCall,
  type SgdServiceSchema,
  type SgdSplit,
  type SgdTurnState,
} from "./schema.js";

/** The separator between the values of one SGD action in {@link DialogueAct.value} (`"March 8th|next Friday"`). */
export const SGD_VALUE_SEPARATOR = "|";

/** Matches a dialogue file name: `dialogues_001.json` or `<split>_dialogues_001.json`. */
const DIALOGUE_FILE = /^(?:(train|dev|test)_)?dialogues_(\d+)\.json$/;

/** Options for {@link loadSgdSchemas}. */
export interface LoadSgdSchemasOptions {
  /** The shared data folder (holding `sgd/`); default {@link resolveDataDir}. */
  dataDir?: string;
  /** Only this split's `<split>_schema.json`; default all three (each must exist). */
  split?: SgdSplit;
}

/** Options for {@link loadSgdDialogues}; a malformed dialogue is skipped with a warning unless `strict`. */
export interface LoadSgdDialoguesOptions extends RecordTolerance {
  /** The shared data folder (holding `sgd/`); default {@link resolveDataDir}. */
  dataDir?: string;
  /** Only these file names inside `sgd/` (e.g. `["test_dialogues_011.json"]`); default every dialogue file present. */
  files?: readonly string[];
  /** Only the files of this split (`<split>_dialogues_NNN.json`); an absent split is an error. */
  split?: SgdSplit;
}

/** The split a file name declares (`test_schema.json`, `test_dialogues_011.json` → `test`), if any. */
function splitOfFile(name: string): SgdSplit | undefined {
  const prefix = name.split("_")[0];
  return SGD_SPLITS.find((split) => split === prefix);
}

/** Loads and validates the service schemas of one split or of all three; errors name the file and field. */
export function loadSgdSchemas(options: LoadSgdSchemasOptions = {}): SgdServiceSchema[] {
  const dir = requireCorpusDir(resolveDataDir(options.dataDir), "sgd");
  const splits = options.split === undefined ? SGD_SPLITS : [options.split];
  return splits.flatMap((split) => {
    const file = join(dir, `${split}_schema.json`);
    const raw = readJsonFile(file, RawSgdSchemaFileSchema);
    const seen = new Set<string>();
    return raw.map((service, index) => {
      if (seen.has(service.service_name)) {
        throw new CorpusError(file, `duplicate service "${service.service_name}"`, `${index}.service_name`);
      }
      seen.add(service.service_name);
      return serviceFromRaw(service, split, file, String(index));
    });
  });
}

function serviceFromRaw(raw: RawSgdService, split: SgdSplit, file: string, field: string): SgdServiceSchema {
  const declared = new Set<string>();
  raw.slots.forEach((slot, index) => {
    if (declared.has(slot.name)) throw new CorpusError(file, `duplicate slot "${slot.name}"`, `${field}.slots.${index}.name`);
    declared.add(slot.name);
    if (slot.is_categorical && slot.possible_values.length === 0) {
      throw new CorpusError(file, `categorical slot "${slot.name}" lists no possible values`, `${field}.slots.${index}.possible_values`);
    }
  });
  raw.intents.forEach((intent, index) => {
    const lists: [string, readonly string[]][] = [
      ["required_slots", intent.required_slots],
      ["optional_slots", Object.keys(intent.optional_slots)],
      ["result_slots", intent.result_slots],
    ];
    for (const [key, names] of lists) {
      const unknown = names.find((name) => !declared.has(name));
      if (unknown !== undefined) {
        throw new CorpusError(file, `intent "${intent.name}" names undeclared slot "${unknown}"`, `${field}.intents.${index}.${key}`);
      }
    }
  });
  return {
    serviceName: raw.service_name,
    description: raw.description,
    split,
    slots: raw.slots.map((slot) => ({
      name: slot.name,
      description: slot.description,
      isCategorical: slot.is_categorical,
      possibleValues: [...slot.possible_values],
    })),
    intents: raw.intents.map((intent) => ({
      name: intent.name,
      description: intent.description,
      isTransactional: intent.is_transactional,
      requiredSlots: [...intent.required_slots],
      optionalSlots: { ...intent.optional_slots },
      resultSlots: [...intent.result_slots],
    })),
  };
}

/** The dialogue files in `sgd/` (`dialogues_NNN.json` or `<split>_dialogues_NNN.json`), sorted by name. */
export function listSgdDialogueFiles(options: { dataDir?: string } = {}): string[] {
  const dir = requireCorpusDir(resolveDataDir(options.dataDir), "sgd");
  return readdirSync(dir)
    .filter((name) => DIALOGUE_FILE.test(name))
    .sort();
}

/**
 * Loads SGD dialogues as `Dialogue`s of domain "sgd" from every dialogue file in `sgd/` (or `options.files`).
 * USER turns become "user", SYSTEM turns "system". Each action becomes one {@link DialogueAct}
 * `{ domain: service, intent: act, slot?, value? }` with its values joined by {@link SGD_VALUE_SEPARATOR} (an empty
 * slot or value list is left out); a user turn's frame states go into `turn.state[service]` ({@link SgdTurnState});
 * a system turn's backend calls into `turn.metadata.serviceCalls`. The id is `sgd-<split>-<dialogue_id>`
 * (`sgd-<dialogue_id>` for an unprefixed file), the metadata a {@link SgdDialogueMetadata}. Errors name the file and
 * field (`test_dialogues_011.json (field 3.turns.2.speaker)`); such a dialogue is skipped with a counted warning, or
 * raised in strict mode.
 */
export function loadSgdDialogues(options: LoadSgdDialoguesOptions = {}): Dialogue[] {
  const dir = requireCorpusDir(resolveDataDir(options.dataDir), "sgd");
  let names = options.files ? [...options.files] : listSgdDialogueFiles({ dataDir: options.dataDir });
  if (options.split !== undefined) {
    names = names.filter((name) => splitOfFile(name) === options.split);
    if (names.length === 0) throw new CorpusError(dir, `no dialogue files of the ${options.split} split (${options.split}_dialogues_NNN.json) found`);
  }
  if (names.length === 0) throw new CorpusError(dir, "no dialogue files (dialogues_NNN.json or <split>_dialogues_NNN.json) found");
  const seen = new Map<string, string>();
  const skipped = new SkippedRecords("sgd", options);
  let records = 0;
  const dialogues = names.flatMap((name) => {
    const file = join(dir, name);
    const split = splitOfFile(name);
    return readJsonFile(file, z.array(z.unknown())).flatMap((value, index) => {
      records++;
      try {
        const raw = validateCorpusValue(RawSgdDialogueSchema, value, file, String(index));
        const dialogue = dialogueFromRaw(raw, split, name, file, String(index));
        const first = seen.get(dialogue.id);
        if (first !== undefined) {
          throw new CorpusError(file, `duplicate dialogue id "${raw.dialogue_id}" (also in ${first})`, `${index}.dialogue_id`);
        }
        seen.set(dialogue.id, name);
        return [dialogue];
      } catch (error) {
        if (!(error instanceof CorpusError)) throw error;
        skipped.skip(`${file} record ${index}`, error);
        return [];
      }
    });
  });
  skipped.finish(records);
  return dialogues;
}

function dialogueFromRaw(raw: RawSgdDialogue, split: SgdSplit | undefined, name: string, file: string, field: string): Dialogue {
  const services = new Set(raw.services);
  const turns = raw.turns.map((rawTurn, t): Turn => {
    const acts: DialogueAct[] = [];
    const state: SgdTurnState = {};
    const serviceCalls: SgdServiceCall[] = [];
    rawTurn.frames.forEach((frame, f) => {
      const where = `${field}.turns.${t}.frames.${f}`;
      if (!services.has(frame.service)) {
        throw new CorpusError(file, `service "${frame.service}" is not among the dialogue's services`, `${where}.service`);
      }
      for (const action of frame.actions) {
        const act: DialogueAct = { domain: frame.service, intent: action.act };
        if (action.slot !== "") act.slot = action.slot;
        if (action.values.length > 0) act.value = action.values.join(SGD_VALUE_SEPARATOR);
        acts.push(act);
      }
      if (frame.state) {
        if (rawTurn.speaker !== "USER") throw new CorpusError(file, "only user frames carry a dialogue state", `${where}.state`);
        state[frame.service] = {
          activeIntent: frame.state.active_intent,
          requestedSlots: [...frame.state.requested_slots],
          slotValues: Object.fromEntries(Object.entries(frame.state.slot_values).map(([slot, values]) => [slot, [...values]])),
        };
      }
      if (frame.service_call) {
        serviceCalls.push({
          service: frame.service,
          method: frame.service_call.method,
          parameters: { ...frame.service_call.parameters },
          resultCount: frame.service_results?.length ?? 0,
        });
      }
    });
    const turn: Turn = { speaker: rawTurn.speaker === "USER" ? "user" : "system", text: rawTurn.utterance, acts };
    if (Object.keys(state).length > 0) turn.state = state;
    if (serviceCalls.length > 0) turn.metadata = { serviceCalls };
    return turn;
  });
  const metadata: SgdDialogueMetadata = { originalId: raw.dialogue_id, services: [...raw.services], file: name };
  if (split) metadata.split = split;
  const id = split ? `sgd-${split}-${raw.dialogue_id}` : `sgd-${raw.dialogue_id}`;
  return { id, domain: "sgd", turns, metadata: { ...metadata } };
}

/** Reads an SGD dialogue's metadata back with its type. */
export function sgdMetadata(dialogue: Pick<Dialogue, "id" | "metadata">): SgdDialogueMetadata {
  const metadata = dialogue.metadata as Partial<SgdDialogueMetadata> | undefined;
  if (!metadata || typeof metadata.originalId !== "string" || !Array.isArray(metadata.services) || typeof metadata.file !== "string") {
    throw new Error(`dialogue ${dialogue.id} carries no SGD metadata`);
  }
  return metadata as SgdDialogueMetadata;
}

/** A user turn's SGD frame states, validated, or `undefined` for turns without one. */
export function sgdStateOf(turn: Pick<Turn, "state">): SgdTurnState | undefined {
  if (turn.state === undefined) return undefined;
  const parsed = SgdTurnStateSchema.safeParse(turn.state);
  return parsed.success ? parsed.data : undefined;
}
