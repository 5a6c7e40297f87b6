import type { ChatMessage, Rng } from "@foresight/dialogue";
import type { ChatModel, ChatRequest, ChatResponse } from "../chat.js";
import type { TemplateVariables } from "../packs/render.js";
import { parsePromptPack, type PromptPack, type PromptPackInput } from "../packs/schema.js";
import type { UsageLedger } from "../wrappers/accounting.js";
import type { RoleCallOptions } from "./types.js";

/** Options every LLM role takes. */
export interface LlmRoleOptions {
  model: ChatModel;
  /** Seeded generator for every random choice the role makes. */
  rng: Rng;
  /** The domain's prompt pack (a built-in one or your own; validated). */
  pack: PromptPack | PromptPackInput;
  /** Parse outcomes are booked here (calls are booked by {@link withAccounting}). */
  ledger?: UsageLedger;
  /** The `role` set on requests, for accounting and tracing. */
  roleName?: string;
  temperature?: number;
  maxTokens?: number;
  /** Extra template variables for every call (e.g. `goal`). */
  variables?: TemplateVariables;
  /** Send a `seed` drawn from `rng` with each request (for endpoints that honour it). */
  seedRequests?: boolean;
}

/** Shared plumbing of the LLM roles: pack validation, requests and parse accounting. */
export abstract class LlmRole {
  readonly pack: PromptPack;
  protected readonly model: ChatModel;
  protected readonly rng: Rng;
  protected readonly ledger: UsageLedger | undefined;
  protected readonly roleName: string;
  protected readonly variables: TemplateVariables;
  private readonly seedRequests: boolean;

  protected constructor(options: LlmRoleOptions, defaultRoleName: string) {
    this.pack = parsePromptPack(options.pack);
    this.model = options.model;
    this.rng = options.rng;
    this.ledger = options.ledger;
    this.roleName = options.roleName ?? defaultRoleName;
    this.variables = options.variables ?? {};
    this.seedRequests = options.seedRequests ?? false;
  }

  /** Sends one request with the role's name, turn and signal. */
  protected send(messages: ChatMessage[], parameters: Omit<ChatRequest, "messages" | "role" | "signal" | "turn">, options: RoleCallOptions = {}): Promise<ChatResponse> {
    const request: ChatRequest = { messages, ...parameters, role: this.roleName };
    if (options.signal) request.signal = options.signal;
    if (options.turn !== undefined) request.turn = options.turn;
    if (this.seedRequests && request.seed === undefined) request.seed = this.rng.int(2 ** 31);
    return this.model.complete(request);
  }

  /** Books `count` parsed outputs, `failures` of which took a fallback. */
  protected recordParse(count: number, failures: number, options: RoleCallOptions = {}): void {
    this.ledger?.recordParse(this.roleName, count, failures, options.turn);
  }
}
