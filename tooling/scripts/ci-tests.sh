#!/usr/bin/env bash
# The whole test run, after install and build: the services the tests need (Debian's redis-server for the bench
# queue and server sessions, chromium for the viewer test — installed when missing, started and stopped by the
# tests themselves), every package's tests + typecheck + lint, publint/attw on every tarball, and the release flow
# against a throw-away Verdaccio. Ends with one grand total line. `.ci/run` and the README call exactly this.
set -uo pipefail
cd "$(dirname "$0")/../.."
bash tooling/scripts/redis.sh install || exit 1
bash tooling/scripts/chromium.sh install >/dev/null || exit 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
pnpm test 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
extra=""
if bash tooling/scripts/check-packages.sh; then extra+=", packages ok"; else rc=1; extra+=", publint/attw FAILED"; fi
if bash tooling/scripts/release-test.sh; then extra+=", release ok"; else rc=1; extra+=", release test FAILED"; fi
echo
echo "tests: $(node tooling/scripts/test-totals.mjs "$log")$extra"
exit "$rc"
