import {
  beliefStateOf,
  type MultiWozDatabase,
  type MultiWozDialogue,
  type MultiWozDomainGoal,
  type MultiWozEntity,
} from "@foresight/dialogue";
import { resolveTrain, resolveVenue } from "./resolve.js";

/** The domains whose venue must match the goal in the official MultiWOZ Inform. */
const VENUE_DOMAINS = ["restaurant", "hotel", "attraction", "train"] as const;
/** Act slot → the official evaluator's requestable name. */
const PROVIDED: Readonly<Record<string, string>> = { phone: "phone", addr: "address", post: "postcode", ref: "reference", id: "id" };
const OFFER_INTENTS = new Set(["inform", "recommend", "select", "offerbook", "offerbooked", "book"]);

/** Official (corpus-level) Inform and Success of one dialogue, with the per-domain parts. */
export interface CorpusDialogueScore {
  inform: boolean;
  success: boolean;
  domains: Partial<Record<string, { inform: boolean; success: boolean }>>;
}

/** The goal's requestables in the official evaluator's sense: phone/address/postcode/id, plus reference for a booking. */
export function officialRequestables(goal: MultiWozDomainGoal): string[] {
  const wanted = goal.reqt
    .map((slot) => (slot === "trainID" ? "id" : slot))
    .filter((slot) => ["phone", "address", "postcode", "id"].includes(slot));
  if (goal.book !== undefined) wanted.push("reference");
  return [...new Set(wanted)];
}

/**
 * The official MultiWOZ Inform and Success (Budzianowski et al.'s evaluator) computed from the system's dialogue
 * acts instead of delexicalised text. Per goal domain, the *offered venue* is the entity the system booked (belief
 * state) or else the last one it named (`Name`, or `Id` for trains); Inform holds when, for every goal domain, the
 * offered venue satisfies the goal's constraints in the database (taxi, police, hospital, a goal that names its
 * venue, and a train goal that neither books nor asks for the train id need no offer). Success additionally needs
 * every requestable (phone, address, postcode, train id; reference when booking) provided in that domain.
 */
export function officialInformSuccess(dialogue: MultiWozDialogue, db: MultiWozDatabase): CorpusDialogueScore {
  const offered = new Map<string, MultiWozEntity>();
  const booked = new Map<string, MultiWozEntity>();
  const provided = new Map<string, Set<string>>();
  let current = "";
  for (const turn of dialogue.turns) {
    const belief = turn.speaker === "system" ? beliefStateOf(turn) : undefined;
    for (const act of turn.acts ?? []) {
      const domain = (act.domain ?? "").toLowerCase();
      if (domain in dialogue.goal.domains && domain !== current) current = domain;
      if (turn.speaker !== "system") continue;
      const target = domain === "booking" ? current : domain;
      const slot = (act.slot ?? "").toLowerCase();
      const intent = act.intent.toLowerCase();
      if (!target || !OFFER_INTENTS.has(intent) || act.value === undefined) continue;
      const requestable = PROVIDED[slot];
      if (requestable) (provided.get(target) ?? provided.set(target, new Set()).get(target)!).add(requestable);
      if (slot === "name" && (VENUE_DOMAINS as readonly string[]).includes(target) && target !== "train") {
        const entity = resolveVenue(db, target, act.value);
        if (entity) offered.set(target, entity);
      } else if (slot === "id" && target === "train") {
        const entity = resolveTrain(db, act.value, belief?.train?.semi ?? dialogue.goal.domains.train?.info);
        if (entity) offered.set("train", entity);
      }
    }
    for (const domain of ["hotel", "restaurant", "train"]) {
      const first = belief?.[domain]?.booked[0];
      if (!first || booked.has(domain)) continue;
      const entity =
        domain === "train"
          ? resolveTrain(db, first.trainID ?? "", belief?.train?.semi)
          : resolveVenue(db, domain, first.name ?? "");
      if (entity) booked.set(domain, entity);
    }
  }
  const domains: CorpusDialogueScore["domains"] = {};
  let inform = true;
  for (const [domain, goal] of Object.entries(dialogue.goal.domains)) {
    if (!goal) continue;
    let matched: boolean;
    const venue = booked.get(domain) ?? offered.get(domain);
    if (!(VENUE_DOMAINS as readonly string[]).includes(domain) || "name" in goal.info) matched = true;
    else if (venue === undefined) matched = domain === "train" && goal.book === undefined && !goal.reqt.includes("trainID");
    else matched = db.query(domain, goal.info).includes(venue);
    inform &&= matched;
    const needed = officialRequestables(goal);
    const have = provided.get(domain) ?? new Set<string>();
    domains[domain] = { inform: matched, success: needed.every((slot) => have.has(slot)) };
  }
  const success = inform && Object.values(domains).every((part) => part?.success === true);
  return { inform, success, domains };
}
