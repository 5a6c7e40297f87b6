#!/usr/bin/env bash
# Release flow end to end against a real private registry (Verdaccio on 127.0.0.1, throw-away storage):
# changeset version → changeset publish of every package → a fresh npm project outside the workspace installs
# @foresight/planners, @foresight/mcts-core and @foresight/cli by name and version and runs them on the embedded
# defaults. Nothing in this checkout changes: the release runs in a copy under a temp folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=${FORESIGHT_DATA_DIR:-$root/../shared/data}
tmp=$(mktemp -d /tmp/foresight-release.XXXXXX)
pid=""
# Stops Verdaccio (forced after 10 s) and deletes the temp folder, however the script ends.
cleanup() {
  if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
step() { echo "release-test: $*"; }
fail() { echo "release-test: $*" >&2; exit 1; }

mkdir -p "$tmp/registry"
cp "$root/tooling/release/verdaccio.yaml" "$tmp/registry/config.yaml"
step "starting Verdaccio"
node "$root/tooling/release/verdaccio-server.mjs" "$tmp/registry/config.yaml" > "$tmp/registry/log" 2>&1 &
pid=$!
port=""
for _ in $(seq 1 300); do # up to 60 s
  port=$(sed -n 's/^listening \([0-9][0-9]*\)$/\1/p' "$tmp/registry/log")
  if [ -n "$port" ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 0.2
done
[ -n "$port" ] || { cat "$tmp/registry/log" >&2; fail "Verdaccio did not start within 60 s"; }
registry="http://127.0.0.1:$port/"
node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(10_000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$registry-/ping" ||
  { cat "$tmp/registry/log" >&2; fail "Verdaccio on $registry does not answer /-/ping"; }
step "Verdaccio on $registry"

step "copying the built workspace"
mkdir -p "$tmp/repo"
# The checkout's files as git sees them (tracked, and untracked ones it does not ignore), less tracked files deleted
# in the working tree; any copy that fails stops the test.
(cd "$root" && git ls-files -z --cached --others --exclude-standard --deduplicate |
  while IFS= read -r -d '' f; do if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi; done |
  xargs -0 -r cp -P --parents -t "$tmp/repo/") || fail "copying the checkout into $tmp/repo failed"
(cd "$root" && for d in packages/*/dist apps/*/dist packages/models/models; do if [ -d "$d" ]; then mkdir -p "$tmp/repo/$d" && cp -r "$d/." "$tmp/repo/$d/"; fi; done) ||
  fail "copying the build outputs into $tmp/repo failed"
cd "$tmp/repo"
git init -q && git add -A && git -c user.email=ci@example.invalid -c user.name=ci commit -qm release-test
pnpm install --frozen-lockfile --prefer-offline --reporter=silent

step "changeset version"
pnpm changeset version >/dev/null
version=$(node -p 'require("./packages/planners/package.json").version')
for p in packages/*/ apps/*/; do
  name=$(node -p "require('./$p/package.json').name")
  [ -f "$p/CHANGELOG.md" ] || { echo "release-test: $name has no CHANGELOG.md after changeset version" >&2; exit 1; }
done
step "publishing version $version"
printf '//127.0.0.1:%s/:_authToken=release-test\nregistry=%s\n' "$port" "$registry" > .npmrc
npm_config_registry="$registry" pnpm changeset publish > "$tmp/publish.log" 2>&1 || { cat "$tmp/publish.log"; exit 1; }
grep -c "published" "$tmp/publish.log" | xargs -I{} echo "release-test: changeset publish reported {} lines with 'published'"

step "installing into an empty project"
mkdir -p "$tmp/consumer" && cd "$tmp/consumer"
printf '{"name":"consumer","private":true,"type":"module"}\n' > package.json
printf 'registry=%s\n' "$registry" > .npmrc
# --registry explicitly: under `pnpm run`, npm_config_registry in the environment would override the .npmrc.
ONNXRUNTIME_NODE_INSTALL=skip npm install --registry "$registry" --no-audit --no-fund --loglevel=error \
  "@foresight/planners@$version" "@foresight/mcts-core@$version" "@foresight/cli@$version" > "$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; exit 1; }
cp "$root/tooling/release/consumer-check.mjs" .
env -u FORESIGHT_MODELS_DIR node consumer-check.mjs
step "plan scope through the published binary"
env -u FORESIGHT_MODELS_DIR FORESIGHT_DATA_DIR="$data" ./node_modules/.bin/foresight plan scope --seed 1 --iterations 200 --json > plan.json
node -e 'const d=JSON.parse(require("fs").readFileSync("plan.json","utf8")).decision; if(!d.reply&&!d.act) throw new Error("no decision"); console.log("release-test: foresight plan scope chose: "+(d.reply??d.act).slice(0,80))'
step "ok"
