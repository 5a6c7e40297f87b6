import { parsePromptPack, type PromptPack } from "./schema.js";

/**
 * PersuasionForGood / GDP-Zero: a Persuader asks a Persuadee to donate part of a $2 task payment to Save the
 * Children. The 7 persuader acts and their natural-language forms follow GDP-Zero; the persuadee prefixes each
 * reply with one of 5 reactions, which value estimation maps to −1 … 1.
 */
export const persuasionPack: PromptPack = parsePromptPack({
  id: "persuasion",
  domain: "persuasion",
  description: "PersuasionForGood (GDP-Zero): persuading a crowd worker to donate to Save the Children.",
  speakers: { system: "Persuader", user: "Persuadee" },
  background: [
    "Save the Children is an international non-governmental organisation founded in the United Kingdom in 1919 and",
    "headquartered in London. It works to fight poverty and to improve the lives of children around the world, especially",
    "in developing countries and war zones: it provides health care, food, education and protection from harm, and helps",
    "families after disasters. Small donations matter: a few dollars can pay for vaccines, meals or school supplies.",
    "The Persuadee is a crowd worker who has been paid $2 for this task and may donate any part of that payment,",
    "from $0 to $2; the donation is taken directly from the task payment.",
  ].join(" "),
  systemActs: [
    { label: "greeting", description: "The Persuader greets the Persuadee." },
    { label: "credibility appeal", description: "The Persuader establishes credibility of Save the Children by citing its impact." },
    { label: "emotion appeal", description: "The Persuader uses an emotion appeal to convince the Persuadee." },
    { label: "logical appeal", description: "The Persuader uses reasoning and evidence to convince the Persuadee." },
    { label: "task related inquiry", description: "The Persuader asks about the Persuadee's knowledge or opinion related to Save the Children." },
    { label: "proposition of donation", description: "The Persuader asks if the Persuadee would like to make a small donation." },
    { label: "other", description: "The Persuader responds to the Persuadee without using any persuasive strategy." },
  ],
  userReactions: [
    { label: "no donation", description: "The Persuadee refuses to donate.", value: -1, aliases: ["refuse", "refusal", "no donate", "not donate", "decline", "disagree donation"] },
    { label: "negative reaction", description: "The Persuadee is sceptical, annoyed or disagrees.", value: -0.5, aliases: ["negative", "negative reaction to donation"] },
    { label: "neutral", description: "The Persuadee responds without leaning either way.", value: 0, aliases: ["neutral reaction", "neutral reaction to donation"] },
    { label: "positive reaction", description: "The Persuadee is interested, agrees or shows sympathy.", value: 0.5, aliases: ["positive", "positive reaction to donation"] },
    { label: "donate", description: "The Persuadee agrees to donate.", value: 1, aliases: ["donation", "donates", "agree donation", "agree to donate", "will donate"] },
  ],
  defaultReaction: "neutral",
  // The persuadee and the value prompt (both the userReply template) see only the persuader's words, as in GDP-Zero.
  actsHiddenIn: ["userReply"],
  example: [
    { speaker: "system", act: "greeting", text: "Hello! How are you doing today?" },
    { speaker: "user", act: "neutral", text: "I'm fine, thanks. What is this about?" },
    { speaker: "system", act: "task related inquiry", text: "Have you ever heard of the charity Save the Children?" },
    { speaker: "user", act: "neutral", text: "I think so, but I don't know much about what they do." },
    {
      speaker: "system",
      act: "credibility appeal",
      text: "They have been helping children for over a hundred years, providing health care, food and schooling in more than a hundred countries.",
    },
    { speaker: "user", act: "positive reaction", text: "That's a long record. It sounds like a serious organisation." },
    {
      speaker: "system",
      act: "emotion appeal",
      text: "Millions of children in war zones go to bed hungry and scared. Even a little help can change a child's day.",
    },
    { speaker: "user", act: "positive reaction", text: "That is really sad to think about." },
    { speaker: "system", act: "proposition of donation", text: "Would you consider donating part of your task payment to them? Even $0.50 helps." },
    { speaker: "user", act: "donate", text: "Okay, I'll give $1 of my payment." },
  ],
  valueQuestion: "Would you be interested in donating to Save the Children?",
  judgeCriteria: "Which response is more likely to persuade the Persuadee to donate to Save the Children, while staying polite and coherent?",
  fallbackReplies: { system: "Would you like to hear more about Save the Children?", user: "I see." },
  templates: {
    systemReply: {
      system: [
        "You are the {{system}} in a conversation. Your goal is to persuade the {{user}} to donate to Save the Children.",
        "Background about Save the Children: {{background}}",
        "Each {{system}} turn realises one persuasion strategy, described in natural language before the turn.",
        "Example conversation:\n{{example}}",
      ].join("\n\n"),
      user: [
        "Conversation so far:\n{{history}}",
        "{{actDescription}}",
        "Write the {{system}}'s next turn following exactly that strategy. Reply with the utterance only: one to three sentences, no speaker name, no strategy label.",
      ].join("\n\n"),
    },
    userReply: {
      system: [
        "You are the {{user}} in a conversation with a {{system}} who wants you to donate to Save the Children.",
        "You were paid $2 for this task and can donate any part of it. You decide for yourself; you are not obliged to agree.",
        "Begin every reply with your reaction in square brackets, one of: {{reactionLabels}}.",
        "Reactions:\n{{reactions}}",
        "Example conversation:\n{{example}}",
      ].join("\n\n"),
      user: "Conversation so far:\n{{history}}\n\nWrite the {{user}}'s next turn as `[reaction] utterance`, one or two sentences.",
    },
    nextAct: {
      system: [
        "You are planning the {{system}}'s strategy in a conversation whose goal is to persuade the {{user}} to donate to Save the Children.",
        "Background: {{background}}",
        "Example conversation:\n{{example}}",
      ].join("\n\n"),
      user: [
        "Conversation so far:\n{{history}}",
        "Which strategy should the {{system}} use next? Options:\n{{actOptions}}",
        "{{#guidance}}{{guidance}}\n\n{{/guidance}}Answer with the option letter and the strategy name only, e.g. `B) credibility appeal`.",
      ].join("\n\n"),
    },
    pairwiseJudge: {
      system: "You are an expert judge of persuasive conversations about donating to Save the Children. {{criteria}}",
      user: [
        "Conversation so far:\n{{history}}",
        "Response A ({{system}}): {{candidateA}}",
        "Response B ({{system}}): {{candidateB}}",
        "{{criteria}} Answer with [[A]], [[B]] or [[tie]].",
      ].join("\n\n"),
    },
  },
});
