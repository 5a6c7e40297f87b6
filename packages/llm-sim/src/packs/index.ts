import { openChatPack } from "./open-chat.js";
import { persuasionPack } from "./persuasion.js";
import type { PromptPack } from "./schema.js";
import { sopPack } from "./sop.js";
import { todPack } from "./tod.js";

export * from "./schema.js";
export * from "./render.js";
export { persuasionPack } from "./persuasion.js";
export { openChatPack } from "./open-chat.js";
export { todPack, renderMultiwozGoal } from "./tod.js";
export { SOP_KNOWLEDGE_CHARS, sopPack, sopProfileVariables } from "./sop.js";

/** The built-in packs by id. */
export const BUILTIN_PACKS: Readonly<Record<string, PromptPack>> = {
  [persuasionPack.id]: persuasionPack,
  [openChatPack.id]: openChatPack,
  [todPack.id]: todPack,
  [sopPack.id]: sopPack,
};
