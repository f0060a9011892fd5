#!/usr/bin/env bash
# Runs every fuzz target of every module for the given time each.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-60s}
for m in shared hw firmware cloud; do
  (cd "$m" && for pkg in $(go list ./...); do
    for f in $(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true); do
      # A bounded minimisation: some targets (opauth's FuzzAuth verifies
      # signatures) would otherwise spend the whole budget minimising one
      # new input.
      echo "== $pkg $f ($t)"; go test -run '^$' -fuzz "^$f\$" -fuzztime "$t" -fuzzminimizetime 200x "$pkg"
    done
  done)
done
