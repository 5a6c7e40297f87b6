// Copies the committed default models (the repository's models/ folder, where `foresight train all` writes them)
// into this package, so a published @foresight/models carries them. Run by `pnpm build`; the copy is not committed.
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, "..", "..", "models");
const target = join(here, "models");
if (!existsSync(join(source, "encoder.json"))) {
  console.error(`@foresight/models: no models at ${source}; train them with \`pnpm foresight train all --seed 1\``);
  process.exit(1);
}
// Copy into a temporary folder and swap it in, so an interrupted build never leaves a half-copied package.
const staging = `${target}.tmp-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
let count = 0;
for (const name of readdirSync(source)) {
  if (!/\.(onnx|json|md)$/.test(name)) continue;
  copyFileSync(join(source, name), join(staging, name));
  count++;
}
rmSync(target, { recursive: true, force: true });
renameSync(staging, target);
console.log(`@foresight/models: ${count} files from models/`);
