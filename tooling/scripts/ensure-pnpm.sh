#!/usr/bin/env bash
# Makes the pnpm pinned in package.json's "packageManager" available on PATH — the caller's PATH, so that the next
# command of `bash tooling/scripts/ensure-pnpm.sh && pnpm install …` finds it.
#
# Why not `corepack enable`: on machines whose registry access cannot verify pnpm's signature, corepack writes a
# `pnpm` shim into /usr/bin that then fails, and a later `npm install --global pnpm` stops with EEXIST on that shim.
# So we install the pinned pnpm with npm (the one tool every Node machine has), overwriting any broken shim with
# --force; where the global prefix is not writable we install into ~/.local. A script cannot change its caller's
# PATH: when ~/.local/bin is not on it, pnpm is linked into the first writable folder that is, else we stop with
# the line to run.
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "ensure-pnpm: $*" >&2; exit 1; }
want=$(node -p "require('./package.json').packageManager.split('@')[1].split('+')[0]")
# The pnpm the caller's PATH finds is the pinned one (bounded: a broken shim must not hang CI).
have() { command -v pnpm >/dev/null 2>&1 && [ "$(COREPACK_ENABLE_DOWNLOAD_PROMPT=0 timeout 120 pnpm --version 2>/dev/null)" = "$want" ]; }
npm_install() { timeout 600 npm install --global --force --no-fund --no-audit --loglevel=error "$@" "pnpm@$want"; }

if have; then exit 0; fi
if npm_install >/dev/null 2>&1 && hash -r && have; then
  echo "ensure-pnpm: installed pnpm $want with npm ($(command -v pnpm))"
  exit 0
fi

# Global prefix not writable (no root), or its bin folder is not first on PATH: a user-level install.
npm_install --prefix "$HOME/.local" >/dev/null || fail "could not install pnpm $want with npm (see npm's error above)"
installed="$HOME/.local/bin/pnpm"
[ -x "$installed" ] || fail "npm reported success but $installed is missing"
hash -r
if have; then
  echo "ensure-pnpm: installed pnpm $want into ~/.local/bin ($(command -v pnpm))"
  exit 0
fi
# ~/.local/bin is not on PATH: link pnpm into the first writable folder that is (replacing only a pnpm found there
# that PATH would run instead).
IFS=: read -r -a path_dirs <<<"$PATH"
for dir in "${path_dirs[@]}"; do
  [ -n "$dir" ] && [ -d "$dir" ] && [ -w "$dir" ] || continue
  if [ -e "$dir/pnpm" ] && [ "$dir/pnpm" != "$(command -v pnpm 2>/dev/null || true)" ]; then continue; fi
  ln -sf "$installed" "$dir/pnpm"
  hash -r
  if have; then
    echo "ensure-pnpm: installed pnpm $want into ~/.local/bin and linked it as $dir/pnpm"
    exit 0
  fi
  break
done
fail "installed pnpm $want into ~/.local/bin, but PATH finds $(command -v pnpm 2>/dev/null || echo 'no pnpm') first and no folder on PATH could take a link; run: export PATH=\"\$HOME/.local/bin:\$PATH\""
