import type { ChatModel, ChatRequest, ChatResponse } from "../chat.js";
import { ChatModelError } from "../errors.js";

/**
 * Splits a request for `n` choices into calls of at most `maxChoices` each, sent concurrently, for endpoints
 * that ignore or cap `n` (use 1 for Ollama and llama.cpp server). Choices keep their order; usage is summed.
 */
export function withMaxChoices(model: ChatModel, maxChoices: number): ChatModel {
  if (!Number.isInteger(maxChoices) || maxChoices < 1) throw new RangeError(`maxChoices must be a positive integer, got ${maxChoices}`);
  return {
    id: model.id,
    async complete(request: ChatRequest): Promise<ChatResponse> {
      const n = request.n ?? 1;
      if (n <= maxChoices) return model.complete(request);
      const sizes: number[] = [];
      for (let left = n; left > 0; left -= maxChoices) sizes.push(Math.min(left, maxChoices));
      const parts = await Promise.all(sizes.map((size) => model.complete({ ...request, n: size })));
      const choices = parts.flatMap((part) => part.choices);
      if (choices.length < n) throw new ChatModelError("malformed-response", `model ${model.id} returned ${choices.length} choices for n=${n}`);
      const response: ChatResponse = {
        model: parts[0]?.model ?? model.id,
        choices,
        usage: {
          promptTokens: parts.reduce((sum, part) => sum + part.usage.promptTokens, 0),
          completionTokens: parts.reduce((sum, part) => sum + part.usage.completionTokens, 0),
        },
      };
      if (parts.every((part) => part.cached)) response.cached = true;
      return response;
    },
  };
}
