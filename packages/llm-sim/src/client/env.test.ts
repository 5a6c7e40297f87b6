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
    expect(model?.client.baseURL).toBe("http://127.0.0.1:8000/v1");
    expect(model?.client.apiKey).toBe("secret");
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
      },
      "m",
    );
    expect(response.choices).toEqual([
      { text: "first", finishReason: "unknown" },
      { text: "", finishReason: "tool_calls" },
    ]);
    expect(response.usage).toEqual({ promptTokens: 0, completionTokens: 0 });
  });

  it("names the offending field of a malformed body", () => {
    expect(() => parseCompletionBody({ choices: "nope" }, "m")).toThrow(/field choices/);
    expect(() => parseCompletionBody("<html>busy</html>", "m")).toThrow(/body starts "<html>busy/);
  });
});
