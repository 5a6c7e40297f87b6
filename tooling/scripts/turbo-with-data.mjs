#!/usr/bin/env node
// Runs turbo with FORESIGHT_DATA_FINGERPRINT set to a hash of the shared data folder, so a cached test result is
// reused only while the corpora it read are unchanged (turbo cannot hash files outside the repository itself).
// Usage: node tooling/scripts/turbo-with-data.mjs run test typecheck lint
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dataDir = resolve(process.env.FORESIGHT_DATA_DIR || join(root, "..", "shared", "data"));

/** Every file under `dir`, sorted, so the hash does not depend on directory order. */
function files(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : []));
}

const hash = createHash("sha256");
if (existsSync(dataDir)) {
  for (const file of files(dataDir)) hash.update(`${relative(dataDir, file)}\0`).update(readFileSync(file));
} else {
  hash.update("absent"); // tests then fail loudly, and that result is cached only for an absent folder
}
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", FORESIGHT_DATA_FINGERPRINT: hash.digest("hex") };
const local = join(root, "node_modules", ".bin", "turbo");
const result = spawnSync(existsSync(local) ? local : "turbo", process.argv.slice(2), { stdio: "inherit", env, cwd: root, shell: process.platform === "win32" });
if (result.error) {
  process.stderr.write(`turbo-with-data: could not run turbo: ${result.error.message}\n`);
  process.exit(1);
}
process.exit(result.status ?? 1);
