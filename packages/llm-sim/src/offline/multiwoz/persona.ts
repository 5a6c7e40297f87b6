/** The names of the agenda user's personas (the one list every persona check and schema reads). */
export const AGENDA_PERSONA_NAMES = ["cooperative", "less-cooperative"] as const;

/** The behaviour parameters of a simulated MultiWOZ user. */
export interface AgendaPersona {
  name: (typeof AGENDA_PERSONA_NAMES)[number];
  description: string;
  /** Consecutive system turns without progress after which the user gives up. */
  patience: number;
  /** Probability of giving up after each turn without progress (before patience runs out). */
  quitProbability: number;
  /** Most acts the user volunteers in one turn (answers to the system's questions are always given). */
  maxActs: number;
  /** Offers for other domains, venues violating a constraint and unwanted bookings count as no progress, and the user restates what it wants. */
  rejectsIrrelevant: boolean;
}

/** The cooperative user: answers every question, volunteers as many acts as the corpus users do, patient. */
export const COOPERATIVE_AGENDA_PERSONA: AgendaPersona = {
  name: "cooperative",
  description: "answers every question, volunteers several constraints per turn as the corpus users do, waits up to 4 turns without progress",
  patience: 4,
  quitProbability: 0,
  maxActs: Number.POSITIVE_INFINITY,
  rejectsIrrelevant: false,
};

/** The less-cooperative user: at most two volunteered acts per turn, rejects irrelevant offers, quits early when stuck. */
export const LESS_COOPERATIVE_AGENDA_PERSONA: AgendaPersona = {
  name: "less-cooperative",
  description:
    "volunteers at most two constraints per turn, rejects offers it did not ask for, may leave after any turn without progress (p=0.25) and always after 2",
  patience: 2,
  quitProbability: 0.25,
  maxActs: 2,
  rejectsIrrelevant: true,
};

/** The personas by name. */
export const AGENDA_PERSONAS: Readonly<Record<AgendaPersona["name"], AgendaPersona>> = {
  cooperative: COOPERATIVE_AGENDA_PERSONA,
  "less-cooperative": LESS_COOPERATIVE_AGENDA_PERSONA,
};

/** Looks a persona up by name, with an error listing the known ones. */
export function agendaPersona(name: string): AgendaPersona {
  const persona = (AGENDA_PERSONAS as Record<string, AgendaPersona | undefined>)[name];
  if (!persona) throw new Error(`unknown MultiWOZ user persona "${name}"; known: ${Object.keys(AGENDA_PERSONAS).join(", ")}`);
  return persona;
}
