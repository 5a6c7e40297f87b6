import { renderTranscript, type ChatMessage, type Turn } from "@foresight/dialogue";
import { optionKeys } from "../parse/labels.js";
import { PromptPackError, type ActSpec, type MessageTemplate, type PromptPack, type TemplateVariable } from "./schema.js";

/** Values for a template's variables. */
export type TemplateVariables = Partial<Record<TemplateVariable, string>>;

/**
 * Fills `{{name}}` placeholders. `{{#name}}…{{/name}}` keeps its content only when `name` is non-empty.
 * A placeholder without a value is an error naming the template (`where`).
 */
export function renderTemplate(template: string, variables: TemplateVariables, where: string): string {
  const values = variables as Record<string, string | undefined>;
  const withSections = template.replace(/\{\{\s*#\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}([\s\S]*?)\{\{\s*\/\s*\1\s*\}\}/g, (_, name: string, body: string) =>
    values[name] ? body : "",
  );
  return withSections.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new PromptPackError(`template ${where} uses {{${name}}} but no value was given for it`);
    return value;
  });
}

/** The named template of a pack, or an error naming the pack and the templates it has. */
export function requireTemplate(pack: PromptPack, name: string): MessageTemplate {
  const template = pack.templates[name];
  if (!template) {
    throw new PromptPackError(`prompt pack ${pack.id} has no template "${name}" (it has: ${Object.keys(pack.templates).join(", ") || "none"})`);
  }
  return template;
}

/** Renders a pack's template into chat messages (an empty system part is left out). */
export function renderMessages(pack: PromptPack, name: string, variables: TemplateVariables): ChatMessage[] {
  const template = requireTemplate(pack, name);
  const where = `${pack.id}.${name}`;
  const system = renderTemplate(template.system, variables, `${where}.system`).trim();
  const user = renderTemplate(template.user, variables, `${where}.user`).trim();
  return system ? [{ role: "system", content: system }, { role: "user", content: user }] : [{ role: "user", content: user }];
}

/** The natural-language form of an act: from the pack, or the act's own label when the pack does not know it. */
export function describeAct(pack: PromptPack, act: string | ActSpec): ActSpec {
  if (typeof act !== "string") return act;
  const wanted = act.trim().toLowerCase();
  return pack.systemActs.find((spec) => spec.label.toLowerCase() === wanted) ?? { label: act, description: act };
}

/** Renders a history as a transcript with the pack's speaker names (acts in brackets when the pack says so). */
export function renderHistory(pack: PromptPack, history: readonly Turn[], showActs = pack.showActsInHistory): string {
  if (history.length === 0) return "(the conversation has not started yet)";
  return renderTranscript({ domain: pack.domain, turns: [...history] }, { roles: pack.speakers, showActs });
}

/**
 * Renders the pack's example dialogue, each turn preceded by its act's natural-language form; with `showActs`
 * false, as plain words (for templates listed in the pack's `actsHiddenIn`).
 */
export function renderExample(pack: PromptPack, showActs = true): string {
  return pack.example
    .map((turn) => {
      const name = pack.speakers[turn.speaker];
      if (turn.act === undefined || !showActs) return `${name}: ${turn.text}`;
      const description = turn.speaker === "system" ? describeAct(pack, turn.act).description : undefined;
      return description && description !== turn.act ? `${description}\n${name} [${turn.act}]: ${turn.text}` : `${name} [${turn.act}]: ${turn.text}`;
    })
    .join("\n");
}

function bullets(specs: readonly { label: string; description: string }[]): string {
  return specs.map((spec) => `- ${spec.label}: ${spec.description}`).join("\n");
}

/**
 * The variables every template of a pack can use, for a given history (plus per-call extras). `template` names the
 * template they are for: one in the pack's `actsHiddenIn` gets its history and example without act labels.
 */
export function packVariables(
  pack: PromptPack,
  history: readonly Turn[],
  acts: readonly ActSpec[] = pack.systemActs,
  extra: TemplateVariables = {},
  template?: string,
): TemplateVariables {
  const keys = acts.length <= 26 ? optionKeys(acts.length) : [];
  const hidden = template !== undefined && pack.actsHiddenIn.includes(template);
  return {
    system: pack.speakers.system,
    user: pack.speakers.user,
    background: pack.background,
    acts: bullets(acts),
    actOptions: keys.length ? acts.map((act, index) => `${keys[index]}) ${act.label}: ${act.description}`).join("\n") : bullets(acts),
    actLabels: acts.map((act) => act.label).join(", "),
    example: renderExample(pack, !hidden),
    history: renderHistory(pack, history, pack.showActsInHistory && !hidden),
    reactions: bullets(pack.userReactions),
    reactionLabels: pack.userReactions.map((reaction) => reaction.label).join(", "),
    states: bullets(pack.userStates),
    stateLabels: pack.userStates.map((state) => state.label).join(", "),
    endToken: pack.endToken ?? "",
    question: pack.valueQuestion ?? "",
    criteria: pack.judgeCriteria,
    goal: "",
    persona: "",
    personaDescription: "",
    guidance: "",
    taskProfile: "",
    userProfile: "",
    act: "",
    actDescription: "",
    ...extra,
  };
}
