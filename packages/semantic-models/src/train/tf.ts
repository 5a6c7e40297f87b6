import * as tf from "@tensorflow/tfjs-core";
// The umbrella package registers the gradient functions (tfjs-core's bundle ships the ops without them).
import "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";

// Silences the console advertisement for the native backend, which cannot be installed offline.
tf.env().set("PROD", true);

export { tf };

/** Backends TensorFlow.js may train on. */
export type TfBackendName = "wasm" | "cpu";

let wasmAvailable: Promise<boolean> | undefined;

async function activate(name: TfBackendName): Promise<boolean> {
  if (tf.getBackend() === name) return true;
  const ok = await tf.setBackend(name);
  if (ok) await tf.ready();
  return ok;
}

/**
 * Makes WASM (SIMD, about 3× the pure-JS CPU backend for dense layers here) the active TensorFlow.js backend, or
 * the CPU backend when WASM cannot initialise; returns the backend in use. `prefer: "cpu"` selects the CPU backend,
 * which implements sparse-gradient kernels (UnsortedSegmentSum) that the WASM backend lacks.
 */
export async function ensureTfBackend(prefer: TfBackendName = "wasm", log: (message: string) => void = () => {}): Promise<TfBackendName> {
  if (prefer === "wasm") {
    wasmAvailable ??= activate("wasm").catch((error: unknown) => {
      log(`[semantic-models] tfjs wasm backend unavailable (${(error as Error).message}); training on the cpu backend`);
      return false;
    });
    if ((await wasmAvailable) && (await activate("wasm"))) return "wasm";
  }
  if (!(await activate("cpu"))) throw new Error("no TensorFlow.js backend could be initialised");
  return "cpu";
}
