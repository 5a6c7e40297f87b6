import { describe, expect, it } from "vitest";
import { LlmConfigError } from "../errors.js";
import { MISSING_ENDPOINT_MESSAGE, chatModelFromEnv, requireChatModelFromEnv } from "./env.js";
import { OpenAIChatModel, parseCompletionBody } from "./openai.js";

describe("configuration from the environment", () => {
  it("is undefined when no base URL is set, and explains what to set when required", () => {
    expect(chatModelFromEnv({})).toBeUndefined();
    expect(() => requireChatModelFromEnv({})).toThrow(LlmConfigError);
    expect(() => requireChatModelFromEnv({})).toThrow(MISSING_ENDPOINT_MESSAGE);
    expect(MISSING_ENDPOINT_MESSAGE).toMatch(/^this needs an LLM endpoint: set FORESIGHT_LLM_BASE_URL/);
  });

  it("builds a model from the three variables", () => {
    const model = chatModelFromEnv({ FORESIGHT_LLM_BASE_URL: "http://127.0.0.1:8000/v1", FORESIGHT_LLM_MODEL: "qwen", FORESIGHT_LLM_API_KEY: "secret" });
    expect(model).toBeInstanceOf(OpenAIChatModel);
    expect(model?.id).toBe("qwen");
    expect(model?.baseURL).toBe("http://127.0.0.1:8000/v1");
    expect(JSON.stringify(model)).not.toContain("secret");
  });

  it("rejects a base URL without a model, and an invalid URL", () => {
    expect(() => chatModelFromEnv({ FORESIGHT_LLM_BASE_URL: "http://x/v1" })).toThrow(/FORESIGHT_LLM_MODEL is not/);
    expect(() => chatModelFromEnv({ FORESIGHT_LLM_BASE_URL: "not a url", FORESIGHT_LLM_MODEL: "m" })).toThrow(/not a valid URL/);
  });
});

describe("parseCompletionBody", () => {
  it("orders choices by index and maps finish reasons", () => {
    const response = parseCompletionBody(
      {
        choices: [
          { index: 1, finish_reason: "function_call", message: { content: null } },
          { index: 0, finish_reason: "weird", message: { content: "first" } },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 2 },
      },
      "m",
    );
    expect(response.choices).toEqual([
      { text: "first", finishReason: "unknown" },
      { text: "", finishReason: "tool_calls" },
    ]);
    expect(response.usage).toEqual({ promptTokens: 5, completionTokens: 2 });
  });

  it("names the offending field of a malformed body", () => {
    expect(() => parseCompletionBody({ choices: "nope" }, "m")).toThrow(/field choices/);
    expect(() => parseCompletionBody("<html>busy</html>", "m")).toThrow(/body starts "<html>busy/);
  });

  it("says what it received when choices, content or usage are wrong", () => {
    const usage = { prompt_tokens: 1, completion_tokens: 1 };
    const choice = (content: string | null) => ({ index: 0, finish_reason: "stop", message: { content } });
    expect(() => parseCompletionBody({ choices: [], usage }, "m", 15)).toThrow(/from m: no choices \(choices: \[\]\) for n=15/);
    expect(() => parseCompletionBody({ choices: [choice("a")], usage }, "m", 15)).toThrow(/1 choices for n=15/);
    expect(() => parseCompletionBody({ choices: [choice(null)], usage }, "m", 1)).toThrow(/choice 0 has content null \(finish_reason stop\)/);
    expect(() => parseCompletionBody({ choices: [choice("a")] }, "m", 1)).toThrow(/no usage/);
    expect(() => parseCompletionBody({ choices: [choice("a")], usage: { prompt_tokens: -3, completion_tokens: 1 } }, "m", 1)).toThrow(/usage\.prompt_tokens is -3/);
    expect(parseCompletionBody({ choices: [choice("a")], usage }, "m", 1).choices).toEqual([{ text: "a", finishReason: "stop" }]);
  });
});
