import { LlmConfigError } from "../errors.js";
import { OpenAIChatModel, type OpenAIChatModelOptions } from "./openai.js";

/** The environment variables that configure the LLM endpoint. */
export const LLM_ENV = {
  baseURL: "FORESIGHT_LLM_BASE_URL",
  apiKey: "FORESIGHT_LLM_API_KEY",
  model: "FORESIGHT_LLM_MODEL",
  /** "1" when the endpoint accepts `top_k` and `repetition_penalty` (vLLM, TGI, llama.cpp). */
  extendedSampling: "FORESIGHT_LLM_EXTENDED_SAMPLING",
} as const;

/** The message shown when a command needs an LLM endpoint and none is configured. */
export const MISSING_ENDPOINT_MESSAGE =
  "this needs an LLM endpoint: set FORESIGHT_LLM_BASE_URL (e.g. http://127.0.0.1:8000/v1), FORESIGHT_LLM_MODEL and, if the endpoint needs one, FORESIGHT_LLM_API_KEY";

/**
 * An {@link OpenAIChatModel} configured from `FORESIGHT_LLM_BASE_URL`, `FORESIGHT_LLM_API_KEY`,
 * `FORESIGHT_LLM_MODEL` and `FORESIGHT_LLM_EXTENDED_SAMPLING`; undefined when no base URL is set. A base URL without a model is an error.
 */
export function chatModelFromEnv(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<OpenAIChatModelOptions> = {},
): OpenAIChatModel | undefined {
  const baseURL = env[LLM_ENV.baseURL]?.trim();
  if (!baseURL) return undefined;
  const model = overrides.model ?? env[LLM_ENV.model]?.trim();
  if (!model) throw new LlmConfigError(`${LLM_ENV.baseURL} is set but ${LLM_ENV.model} is not: name the model the endpoint serves`);
  const apiKey = overrides.apiKey ?? env[LLM_ENV.apiKey]?.trim();
  const extendedSampling = overrides.extendedSampling ?? env[LLM_ENV.extendedSampling]?.trim() === "1";
  return new OpenAIChatModel({ ...overrides, baseURL, model, apiKey: apiKey || undefined, extendedSampling });
}

/** Like {@link chatModelFromEnv} but throws an {@link LlmConfigError} explaining what to set when nothing is configured. */
export function requireChatModelFromEnv(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<OpenAIChatModelOptions> = {},
): OpenAIChatModel {
  const model = chatModelFromEnv(env, overrides);
  if (!model) throw new LlmConfigError(MISSING_ENDPOINT_MESSAGE);
  return model;
}
