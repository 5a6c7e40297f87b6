import type { SopdailTask } from "@foresight/dialogue";
import type { TemplateVariables } from "./render.js";
import { parsePromptPack, type PromptPack } from "./schema.js";

/** Characters of a task's knowledge kept in its prompt profile (the FAQ texts run to several thousand). */
export const SOP_KNOWLEDGE_CHARS = 1500;

/**
 * The template variables every ChatSOP prompt carries for a SOPDAIL task: the task profile (agent identity, goal,
 * success marks, knowledge cut to {@link SOP_KNOWLEDGE_CHARS}) and the user profile, as JSON, and the goal.
 */
export function sopProfileVariables(task: SopdailTask): TemplateVariables {
  let knowledge = JSON.stringify(task.knowledge);
  if (knowledge.length > SOP_KNOWLEDGE_CHARS) knowledge = `${knowledge.slice(0, SOP_KNOWLEDGE_CHARS)}…`;
  const taskProfile = JSON.stringify({ agent_identity: task.agentIdentity, task_goal: task.agentGoal, success_mark: task.successMarks }).replace(/}$/, `,"other_knowledge":${JSON.stringify(knowledge)}}`);
  return { taskProfile, userProfile: JSON.stringify(task.userProfile), goal: task.agentGoal };
}

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
  // The templates follow ChatSOP's appendix prompts: every one carries the task and user profiles (JSON), the
  // dialogue context, and asks for the paper's answer format ("Therefore, the best agent action is: X",
  // "User State: Y", "Analysis: … Therefore, the answer is: 1"), which the SOP parsers read.
  templates: {
    nextAct: {
      system: "You are a business expert agent. {{background}}",
      user: [
        'Given the following "user_profile", "task_profile" and "Dialogue Context", please select the next round of agent action from the "Optional Agent Actions" for the agent that can best encourage the user to complete this dialogue task. When the task is completed, please actively choose the polite end to end the conversation. The name of the agent action must be exactly the same as those in the candidate list.',
        "{{#taskProfile}}task_profile: {{taskProfile}}\n{{/taskProfile}}{{#userProfile}}user_profile: {{userProfile}}\n{{/userProfile}}{{#goal}}Task: {{goal}}\n{{/goal}}",
        "Dialogue Context:\n{{history}}",
        "Optional Agent Actions:\n{{actOptions}}",
        "{{#guidance}}Dialogue SOP: Based on the standard procedure for this task, please prioritize the following agent actions: {{guidance}}\n\n{{/guidance}}" +
          'Start with "Analysis:" and deduce step by step the best agent action for the next turn, concluding with "Therefore, the best agent action is: <name>", with a colon before the name of the agent action.',
      ].join("\n\n"),
    },
    systemReply: {
      system: "You are the {{system}}. {{background}}{{#goal}}\n\nTask: {{goal}}{{/goal}}",
      user: [
        'Given the "user_profile", "task_profile" and "Dialogue Context" below, please generate an appropriate agent response by following the chosen agent action.',
        "{{#taskProfile}}task_profile: {{taskProfile}}\n{{/taskProfile}}{{#userProfile}}user_profile: {{userProfile}}\n{{/userProfile}}",
        "Dialogue Context:\n{{history}}",
        "Agent Action: {{act}} — {{actDescription}}",
        "Reply with the {{system}}'s utterance only, carrying out exactly this action, in the conversation's language.",
      ].join("\n\n"),
    },
    userState: {
      system: "You are an agent specializing in customer service, following a Standard Operating Procedure.",
      user: [
        'Given the following "user_profile", "task_profile" and "Dialogue Context", please select an option from the "Optional User State" that best reflects the user\'s current task status in the dialogue context.',
        "{{#taskProfile}}task_profile: {{taskProfile}}\n{{/taskProfile}}{{#userProfile}}user_profile: {{userProfile}}\n{{/userProfile}}",
        "Dialogue Context:\n{{history}}",
        "Optional User State:\n{{states}}",
        'Start with "User State:" and the state name must be exactly the same as one in the list.',
      ].join("\n\n"),
    },
    rationalityJudge: {
      system: "You are a business expert manager. {{background}}",
      user: [
        "The company's business agent is contacting the customer below to handle affairs; see \"Dialogue Context\" for the conversation. Please carefully read the following information and judge whether the agent's chosen \"Agent action\" conforms to the task process (SOP) or is conducive to guiding the user toward task success. If it meets the requirements, it is 1; otherwise, it is 0.",
        "{{#taskProfile}}task_profile: {{taskProfile}}\n{{/taskProfile}}{{#userProfile}}user_profile: {{userProfile}}\n{{/userProfile}}{{#goal}}Task: {{goal}}\n{{/goal}}{{#guidance}}SOP: {{guidance}}\n{{/guidance}}",
        "Dialogue Context:\n{{history}}",
        "Agent action: {{act}} — {{actDescription}}",
        'Start your analysis with "Analysis:" and after your conclusion, summarize with "Therefore, the answer is: 1" or "Therefore, the answer is: 0".',
      ].join("\n\n"),
    },
    pairwiseJudge: {
      system: "You compare two candidate Agent replies in an SOP-guided conversation. {{criteria}}",
      user: "Conversation so far:\n{{history}}\n\nResponse A: {{candidateA}}\n\nResponse B: {{candidateB}}\n\n{{criteria}} Answer with [[A]], [[B]] or [[tie]].",
    },
  },
});
