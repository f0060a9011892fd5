#!/usr/bin/env bash
# Checks the dependency direction of architecture.md:
#   shared -> standard library (+ ULID); hw -> shared; firmware -> hw, shared;
#   cloud -> shared; firmware and cloud never import each other.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
deps() { (cd "$1" && go list -deps ./... 2>/dev/null | grep '^cnskiosk.dev/' | cut -d/ -f2 | sort -u); }
check() { # module, allowed module list
  local m=$1; shift
  for d in $(deps "$m"); do
    [[ " $m $* " == *" $d "* ]] || { echo "deps: $m must not import cnskiosk.dev/$d"; fail=1; }
  done
}
check shared
check hw shared
check firmware hw shared
check cloud shared
ext=$(cd shared && go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' ./... | grep -v '^cnskiosk.dev/shared' | grep -v '^github.com/oklog/ulid' || true)
[ -z "$ext" ] || { echo "deps: shared imports outside the standard library: $ext"; fail=1; }
[ $fail -eq 0 ] && echo "deps: module dependency direction ok"
exit $fail
