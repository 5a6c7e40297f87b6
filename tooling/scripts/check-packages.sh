#!/usr/bin/env bash
# publint and @arethetypeswrong/cli on the tarball of every published package (what a user installs).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/foresight-pack.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
for dir in "$root"/packages/*/ "$root"/apps/*/; do
  name=$(node -p "require('$dir/package.json').name")
  (cd "$dir" && pnpm pack --pack-destination "$tmp" >/dev/null 2>&1) || { echo "check-packages: pnpm pack failed for $name" >&2; fail=1; continue; }
  tarball=$(ls -t "$tmp"/*.tgz | head -1)
  if tar -tzf "$tarball" | grep -qE '\.tsbuildinfo$|\.test\.(js|ts|d\.ts)$|test-fixtures/'; then
    echo "check-packages: $name ships build or test files:" >&2; tar -tzf "$tarball" | grep -E '\.tsbuildinfo$|\.test\.|test-fixtures/' | head >&2; fail=1
  fi
  "$root/node_modules/.bin/publint" run "$tarball" --strict >"$tmp/publint.log" 2>&1 || { echo "check-packages: publint failed for $name" >&2; cat "$tmp/publint.log" >&2; fail=1; }
  "$root/node_modules/.bin/attw" "$tarball" --profile esm-only --format ascii >"$tmp/attw.log" 2>&1 || { echo "check-packages: attw failed for $name" >&2; cat "$tmp/attw.log" >&2; fail=1; }
  rm -f "$tarball"
  [ $fail -eq 0 ] && echo "check-packages: $name ok"
done
exit $fail
