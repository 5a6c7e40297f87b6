import { join } from "node:path";
import { z } from "zod";
import { CorpusError, readJsonFile } from "../core/data-dir.js";
import { multiWozDir } from "./corpus.js";

/** The MultiWOZ 2.1 ontology: `domain-slot` (ontology spelling, e.g. `hotel-price range`) → values seen in the corpus. */
export const MultiWozOntologySchema = z
  .record(z.string().regex(/^[a-z]+-[a-z ]+$/i, "expected a `domain-slot` key"), z.array(z.string()))
  .refine((value) => Object.keys(value).length > 0, "ontology is empty");
export type MultiWozOntology = z.infer<typeof MultiWozOntologySchema>;

/**
 * A ConvLab manual template table: act (`Hotel-Inform`, `general-bye`) → slot (`Area`, or `none` for slot-less acts)
 * → utterance templates. System templates mark the value as `#DOMAIN-INTENT-SLOT#`.
 */
export const MultiWozTemplateTableSchema = z
  .record(z.string().min(1), z.record(z.string().min(1), z.array(z.string())))
  .refine((value) => Object.keys(value).length > 0, "template table is empty");
export type MultiWozTemplateTable = z.infer<typeof MultiWozTemplateTableSchema>;

/** The user-side and system-side template tables of ConvLab's manual NLG. */
export interface MultiWozTemplates {
  user: MultiWozTemplateTable;
  system: MultiWozTemplateTable;
}

/** Loads and validates `multiwoz/ontology.json`. */
export function loadMultiWozOntology(options: { dataDir?: string } = {}): MultiWozOntology {
  return readJsonFile(join(multiWozDir(options.dataDir), "ontology.json"), MultiWozOntologySchema);
}

/** Loads and validates `multiwoz/template_user_nlg.json` and `multiwoz/template_system_nlg.json`. */
export function loadMultiWozTemplates(options: { dataDir?: string } = {}): MultiWozTemplates {
  const dir = multiWozDir(options.dataDir);
  return {
    user: readJsonFile(join(dir, "template_user_nlg.json"), MultiWozTemplateTableSchema),
    system: readJsonFile(join(dir, "template_system_nlg.json"), MultiWozTemplateTableSchema),
  };
}

/** The values the ontology lists for a domain and slot (ontology spelling such as `price range`, any case). */
export function ontologyValues(ontology: MultiWozOntology, domain: string, slot: string): readonly string[] {
  const wanted = `${domain}-${slot}`.toLowerCase();
  const key = Object.keys(ontology).find((candidate) => candidate.toLowerCase() === wanted);
  const values = key === undefined ? undefined : ontology[key];
  if (!values) throw new CorpusError("ontology.json", `no entry for domain "${domain}" and slot "${slot}"`, `${domain}-${slot}`);
  return values;
}
