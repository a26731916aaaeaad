#!/usr/bin/env bash
# The whole test suite, the one command README and .ci/run call:
# install dependencies, build, lint, start the lab of real peers, prove them with their own
# clients, then run unit, property, fuzz and interop tests against them in one node --test run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "dependencies"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

step "build"
npm run --silent build

step "lint"
npm run --silent lint

step "lab: install the real peers (Debian packages)"
bash scripts/lab/install.sh

step "lab: start"
LAB_STATE=$(bash scripts/lab/up.sh | tail -n 1)
export LAB_STATE
cleanup() { bash scripts/lab/down.sh "$LAB_STATE" >/dev/null 2>&1 || true; }
trap cleanup EXIT

step "lab: prove each peer with its own native client"
bash scripts/lab/check.sh "$LAB_STATE"

step "tests (unit, property, fuzz, interop)"
node --test --test-reporter=spec \
  dist/test/unit dist/test/fuzz dist/test/interop

step "load: spnego serve under 200 concurrent clients (alone, after the rest)"
node --test --test-reporter=spec dist/test/load
