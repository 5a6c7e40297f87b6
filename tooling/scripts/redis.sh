#!/usr/bin/env bash
# A throw-away Redis for tests and local runs, from Debian's redis-server package.
#
#   tooling/scripts/redis.sh install      install redis-server (apt-get) when it is missing
#   tooling/scripts/redis.sh start        install if missing, start one on 127.0.0.1 on a free port with its own
#                                         temporary folder (no persistence), print its URL (redis://127.0.0.1:PORT)
#   tooling/scripts/redis.sh stop URL     stop the server started for that URL (or port) and delete its folder
#
# Fails loudly (exit 1, one line on stderr) when redis-server is missing and cannot be installed.
set -euo pipefail

die() { echo "redis.sh: $*" >&2; exit 1; }

state_dir() { echo "${TMPDIR:-/tmp}/foresight-redis-$1"; }

install_redis() {
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "redis-server is not installed and installing it needs root (apt-get install -y redis-server)"
    sudo="sudo -n"
  fi
  command -v apt-get >/dev/null 2>&1 || die "redis-server is not installed and this machine has no apt-get; install Redis 7 yourself"
  echo "redis.sh: installing redis-server with apt-get" >&2
  # The package's own service is not used (and cannot start without an init system); we start our own below.
  if ! { $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null; }; then
    die "apt-get install -y redis-server failed"
  fi
  command -v redis-server >/dev/null 2>&1 || die "redis-server still missing after apt-get install"
}

free_port() {
  node -e 'const s = require("node:net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

start_redis() {
  install_redis
  local port dir
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    dir=$(state_dir "$port")
    rm -rf "$dir" && mkdir -p "$dir"
    if redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null 2>&1; then
      for _ in $(seq 1 50); do
        if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = "PONG" ]; then
          echo "redis://127.0.0.1:$port"
          return 0
        fi
        sleep 0.1
      done
    fi
    # Lost a race for the port, or it did not come up: clean up and try another port.
    [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    rm -rf "$dir"
  done
  die "could not start redis-server on 127.0.0.1 (see its log under ${TMPDIR:-/tmp}/foresight-redis-*)"
}

stop_redis() {
  local target=${1:-}
  [ -n "$target" ] || die "stop needs the URL or port printed by start"
  local port=${target##*:}
  port=${port%%/*}
  [[ "$port" =~ ^[0-9]+$ ]] || die "stop: cannot read a port from \"$target\""
  local dir
  dir=$(state_dir "$port")
  [ -d "$dir" ] || die "stop: no Redis started by this script on port $port"
  redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
  if [ -f "$dir/redis.pid" ]; then
    local pid
    pid=$(cat "$dir/redis.pid")
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  install) install_redis ;;
  start) start_redis ;;
  stop) stop_redis "${2:-}" ;;
  *) die "usage: redis.sh install | start | stop URL" ;;
esac
