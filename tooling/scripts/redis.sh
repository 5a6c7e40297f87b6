#!/usr/bin/env bash
# A throw-away Redis for tests and local runs, from Debian's redis-server package.
#
#   tooling/scripts/redis.sh install      install redis-server (apt-get) when it is missing
#   tooling/scripts/redis.sh start        install if missing, start one on 127.0.0.1 on a free port with its own
#                                         temporary folder (no persistence), print its URL (redis://127.0.0.1:PORT)
#   tooling/scripts/redis.sh stop URL     stop the server started for that URL (or port) and delete its folder
#
# The server never outlives the process that asked for it (the caller of `start`, or FORESIGHT_REDIS_OWNER_PID): a
# watcher stops it and deletes its folder once that process is gone, so a killed test run leaves no Redis behind.
# It is only ever one this script started (never a system Redis on 6379), and every wait is bounded (a hung server
# cannot hang the caller). Fails loudly (exit 1, one line on stderr) when it cannot.
set -euo pipefail

die() { echo "redis.sh: $*" >&2; exit 1; }

state_dir() { echo "${TMPDIR:-/tmp}/foresight-redis-$1"; }

# redis-cli, bounded: 3 s, then killed.
cli() {
  local port=$1
  shift
  timeout -k 1 3 redis-cli -h 127.0.0.1 -p "$port" "$@" 2>/dev/null
}

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
  if ! { timeout 900 $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive timeout 900 $sudo apt-get install -y -qq redis-server >/dev/null; }; then
    die "apt-get install -y redis-server failed (or took over 15 minutes)"
  fi
  command -v redis-server >/dev/null 2>&1 || die "redis-server still missing after apt-get install"
}

free_port() {
  node -e 'const s = require("node:net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Runs in the background: the server as its child, stopped and its folder deleted when the owner process is gone or
# on `stop` (SIGTERM). A server that exits by itself (it lost its port, or crashed) leaves its folder and log behind.
watch_redis() {
  set +e
  local port=$1 dir=$2 owner=$3 server
  echo "$BASHPID" >"$dir/watcher.pid"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no --logfile "$dir/redis.log" </dev/null >/dev/null 2>&1 &
  server=$!
  echo "$server" >"$dir/redis.pid"
  trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$dir"' EXIT
  trap 'exit 0' TERM INT HUP
  while kill -0 "$owner" 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 0.5; done
  kill -0 "$server" 2>/dev/null || trap - EXIT
}

# Waits (at most 15 s) until the server of `dir` answers on `port` — itself, not another process that took the port.
await_redis() {
  local port=$1 dir=$2 watcher=$3 server="" id
  for _ in $(seq 1 150); do
    [ -n "$server" ] || server=$(cat "$dir/redis.pid" 2>/dev/null || true)
    if [ -n "$server" ]; then
      kill -0 "$server" 2>/dev/null || return 1
      id=$(cli "$port" info server | tr -d '\r' | sed -n 's/^process_id://p') || id=""
      [ "$id" = "$server" ] && return 0
    elif ! kill -0 "$watcher" 2>/dev/null; then
      return 1
    fi
    sleep 0.1
  done
  return 1
}

# True when process `pid` runs a command containing `word` (a pid file can outlive its process, and the number be
# reused by another one, which must not be killed).
runs() {
  local pid=$1 word=$2 args
  [ -n "$pid" ] || return 1
  if [ -r "/proc/$pid/cmdline" ]; then args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1; else args=$(ps -o args= -p "$pid" 2>/dev/null) || return 1; fi
  [[ "$args" == *"$word"* ]]
}

# Stops the watcher of `dir` (which stops its server and deletes the folder); forces both after 10 s.
stop_dir() {
  local dir=$1 watcher server
  watcher=$(cat "$dir/watcher.pid" 2>/dev/null || true)
  server=$(cat "$dir/redis.pid" 2>/dev/null || true)
  if runs "$watcher" redis.sh && kill "$watcher" 2>/dev/null; then
    for _ in $(seq 1 100); do [ -d "$dir" ] || return 0; sleep 0.1; done
    kill -9 "$watcher" 2>/dev/null || true
  fi
  if runs "$server" redis-server; then kill -9 "$server" 2>/dev/null || true; fi
  rm -rf "$dir"
}

start_redis() {
  install_redis
  local owner=${FORESIGHT_REDIS_OWNER_PID:-$PPID}
  kill -0 "$owner" 2>/dev/null || die "start: the owner process $owner is not running"
  local port dir watcher log=""
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    dir=$(state_dir "$port")
    # A folder for this port is left from a crashed run (its server is gone, as the port is free): reclaim it.
    rm -rf "$dir"
    mkdir -p "$dir"
    watch_redis "$port" "$dir" "$owner" </dev/null >/dev/null 2>&1 &
    watcher=$!
    if await_redis "$port" "$dir" "$watcher"; then
      echo "redis://127.0.0.1:$port"
      return 0
    fi
    # Lost a race for the port, or it did not come up: clean up and try another port.
    log=$(tail -n 3 "$dir/redis.log" 2>/dev/null | tr '\n' ' ' || true)
    stop_dir "$dir"
  done
  die "could not start redis-server on 127.0.0.1 in 5 tries${log:+ (its log ends: $log)}"
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
  stop_dir "$dir"
}

case "${1:-}" in
  install) install_redis ;;
  start) start_redis ;;
  stop) stop_redis "${2:-}" ;;
  *) die "usage: redis.sh install | start | stop URL" ;;
esac
