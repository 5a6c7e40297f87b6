import { parsePromptPack, type PromptPack } from "./schema.js";

/**
 * Open-domain chat (SCOPE, DailyDialog): an assistant that keeps a human engaged, and a simulated human told to
 * pretend to be a person. Acts are DailyDialog's four coarse intents, usable as natural-language steering.
 */
export const openChatPack: PromptPack = parsePromptPack({
  id: "open-chat",
  domain: "open-chat",
  description: "Open-domain chat (SCOPE): an engaging assistant and a simulated human partner.",
  speakers: { system: "Assistant", user: "Human" },
  background: "",
  systemActs: [
    { label: "inform", description: "The Assistant shares information, an opinion or an experience." },
    { label: "question", description: "The Assistant asks the Human a question to learn more about them." },
    { label: "directive", description: "The Assistant suggests or requests that the Human do something." },
    { label: "commissive", description: "The Assistant accepts, offers or commits to something." },
  ],
  showActsInHistory: false,
  judgeCriteria: "Which response is more engaging, empathetic and natural, so that the Human wants to keep talking?",
  fallbackReplies: { system: "That's interesting. Tell me more?", user: "Okay." },
  templates: {
    systemReply: {
      system:
        "You are a helpful, friendly assistant having a casual conversation with a human. Keep the conversation going: be engaging, " +
        "empathetic and specific, and keep each reply short (one to three sentences).",
      user: "Conversation so far:\n{{history}}\n\n{{actDescription}}\n\nWrite the {{system}}'s next reply only, without a speaker name.",
    },
    userReply: {
      system:
        "Pretend you are a human having a casual conversation with an AI assistant. Do not say that you are an AI. Reply the way a " +
        "real person would: natural, sometimes brief, with your own opinions, moods and interests. If you lose interest, say so or end the chat.",
      user: "Conversation so far:\n{{history}}\n\nWrite the {{user}}'s next message only, without a speaker name.",
    },
    nextAct: {
      system: "You plan the next move of an assistant in a casual conversation, choosing the kind of reply that keeps the human engaged.",
      user: "Conversation so far:\n{{history}}\n\nOptions:\n{{actOptions}}\n\n{{#guidance}}{{guidance}}\n\n{{/guidance}}Answer with the option letter and name only.",
    },
    pairwiseJudge: {
      system: "You compare two candidate replies in a casual conversation. {{criteria}}",
      user: [
        "Conversation so far:\n{{history}}",
        "Response A: {{candidateA}}",
        "Response B: {{candidateB}}",
        "{{criteria}} Answer with [[A]], [[B]] or [[tie]].",
      ].join("\n\n"),
    },
  },
});
