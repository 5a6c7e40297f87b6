#!/usr/bin/env bash
# Headless Chromium for browser tests, from Debian's chromium package (nothing downloads a browser of its own).
#
#   tooling/scripts/chromium.sh install   install chromium (apt-get) when it is missing, print its executable's path
#   tooling/scripts/chromium.sh path      print the executable's path, or fail when it is not installed
#
# Fails loudly (exit 1, one line on stderr) when chromium is missing and cannot be installed.
set -euo pipefail

die() { echo "chromium.sh: $*" >&2; exit 1; }

find_chromium() {
  local candidate
  for candidate in chromium chromium-browser; do
    command -v "$candidate" >/dev/null 2>&1 && { command -v "$candidate"; return 0; }
  done
  return 1
}

install_chromium() {
  find_chromium >/dev/null && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "chromium is not installed and installing it needs root (apt-get install -y chromium)"
    sudo="sudo -n"
  fi
  command -v apt-get >/dev/null 2>&1 || die "chromium is not installed and this machine has no apt-get; install Chromium yourself"
  echo "chromium.sh: installing chromium with apt-get" >&2
  if ! { $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
    die "apt-get install -y chromium failed"
  fi
  find_chromium >/dev/null || die "chromium still missing after apt-get install"
}

case "${1:-}" in
  install) install_chromium && find_chromium ;;
  path) find_chromium || die "chromium is not installed (run tooling/scripts/chromium.sh install)" ;;
  *) die "usage: chromium.sh install | path" ;;
esac
