import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The folder holding the default models (`<name>.onnx` with its `<name>.json` manifest), inside this package. */
export const modelsDir = fileURLToPath(new URL("./models/", import.meta.url));

/** The manifest path of a default model, e.g. `manifestPath("encoder")`. */
export function manifestPath(name) {
  return fileURLToPath(new URL(`./models/${name}.json`, import.meta.url));
}

/** The names of the default models this package holds (empty before the package is built). */
export function modelNames() {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir)
    .filter((file) => file.endsWith(".onnx"))
    .map((file) => file.slice(0, -".onnx".length))
    .sort();
}
