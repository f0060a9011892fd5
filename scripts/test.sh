#!/usr/bin/env bash
# Runs every test of every module with the race detector, against the
# services of scripts/services.sh (.run/env), keeping test artifacts (browser
# screenshots) under .run/test-artifacts/<module>. Ends with one summary line
# counting the packages that passed and failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
source .run/env
log=.run/test.log
: >"$log"
status=0
for m in ${MODULES:-shared hw firmware cloud}; do
  echo "== $m"
  mkdir -p ".run/test-artifacts/$m"
  (cd "$m" && go test -race -count=1 -timeout 12m -artifacts -outputdir "$top/.run/test-artifacts/$m" ./...) 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
echo "test artifacts (browser screenshots): .run/test-artifacts/"
passed=$(grep -c '^ok ' "$log")
failed=$(grep -cE '^FAIL[[:space:]]+cnskiosk' "$log")
echo "packages: $passed passed, $failed failed"
exit $status
