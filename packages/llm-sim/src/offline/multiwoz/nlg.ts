import { isDontCareValue, type DialogueAct, type MultiWozTemplates, type MultiWozTemplateTable, type Rng } from "@foresight/dialogue";
import { actDomainOf, multiWozActKey, type MultiWozSimDomain } from "./slots.js";

/** A realised turn: the text and how many acts had no template and used the generic rendering. */
export interface MultiWozRealization {
  text: string;
  fallbacks: number;
}

/** Counters of a {@link MultiWozTemplateNlg} over its lifetime. */
export interface MultiWozNlgStats {
  acts: number;
  fallbacks: number;
  /** `Domain-Intent(slot)` → how often it used the generic rendering. */
  fallbackActs: Record<string, number>;
}

const SLOT_WORDS: Record<string, string> = {
  Addr: "address",
  Post: "postcode",
  Price: "price range",
  Fee: "entrance fee",
  Open: "opening hours",
  Ref: "reference number",
  Depart: "departure",
  Dest: "destination",
  Arrive: "arrival time",
  Leave: "departure time",
  Id: "train ID",
  Ticket: "ticket price",
  Car: "car type",
  Choice: "number of options",
};

/** The words of an act slot (`Addr` → `address`, `Stars` → `stars`). */
export function multiWozSlotWords(slot: string): string {
  return SLOT_WORDS[slot] ?? slot.toLowerCase();
}

/**
 * The generic rendering used when the ConvLab templates have no sentence for an act and slot (counted as a
 * fallback): `Inform`-like acts say "The <slot words> is <value> .", requests ask "What is the <slot words> ?"
 * (user) or "What <slot words> would you like ?" (system), and slot-less acts name the intent.
 */
export function multiWozGenericRendering(speaker: "user" | "system", act: DialogueAct): string {
  const words = act.slot === undefined ? "" : multiWozSlotWords(act.slot);
  const domain = act.domain && act.domain !== "general" && act.domain !== "Booking" ? act.domain.toLowerCase() : "";
  if (act.intent === "Request") {
    return speaker === "user" ? `What is the ${words}${domain ? ` of the ${domain}` : ""} ?` : `What ${words} would you like ?`;
  }
  if (act.slot === undefined || act.value === undefined) {
    const intents: Record<string, string> = {
      NoBook: "I am sorry , that booking is not available .",
      NoOffer: "I am sorry , nothing matches that .",
      OfferBook: "Would you like me to book it ?",
      Book: "Your booking is confirmed .",
    };
    return intents[act.intent] ?? `${act.intent} .`;
  }
  if (act.intent === "NoOffer") return `There is nothing with ${words} ${act.value} .`;
  if (act.intent === "NoBook") return `I could not book it for ${words} ${act.value} .`;
  return speaker === "user" ? `I would like the ${words} to be ${act.value} .` : `The ${words} is ${act.value} .`;
}

/**
 * ConvLab-style template NLG over the shared manual templates (`template_user_nlg.json`, `template_system_nlg.json`):
 * each act picks a random sentence from `table[Domain-Intent][slot]` (`none` for slot-less acts) and fills its
 * `#DOMAIN-INTENT-SLOT#` placeholder with the act's value; sentences are joined in act order. `Booking-Request` has
 * no system templates and uses the active domain's `Request` sentences; a user's `dontcare` is rendered as
 * "I do n't have a preference for the <slot words> ."; anything else without a template uses
 * {@link multiWozGenericRendering} and is counted in {@link MultiWozTemplateNlg.stats}.
 */
export class MultiWozTemplateNlg {
  /** Lifetime counters. */
  readonly stats: MultiWozNlgStats = { acts: 0, fallbacks: 0, fallbackActs: {} };

  constructor(private readonly templates: MultiWozTemplates) {}

  /** Realises a user turn. */
  user(acts: readonly DialogueAct[], rng: Rng): MultiWozRealization {
    return this.realize("user", this.templates.user, acts, rng);
  }

  /** Realises a system turn; `domain` is the active domain (for `Booking-*` acts). */
  system(acts: readonly DialogueAct[], rng: Rng, domain?: MultiWozSimDomain): MultiWozRealization {
    return this.realize("system", this.templates.system, acts, rng, domain);
  }

  private realize(speaker: "user" | "system", table: MultiWozTemplateTable, acts: readonly DialogueAct[], rng: Rng, domain?: MultiWozSimDomain): MultiWozRealization {
    const sentences: string[] = [];
    let fallbacks = 0;
    const requestsDone = new Set<string>();
    for (const act of acts) {
      this.stats.acts += 1;
      if (speaker === "user" && act.intent === "Inform" && act.value !== undefined && isDontCareValue(act.value) && act.slot !== undefined) {
        sentences.push(`I do n't have a preference for the ${multiWozSlotWords(act.slot)} .`);
        continue;
      }
      const slot = act.slot ?? "none";
      let key = multiWozActKey(act);
      if (act.domain === "Booking" && act.intent === "Request" && domain !== undefined && !table[key]?.[slot]) key = `${actDomainOf(domain)}-Request`;
      const options = table[key]?.[slot];
      if (!options || options.length === 0) {
        fallbacks += 1;
        this.stats.fallbacks += 1;
        const name = `${multiWozActKey(act)}(${slot})`;
        this.stats.fallbackActs[name] = (this.stats.fallbackActs[name] ?? 0) + 1;
        sentences.push(multiWozGenericRendering(speaker, act));
        continue;
      }
      if (act.intent === "Request" && requestsDone.has(`${key}|${slot}`)) continue;
      requestsDone.add(`${key}|${slot}`);
      const template = options[rng.int(options.length)]!;
      const placeholder = `#${key.toUpperCase()}-${slot.toUpperCase()}#`;
      sentences.push(act.value === undefined ? template : template.split(placeholder).join(act.value).replace(/#[A-Z]+-[A-Z]+-[A-Z]+#/g, act.value));
    }
    return { text: sentences.join(" ").replace(/\s+/g, " ").trim(), fallbacks };
  }
}
