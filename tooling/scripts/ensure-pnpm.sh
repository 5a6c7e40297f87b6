#!/usr/bin/env bash
# Makes the pnpm pinned in package.json's "packageManager" available (corepack first, npm as fallback).
set -euo pipefail
cd "$(dirname "$0")/../.."
want=$(node -p "require('./package.json').packageManager.split('@')[1]")
if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$want" ]; then exit 0; fi
if command -v corepack >/dev/null 2>&1 && corepack enable >/dev/null 2>&1 && [ "$(COREPACK_ENABLE_DOWNLOAD_PROMPT=0 pnpm --version 2>/dev/null)" = "$want" ]; then exit 0; fi
npm install --global "pnpm@$want" >/dev/null
pnpm --version
