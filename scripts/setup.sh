#!/usr/bin/env bash
# Sourced by the npm scripts (`npm test`, `npm start`): puts what a fresh machine lacks in place, so
# each README command does its own set-up.
#   - Node.js 22 (the Lambda runtime's; middy 7 and @google-cloud/compute 7 need it): an older node
#     gets Node 22 from the npm registry into .tools/, used for this run only (PATH).
#   - npm dependencies: `npm ci` when node_modules is missing or older than package-lock.json.
#   - HAProxy (the local gateway and the tests drive a real one): apt-get when it is missing.

PORTICO_NODE_VERSION=22.23.5

portico_setup_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  [ "$major" -ge 22 ] && return 0
  local os arch pkg dir
  os=$(uname -s | tr '[:upper:]' '[:lower:]')
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  pkg="node-${os}-${arch}"
  dir="$PWD/.tools/node-$PORTICO_NODE_VERSION"
  if [ ! -x "$dir/node_modules/$pkg/bin/node" ]; then
    echo "Node.js $(node --version 2>/dev/null || echo '(none)') is older than 22: fetching $pkg@$PORTICO_NODE_VERSION from the npm registry into .tools/ ..."
    mkdir -p "$dir"
    npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$dir" "$pkg@$PORTICO_NODE_VERSION" >/dev/null
  fi
  export PATH="$dir/node_modules/$pkg/bin:$PATH"
  echo "using Node.js $(node --version) from .tools/"
}

portico_setup_dependencies() {
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "installing dependencies (npm ci)..."
    npm ci --no-audit --no-fund
  fi
}

portico_setup_haproxy() {
  if command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ]; then return 0; fi
  echo "HAProxy is not installed; installing it with apt-get..."
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
  elif command -v sudo >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
    sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
  else
    echo "Portico's local gateway and its tests need HAProxy 2.6 or newer. Install it (Debian/Ubuntu: apt-get install -y haproxy) and run the command again." >&2
    return 1
  fi
}

# Everything the README's commands need, in order.
portico_setup() {
  portico_setup_node
  portico_setup_dependencies
  portico_setup_haproxy
}
