// The factories' `llm` option: the chat model given, none for null (offline roles even with an endpoint in the
// environment), the environment's endpoint when absent.
import { ScriptedChatModel } from "@foresight/llm-sim/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { plannerFactory } from "./registry.js";
import { factoryChatModel } from "./types.js";

// An endpoint nothing listens on: a planner that asked it would fail or degrade.
const unreachable = { FORESIGHT_LLM_BASE_URL: "http://127.0.0.1:9/v1", FORESIGHT_LLM_MODEL: "from-env" };
const stubEndpoint = () => Object.entries(unreachable).forEach(([name, value]) => vi.stubEnv(name, value));

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("PlannerFactory.create's llm option", () => {
  it("resolves to the given model, to none for null, and to the environment's endpoint when absent", () => {
    stubEndpoint();
    const chat = new ScriptedChatModel();
    expect(factoryChatModel(chat)).toBe(chat);
    expect(factoryChatModel(null)).toBeUndefined();
    expect(factoryChatModel(undefined)?.id).toBe("from-env");
    vi.unstubAllEnvs();
    vi.stubEnv("FORESIGHT_LLM_BASE_URL", "");
    expect(factoryChatModel(undefined)).toBeUndefined();
  });

  it("has a ChatSOP baseline ask the given model, and plan offline for null whatever the environment says", async () => {
    stubEndpoint();
    const factory = plannerFactory("cot-sop");
    const conversation = await factory.heldOutConversation!({ seed: 1 });
    const chat = new ScriptedChatModel({ respond: () => "I am not sure." });
    const asked = await (await factory.create({ llm: chat })).plan(conversation, { seed: 1 });
    expect(chat.requests).toHaveLength(1);
    expect(asked.stats.counters).toEqual({ unparsed: 1 });
    const offline = await (await factory.create({ llm: null })).plan(conversation, { seed: 1 });
    expect(offline.degraded).toBeUndefined();
    expect(offline.act).toBeTruthy();
    expect(chat.requests).toHaveLength(1);
  });

  it("refuses GDP-Zero's llm backend without a chat model, naming what to set", async () => {
    stubEndpoint();
    await expect(plannerFactory("gdpzero").create({ settings: { backend: "llm" }, llm: null })).rejects.toThrow(/backend llm needs a chat model: set FORESIGHT_LLM_BASE_URL/);
    const planner = await plannerFactory("gdpzero").create({ settings: { backend: "llm" }, llm: new ScriptedChatModel() });
    expect(planner.name).toBe("gdpzero");
  });
});
