import { loadSopdailTasks, type Turn } from "@foresight/dialogue";
import { describe, expect, it } from "vitest";
import {
  BUILTIN_PACKS,
  PromptPackError,
  TEMPLATE_NAMES,
  openChatPack,
  packVariables,
  parsePromptPack,
  persuasionPack,
  renderExample,
  renderMessages,
  renderMultiwozGoal,
  renderTemplate,
  requireTemplate,
  sopProfileVariables,
  sopPack,
  todPack,
  type PromptPack,
} from "./index.js";

const history: Turn[] = [
  { speaker: "system", text: "Hello there!", acts: [{ intent: "greeting" }] },
  { speaker: "user", text: "Hi, who are you?" },
];

function renderAll(pack: PromptPack): Record<string, string> {
  const rendered: Record<string, string> = {};
  for (const name of Object.keys(pack.templates)) {
    const messages = renderMessages(
      pack,
      name,
      packVariables(pack, history, pack.systemActs, {
        act: pack.systemActs[0]?.label ?? "act",
        actDescription: pack.systemActs[0]?.description ?? "do it",
        candidateA: "CANDIDATE-A",
        candidateB: "CANDIDATE-B",
        goal: "GOAL-BLOCK",
        persona: pack.personas[0]?.label ?? "",
        personaDescription: pack.personas[0]?.description ?? "",
        guidance: "GUIDANCE",
      }, name),
    );
    rendered[name] = messages.map((message) => `${message.role}: ${message.content}`).join("\n---\n");
  }
  return rendered;
}

describe("built-in packs render", () => {
  it.each(Object.values(BUILTIN_PACKS).map((pack) => [pack.id, pack] as const))("%s renders every template without leftovers", (_, pack) => {
    const rendered = renderAll(pack);
    expect(Object.keys(rendered).length).toBeGreaterThan(0);
    for (const [name, text] of Object.entries(rendered)) {
      expect(text, name).not.toMatch(/\{\{|\}\}/);
      expect(text, name).toContain("Hi, who are you?");
    }
    if (pack.templates.pairwiseJudge) expect(rendered.pairwiseJudge).toContain("CANDIDATE-B");
  });

  it("persuasion: background, the 7 acts, the one-shot example and the 5 reactions", () => {
    expect(persuasionPack.systemActs.map((act) => act.label)).toEqual([
      "greeting",
      "credibility appeal",
      "emotion appeal",
      "logical appeal",
      "task related inquiry",
      "proposition of donation",
      "other",
    ]);
    expect(persuasionPack.userReactions.map((reaction) => [reaction.label, reaction.value])).toEqual([
      ["no donation", -1],
      ["negative reaction", -0.5],
      ["neutral", 0],
      ["positive reaction", 0.5],
      ["donate", 1],
    ]);
    const rendered = renderAll(persuasionPack);
    expect(rendered.systemReply).toContain("developing countries");
    expect(rendered.systemReply).toContain("$2");
    expect(rendered.systemReply).toContain("The Persuader establishes credibility of Save the Children by citing its impact.\nPersuader [credibility appeal]:");
    expect(rendered.systemReply).toContain("Persuader [greeting]: Hello there!");
    // The persuadee (and the value prompt, which uses the same template) never sees act labels.
    expect(rendered.userReply).toContain("Persuadee: Okay, I'll give $1 of my payment.");
    expect(rendered.userReply).not.toMatch(/Persuader \[/);
    expect(rendered.nextAct).toContain("G) other: The Persuader responds to the Persuadee without using any persuasive strategy.");
    expect(persuasionPack.valueQuestion).toBe("Would you be interested in donating to Save the Children?");
    expect(renderExample(persuasionPack).split("\n").filter((line) => line.startsWith("Persuadee")).length).toBe(5);
  });

  it("open chat: SCOPE's assistant and simulated-human system prompts", () => {
    const rendered = renderAll(openChatPack);
    expect(rendered.systemReply).toMatch(/^system: You are a helpful, friendly assistant/);
    expect(rendered.userReply).toMatch(/^system: Pretend you are a human/);
    expect(rendered.userReply).toContain("Assistant: Hello there!");
  });

  it("task-oriented: MultiWOZ acts, both personas, the goal block and <END>", () => {
    expect(todPack.systemActs.map((act) => act.label)).toEqual(
      expect.arrayContaining(["Inform", "Request", "Recommend", "Select", "NoOffer", "OfferBook", "Book", "NoBook", "reqmore", "welcome", "greet", "bye"]),
    );
    expect(todPack.personas.map((persona) => persona.label)).toEqual(["cooperative", "less-cooperative"]);
    const rendered = renderAll(todPack);
    expect(rendered.userReply).toContain("Your goal:\nGOAL-BLOCK");
    expect(rendered.userReply).toContain("end your message with <END>");
    expect(rendered.userReply).toContain("cooperative user");
    expect(rendered.successJudge).toContain('{"probability"');
  });

  it("SOP: next action with priority, reply, user state and rationality", () => {
    const rendered = renderAll(sopPack);
    expect(rendered.nextAct).toContain("please prioritize the following agent actions: GUIDANCE");
    expect(rendered.nextAct).toContain("A) Greet");
    expect(rendered.nextAct).toContain('"Therefore, the best agent action is: <name>"');
    expect(rendered.systemReply).toContain("Task: GOAL-BLOCK");
    expect(rendered.userState).toContain("- Worried or doubtful: The User is worried or has doubts (担忧疑惑).");
    expect(rendered.userState).toContain('Start with "User State:"');
    expect(rendered.rationalityJudge).toContain('"Therefore, the answer is: 1" or "Therefore, the answer is: 0"');
    expect(Object.keys(sopPack.templates)).toEqual(expect.arrayContaining([TEMPLATE_NAMES.nextAct, TEMPLATE_NAMES.systemReply, TEMPLATE_NAMES.userState, TEMPLATE_NAMES.rationalityJudge]));
  });
});

describe("SOP task profiles", () => {
  it("puts the task and user profiles of a SOPDAIL task in every SOP prompt", () => {
    const task = loadSopdailTasks()[0]!;
    const variables = sopProfileVariables(task);
    expect(JSON.parse(variables.userProfile!)).toEqual(task.userProfile);
    expect(variables.taskProfile).toContain(task.agentIdentity);
    for (const name of [TEMPLATE_NAMES.nextAct, TEMPLATE_NAMES.userState, TEMPLATE_NAMES.rationalityJudge, TEMPLATE_NAMES.systemReply]) {
      const text = renderMessages(sopPack, name, packVariables(sopPack, history, sopPack.systemActs, variables)).map((m) => m.content).join("\n");
      expect(text, name).toContain(`task_profile: ${variables.taskProfile}`);
      expect(text, name).toContain(`user_profile: ${variables.userProfile}`);
    }
  });
});

describe("templates and user packs", () => {
  it("fills variables and optional sections and names a missing variable", () => {
    expect(renderTemplate("a {{act}}{{#goal}} goal={{goal}}{{/goal}}!", { act: "x", goal: "" }, "t")).toBe("a x!");
    expect(renderTemplate("a {{act}}{{#goal}} goal={{goal}}{{/goal}}!", { act: "x", goal: "g" }, "t")).toBe("a x goal=g!");
    expect(() => renderTemplate("{{history}}", {}, "mine.systemReply.user")).toThrow(/mine\.systemReply\.user uses \{\{history\}\}/);
  });

  it("validates user packs with clear errors", () => {
    const mine = parsePromptPack({
      id: "mine",
      domain: "support",
      description: "my own",
      speakers: { system: "Agent", user: "Customer" },
      systemActs: [{ label: "apologise", description: "The Agent apologises." }],
      templates: { systemReply: { system: "", user: "{{history}}\n{{actDescription}}" } },
    });
    expect(mine.fallbackReplies.system.length).toBeGreaterThan(0);
    expect(renderMessages(mine, "systemReply", packVariables(mine, history, mine.systemActs, { actDescription: "The Agent apologises." }))).toEqual([
      { role: "user", content: "Agent [greeting]: Hello there!\nCustomer: Hi, who are you?\nThe Agent apologises." },
    ]);
    expect(() => requireTemplate(mine, "userReply")).toThrow(/prompt pack mine has no template "userReply" \(it has: systemReply\)/);
    expect(() => parsePromptPack({ ...mine, templates: { x: { system: "", user: "{{nope}}" } } })).toThrow(/invalid prompt pack mine: templates\.x\.user: unknown variable \{\{nope\}\}/);
    expect(() => parsePromptPack({ ...mine, defaultReaction: "happy" })).toThrow(PromptPackError);
    expect(() => parsePromptPack({ ...mine, templates: { systemReply: { system: "", user: "{{history}}" } } })).toThrow(
      /templates\.systemReply: must use \{\{act\}\} or \{\{actDescription\}\}/,
    );
    expect(() => parsePromptPack({ id: "bad" })).toThrow(/invalid prompt pack bad: .*speakers/);
  });
});

describe("renderMultiwozGoal", () => {
  it("uses the goal's message lines without HTML", () => {
    const goal = {
      hotel: { info: { area: "east" }, book: { people: "3" } },
      message: ["You are looking for a <span class='emphasis'>place to stay</span>", "Make sure you get the <span class='emphasis'>reference number</span>"],
    };
    expect(renderMultiwozGoal(goal)).toBe("- You are looking for a place to stay\n- Make sure you get the reference number");
  });

  it("builds a block from structured constraints, bookings and requests", () => {
    const goal = {
      taxi: {},
      topic: { hotel: true },
      hotel: { info: { area: "east", stars: "4" }, fail_info: {}, book: { people: "3", day: "monday", invalid: false }, fail_book: {} },
      train: { info: { destination: "ely" }, reqt: ["duration", "price"] },
    };
    expect(renderMultiwozGoal(goal)).toBe(
      "- hotel: find one with area = east, stars = 4; book it for people = 3, day = monday\n- train: find one with destination = ely; ask for its duration, price",
    );
    expect(() => renderMultiwozGoal({ taxi: {} })).toThrow(/no domain/);
    expect(() => renderMultiwozGoal("x")).toThrow(/must be an object/);
  });
});
