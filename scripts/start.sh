#!/usr/bin/env bash
# `npm start`: sets up what a fresh machine lacks, then runs `portico dev` on examples/quickstart with
# its demo backends. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ]; then
  echo "installing dependencies (npm ci)..."
  npm ci --no-audit --no-fund
fi

if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  echo "HAProxy is not installed; installing it with apt-get..."
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy
  elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy
  else
    echo "Portico's local gateway needs HAProxy 2.6 or newer. Install it (Debian/Ubuntu: apt-get install -y haproxy) and run npm start again." >&2
    exit 1
  fi
fi

exec node --import tsx cli/portico.ts dev --manifests examples/quickstart --demo-backends "$@"
