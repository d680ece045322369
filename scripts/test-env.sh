#!/usr/bin/env bash
# `npm test` runs this first: it makes sure what the tests need is on this machine.
#   - Redis: when REDIS_URL is unset and nothing answers on 127.0.0.1:6379, a private redis-server
#     (no persistence, loopback only) is started from the PATH. redis-server must be on the PATH
#     in any case: tests start their own on free ports.
#   - Chromium for the browser tests (CHROMIUM_PATH, default /usr/bin/chromium).
# What is missing is installed from Debian's packages when running as root with apt-get (set
# PARLEY_INSTALL=no to forbid it); otherwise one line says the command to run, and the exit is 1.
set -euo pipefail
cd "$(dirname "$0")/.."

can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ "${PARLEY_INSTALL:-yes}" != no ]; }

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# need <command> <debian package> <what for>: installs the package or says how to, then fails
need() {
  if [ -x "$1" ] || command -v "$1" >/dev/null; then return 0; fi
  if can_install; then
    echo "test-env: installing $2 ($3)…"
    apt_install "$2"
    if [ -x "$1" ] || command -v "$1" >/dev/null; then return 0; fi
    echo "test-env: installed $2 but $1 is still missing" >&2
    exit 1
  fi
  echo "test-env: $1 is missing ($3): run 'sudo apt-get install -y $2'${4:-}, then npm test again" >&2
  exit 1
}

redis_answers() {
  node -e 'const s=require("net").connect(6379,"127.0.0.1");s.setTimeout(1500);s.on("connect",()=>s.write("PING\r\n"));s.on("data",d=>process.exit(String(d).startsWith("+PONG")?0:1));s.on("error",()=>process.exit(1));s.on("timeout",()=>process.exit(1));'
}

need redis-server redis-server "the tests start Redis servers of their own" " (or 'brew install redis')"
if [ -z "${REDIS_URL:-}" ] && ! redis_answers; then
  dir="$(mktemp -d "${TMPDIR:-/tmp}/parley-test-redis.XXXXXX")"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --dir "$dir" --save "" --appendonly no --logfile "$dir/redis.log"
  for _ in $(seq 1 50); do redis_answers && break; sleep 0.2; done
  redis_answers || { echo "test-env: started redis-server but it does not answer; see $dir/redis.log" >&2; exit 1; }
  echo "test-env: started a private redis-server on 127.0.0.1:6379 (files in $dir)"
fi

if ls test/browser/*.ts >/dev/null 2>&1; then
  if [ -n "${CHROMIUM_PATH:-}" ]; then
    [ -x "$CHROMIUM_PATH" ] || { echo "test-env: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable: fix it, or unset it to use Debian's chromium" >&2; exit 1; }
  else
    need /usr/bin/chromium chromium "the browser tests drive Debian's Chromium" " (or set CHROMIUM_PATH to a Chromium)"
  fi
fi
