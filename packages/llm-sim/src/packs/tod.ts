import { z } from "zod";
import { parsePromptPack, type PromptPack } from "./schema.js";

const act = (label: string, description: string) => ({ label, description });

/**
 * Task-oriented dialogue on MultiWOZ (SMCTS-TOD): the system's MultiWOZ act intents in natural language, a
 * cooperative and a less-cooperative user persona that see a goal block and write `<END>` when done, and an
 * LLM estimate of V(h, a) ∈ [0, 1].
 */
export const todPack: PromptPack = parsePromptPack({
  id: "tod",
  domain: "multiwoz",
  description: "Task-oriented dialogue (SMCTS-TOD, MultiWOZ): a travel-information assistant in Cambridge and simulated users with goals.",
  speakers: { system: "Assistant", user: "User" },
  background:
    "The Assistant helps users in Cambridge find and book restaurants, hotels, attractions, trains and taxis, and find hospitals and " +
    "the police station. It looks venues up in a database, gives the details users request (address, phone, price, reference number…) " +
    "and makes bookings.",
  systemActs: [
    act("Inform", "The Assistant gives information the User asked for or needs (e.g. a venue's address, price or a train time)."),
    act("Request", "The Assistant asks the User for a constraint it needs (e.g. area, price range, day, number of people)."),
    act("Recommend", "The Assistant recommends a specific venue or train that matches the User's constraints."),
    act("Select", "The Assistant offers the User a choice between a few matching options."),
    act("NoOffer", "The Assistant says that nothing matches the User's constraints and suggests changing them."),
    act("OfferBook", "The Assistant offers to make a booking for the User."),
    act("Book", "The Assistant makes the booking and gives the reference number."),
    act("NoBook", "The Assistant says the booking failed and suggests another day, time or venue."),
    act("reqmore", "The Assistant asks whether the User needs anything else."),
    act("welcome", "The Assistant welcomes the User or says they are welcome."),
    act("greet", "The Assistant greets the User."),
    act("bye", "The Assistant says goodbye and ends the conversation."),
  ],
  personas: [
    {
      label: "cooperative",
      description:
        "You are a cooperative user: you answer the Assistant's questions directly, state your constraints clearly when asked, " +
        "and accept reasonable suggestions.",
    },
    {
      label: "less-cooperative",
      description:
        "You are a less cooperative user: you give information only when asked and sometimes only part of it, you may change your " +
        "mind or be vague, you ignore suggestions you did not ask for, and you get impatient if the Assistant repeats itself.",
    },
  ],
  endToken: "<END>",
  showActsInHistory: false,
  judgeCriteria: "Which response better helps the User reach their goal: correct information, fewer wasted turns, successful bookings?",
  fallbackReplies: { system: "Is there anything else I can help you with?", user: "Okay." },
  templates: {
    systemReply: {
      system: "You are the {{system}}, a travel-information assistant. {{background}} Be concise and accurate; never invent reference numbers.",
      user: "Conversation so far:\n{{history}}\n\n{{actDescription}}\n\nWrite the {{system}}'s next turn following that act. Reply with the utterance only.",
    },
    userReply: {
      system: [
        "You are a {{user}} talking to a travel-information assistant in Cambridge. Act like a real customer; do not say you are an AI.",
        "{{personaDescription}}",
        "Your goal:\n{{goal}}",
        "Pursue only this goal. Reveal constraints naturally over several turns rather than all at once. Ask for every piece of information the goal lists, and make the bookings it asks for.",
        "When every part of the goal is done, or clearly cannot be done, say goodbye and end your message with {{endToken}}.",
      ].join("\n\n"),
      user: "Conversation so far:\n{{history}}\n\nWrite the {{user}}'s next message only, without a speaker name.",
    },
    nextAct: {
      system: "You plan the next act of a travel-information assistant. {{background}}",
      user: [
        "Conversation so far:\n{{history}}",
        "Which act should the {{system}} take next? Options:\n{{actOptions}}",
        "{{#guidance}}{{guidance}}\n\n{{/guidance}}Answer with the option letter and the act name only.",
      ].join("\n\n"),
    },
    successJudge: {
      system:
        "You estimate whether a task-oriented dialogue will end in success: the user gets every piece of information they asked for " +
        "and every booking they wanted. {{background}}",
      user: [
        "{{#goal}}The user's goal:\n{{goal}}\n\n{{/goal}}Conversation so far:\n{{history}}",
        "{{#act}}Suppose the {{system}}'s next act is: {{actDescription}}\n\n{{/act}}How likely is it that the dialogue ends in success?",
        'Answer with JSON only: {"probability": <a number between 0 and 1>}.',
      ].join("\n\n"),
    },
    pairwiseJudge: {
      system: "You compare two candidate assistant replies in a task-oriented dialogue. {{criteria}}",
      user: "Conversation so far:\n{{history}}\n\nResponse A: {{candidateA}}\n\nResponse B: {{candidateB}}\n\n{{criteria}} Answer with [[A]], [[B]] or [[tie]].",
    },
  },
});

const DomainGoalSchema = z
  .object({
    info: z.record(z.string(), z.unknown()).optional(),
    fail_info: z.record(z.string(), z.unknown()).optional(),
    book: z.record(z.string(), z.unknown()).optional(),
    fail_book: z.record(z.string(), z.unknown()).optional(),
    reqt: z.union([z.array(z.string()), z.record(z.string(), z.unknown())]).optional(),
  })
  .loose();

const MultiwozGoalSchema = z.record(z.string(), z.unknown());

const SKIPPED_DOMAIN_KEYS = new Set(["topic", "message"]);

function slotList(values: Record<string, unknown>): string {
  return Object.entries(values)
    .filter(([key, value]) => key !== "invalid" && key !== "pre_invalid" && value !== "" && value !== undefined)
    .map(([key, value]) => `${key} = ${String(value)}`)
    .join(", ");
}

/**
 * The goal block a simulated MultiWOZ user sees: the goal's `message` lines (HTML removed) when present,
 * otherwise one bullet per domain with its constraints, booking and requested slots.
 */
export function renderMultiwozGoal(goal: unknown): string {
  const parsed = MultiwozGoalSchema.safeParse(goal);
  if (!parsed.success) throw new TypeError("MultiWOZ goal must be an object of domains (ConvLab format)");
  const record = parsed.data;
  const message = record.message;
  if (Array.isArray(message) && message.length > 0 && message.every((line) => typeof line === "string")) {
    return (message as string[]).map((line) => `- ${line.replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim()}`).join("\n");
  }
  const lines: string[] = [];
  for (const [domain, value] of Object.entries(record)) {
    if (SKIPPED_DOMAIN_KEYS.has(domain)) continue;
    const domainGoal = DomainGoalSchema.safeParse(value);
    if (!domainGoal.success) throw new TypeError(`MultiWOZ goal domain ${domain} is not an object`);
    const { info, book, reqt } = domainGoal.data;
    const parts: string[] = [];
    if (info && Object.keys(info).length) parts.push(`find one with ${slotList(info)}`);
    if (book && slotList(book)) parts.push(`book it for ${slotList(book)}`);
    const requested = Array.isArray(reqt) ? reqt : reqt ? Object.keys(reqt) : [];
    if (requested.length) parts.push(`ask for its ${requested.join(", ")}`);
    if (parts.length) lines.push(`- ${domain}: ${parts.join("; ")}`);
  }
  if (lines.length === 0) throw new TypeError("MultiWOZ goal has no domain with constraints, bookings or requests");
  return lines.join("\n");
}
