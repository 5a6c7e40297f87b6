import { parsePromptPack, type PromptPack } from "./schema.js";

const spec = (label: string, description: string, alias: string) => ({ label, description, aliases: [alias] });

/**
 * SOP-guided dialogue (ChatSOP / SOPDAIL): choose the Agent's next action among the optional actions with the
 * SOP's successors first, write the reply, classify the User's state, and judge an action's rationality (0/1).
 * Acts and states are SOPDAIL's generic nodes; a task's own SOP nodes are passed per call.
 */
export const sopPack: PromptPack = parsePromptPack({
  id: "sop",
  domain: "sop",
  description: "SOP-guided dialogue (ChatSOP, SOPDAIL): an agent following a Standard Operating Procedure.",
  speakers: { system: "Agent", user: "User" },
  background:
    "The Agent follows a Standard Operating Procedure (SOP): a graph from Agent.Start to Agent.PoliteEnd whose nodes are Agent " +
    "actions and User states. After each User turn the Agent identifies the User's state and takes an action the SOP allows next; " +
    "it may take a proactive action off the SOP when the User's state calls for it. Reply in the language the conversation uses.",
  systemActs: [
    spec("Greet", "The Agent greets the User and introduces itself (打招呼).", "打招呼"),
    spec("Verify identity", "The Agent verifies the User's identity (核对身份).", "核对身份"),
    spec("Empathize", "The Agent acknowledges the User's feelings and calms them (共情安抚).", "共情安抚"),
    spec("Build trust", "The Agent builds trust, e.g. by explaining who it is and why it calls (建立信任).", "建立信任"),
    spec("Relieve doubts", "The Agent answers the User's doubts or worries (排忧解惑).", "排忧解惑"),
    spec("Attempt persuasion", "The Agent tries to persuade the User to take the desired step (尝试说服).", "尝试说服"),
    spec("Chit-chat", "The Agent makes small talk (闲聊).", "闲聊"),
    spec("Thank", "The Agent thanks the User (感谢).", "感谢"),
    spec("Other action", "The Agent does something else the task requires (其他动作).", "其他动作"),
    spec("Polite end", "The Agent ends the conversation politely (礼貌结束).", "礼貌结束"),
  ],
  userStates: [
    spec("Habitual ok", "The User answers habitually and the Agent can go on (习惯性应答可以继续).", "习惯性应答可以继续"),
    spec("Did not understand", "The User did not understand the Agent (没听懂).", "没听懂"),
    spec("Worried or doubtful", "The User is worried or has doubts (担忧疑惑).", "担忧疑惑"),
    spec("Complain", "The User complains (抱怨).", "抱怨"),
    spec("Formal complaint", "The User threatens or files a formal complaint (投诉).", "投诉"),
    spec("Delays deciding", "The User puts off the decision (拖延决策).", "拖延决策"),
    spec("End", "The User ends the conversation (结束).", "结束"),
  ],
  defaultUserState: "Habitual ok",
  showActsInHistory: true,
  judgeCriteria: "Which response follows the SOP better while answering the User's actual state?",
  fallbackReplies: { system: "好的，请问还有什么可以帮您？", user: "嗯。" },
  templates: {
    nextAct: {
      system: "You are the dialogue manager of an Agent. {{background}}",
      user: [
        "Conversation so far:\n{{history}}",
        "Optional next actions:\n{{actOptions}}",
        "{{#guidance}}SOP priority: {{guidance}}\n\n{{/guidance}}Prefer the actions the SOP prescribes at this point; choose a proactive action off the SOP only when the User's latest state makes the prescribed actions inappropriate.",
        "Answer with the option letter and the action name only.",
      ].join("\n\n"),
    },
    systemReply: {
      system: "You are the {{system}}. {{background}}{{#goal}}\n\nTask: {{goal}}{{/goal}}",
      user: "Conversation so far:\n{{history}}\n\nThe {{system}}'s next action: {{act}} — {{actDescription}}\n\nWrite the {{system}}'s next turn carrying out exactly this action. Reply with the utterance only, in the conversation's language.",
    },
    userState: {
      system: "You classify the state of the User in a conversation with an Agent that follows a Standard Operating Procedure.",
      user: "Conversation so far:\n{{history}}\n\nWhich state is the User in after their latest turn? States:\n{{states}}\n\nAnswer with the state name only.",
    },
    rationalityJudge: {
      system: "You judge whether an Agent's action is rational at this point of a conversation that follows a Standard Operating Procedure. {{background}}",
      user: [
        "{{#goal}}Task: {{goal}}\n\n{{/goal}}Conversation so far:\n{{history}}",
        "Proposed next action of the {{system}}: {{act}} — {{actDescription}}",
        "{{#guidance}}SOP context: {{guidance}}\n\n{{/guidance}}Is this action rational here — consistent with the SOP and appropriate to the User's latest state? Answer 1 for rational or 0 for not rational, nothing else.",
      ].join("\n\n"),
    },
    pairwiseJudge: {
      system: "You compare two candidate Agent replies in an SOP-guided conversation. {{criteria}}",
      user: "Conversation so far:\n{{history}}\n\nResponse A: {{candidateA}}\n\nResponse B: {{candidateB}}\n\n{{criteria}} Answer with [[A]], [[B]] or [[tie]].",
    },
  },
});
