#!/usr/bin/env bash
# `npm test`: set-up (Node 22, dependencies, HAProxy), then typecheck, lint and every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
portico_setup
npx tsc --noEmit
npx biome check .
exec npx vitest run "$@"
