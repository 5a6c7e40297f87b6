import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { manifestPath, modelNames, modelsDir } from "./index.js";

test("the built package holds every default model with its manifest, found through its own location", () => {
  const names = modelNames();
  assert.ok(names.includes("encoder"), `expected the encoder among ${JSON.stringify(names)} in ${modelsDir} (run pnpm build)`);
  for (const name of names) {
    assert.ok(existsSync(manifestPath(name)), `manifest of ${name}`);
    const manifest = JSON.parse(readFileSync(manifestPath(name), "utf8"));
    assert.equal(typeof manifest, "object");
  }
  assert.ok(modelsDir.startsWith(new URL(".", import.meta.url).pathname));
});
