// A worker process of `foresight bench --jobs N` (started by processPoolExecutor): loads the suites, plays the
// episodes it is sent one at a time and sends back their records; in live mode its LLM calls go to the parent.
import { ChatModelError, type ChatErrorKind, type ChatModel, type ChatResponse } from "@foresight/llm-sim";
import type { EpisodeContext, Suite } from "../suites/types.js";
import { episodeKey } from "./episodes.js";
import { serializeError, type FromWorker, type SerializedError, type ToWorker } from "./pool.js";
import { runEpisode } from "./run-suite.js";

const send = (message: FromWorker) => process.send?.(message);
let suites: readonly Suite[] = [];
let dataDir: string | undefined;
let llmId: string | undefined;
let nextCall = 0;
const calls = new Map<number, { resolve: (response: ChatResponse) => void; reject: (error: Error) => void }>();

function modelError(error: SerializedError): Error {
  if (!error.kind) return new Error(error.message);
  return new ChatModelError(error.kind as ChatErrorKind, error.message, { ...(error.status !== undefined ? { status: error.status } : {}), ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}) });
}

/** The episode's LLM: each call is answered by the parent through the episode's response-cache view. */
function parentModel(id: string, key: string): ChatModel {
  return {
    id,
    complete: ({ signal, ...request }) =>
      new Promise<ChatResponse>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason as Error);
        const call = nextCall++;
        calls.set(call, { resolve, reject });
        send({ type: "llm", call, key, request });
      }),
  };
}

process.on("message", (message: ToWorker) => {
  if (message.type === "init") {
    dataDir = message.dataDir;
    llmId = message.llm;
    import(message.suitesModule).then(
      (module: Record<string, unknown>) => {
        suites = module[message.exportName] as Suite[];
        if (!Array.isArray(suites)) throw new Error(`${message.suitesModule} has no Suite[] export "${message.exportName}"`);
        send({ type: "ready" });
      },
      (error: unknown) => send({ type: "failed", key: "", error: serializeError(error) }),
    );
  } else if (message.type === "run") {
    const { spec } = message;
    const key = episodeKey(spec);
    const suite = suites.find((s) => s.name === spec.suite);
    const context: EpisodeContext = { ...(dataDir !== undefined ? { dataDir } : {}), ...(llmId ? { llm: parentModel(llmId, key) } : {}) };
    (suite ? runEpisode(suite, spec, context) : Promise.reject(new Error(`bench worker does not know suite "${spec.suite}"`))).then(
      (record) => send({ type: "record", record }),
      (error: unknown) => send({ type: "failed", key, error: serializeError(error) }),
    );
  } else if (message.type === "llm-answer") {
    const pending = calls.get(message.call);
    calls.delete(message.call);
    if (message.error) pending?.reject(modelError(message.error));
    else pending?.resolve(message.response as ChatResponse);
  }
});
process.on("disconnect", () => process.exit(0));
// Ctrl-C reaches the whole process group: the parent decides (it stops and ends its workers, dropping episodes in flight).
process.on("SIGINT", () => undefined);
