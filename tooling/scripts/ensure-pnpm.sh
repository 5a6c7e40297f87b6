#!/usr/bin/env bash
# Makes the pnpm pinned in package.json's "packageManager" available on PATH.
#
# Why not `corepack enable`: on machines whose registry access cannot verify pnpm's signature, corepack writes a
# `pnpm` shim into /usr/bin that then fails, and a later `npm install --global pnpm` stops with EEXIST on that shim.
# So we install the pinned pnpm with npm (the one tool every Node machine has), overwriting any broken shim with
# --force; where the global prefix is not writable we install into ~/.local and say how to put it on PATH.
set -euo pipefail
cd "$(dirname "$0")/../.."
want=$(node -p "require('./package.json').packageManager.split('@')[1].split('+')[0]")
have() { command -v pnpm >/dev/null 2>&1 && [ "$(COREPACK_ENABLE_DOWNLOAD_PROMPT=0 pnpm --version 2>/dev/null)" = "$want" ]; }
if have; then exit 0; fi
if npm install --global --force --no-fund --no-audit --loglevel=error "pnpm@$want" >/dev/null 2>&1 && hash -r && have; then
  echo "ensure-pnpm: installed pnpm $want with npm ($(command -v pnpm))"
  exit 0
fi
# Global prefix not writable (no root): a user-level install.
npm install --global --force --no-fund --no-audit --loglevel=error --prefix "$HOME/.local" "pnpm@$want" >/dev/null
export PATH="$HOME/.local/bin:$PATH"
if have; then
  echo "ensure-pnpm: installed pnpm $want into ~/.local/bin; add it to PATH: export PATH=\"\$HOME/.local/bin:\$PATH\"" >&2
  exit 0
fi
echo "ensure-pnpm: could not install pnpm $want with npm; install it yourself (npm install -g pnpm@$want)" >&2
exit 1
