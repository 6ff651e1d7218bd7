#!/usr/bin/env bash
# `npm start`: sets up what a fresh machine lacks (Node 22, dependencies, HAProxy), then runs
# `portico dev` on examples/quickstart with its demo backends. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
portico_setup
exec node --import tsx cli/portico.ts dev --manifests examples/quickstart --demo-backends "$@"
