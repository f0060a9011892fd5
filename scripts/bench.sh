#!/usr/bin/env bash
# Runs every benchmark that docs/benchmarks.md reports, one after the other
# (never in parallel: the figures would pollute each other), and keeps each
# output under .run/bench/. Each benchmark measures its baseline in the same run.
#   scripts/bench.sh          all of them (about 25 minutes)
#   scripts/bench.sh cms web  only the named ones
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
source .run/env
out=.run/bench
mkdir -p "$out"

run() { # name, module dir, command...
  local name=$1 dir=$2; shift 2
  echo "== $name: (cd $dir && $*)"
  if ! (cd "$dir" && "$@") 2>&1 | tee "$out/$name.txt"; then
    echo "!! $name FAILED (output in $out/$name.txt)"; failed+=("$name")
  fi
}
failed=()

declare -A benches=(
  [shared]="shared|go test -run ^$ -bench . -benchmem -count=3 ./cf ./team ./wire ./belfiore"
  [card-read]="hw|go test -run ^$ -bench BenchmarkCardRead -benchtime=300x -count=1 ./pcsc"
  [card-insert]="hw|go test -run ^$ -bench BenchmarkInsertToParsed -benchtime=120x -count=1 ./pcsc"
  [printer]="hw|go test -run ^$ -bench . -benchmem -count=1 ./receipt ./vprinter"
  [payment]="hw|go test -run ^$ -bench . -benchmem -count=3 ./coin"
  [cms]="cloud|go test -run ^$ -bench Activation -benchtime 3000x -count=3 ./internal/cms"
  [import]="cloud|go test -run ^$ -bench Import|BaselineInsert -benchtime 1x -count=1 ./internal/cardimport"
  [web]="cloud|go test -run ^$ -bench BenchmarkConsole|BenchmarkSMSThroughput|BenchmarkNotifications -benchtime 200x -count=1 ./internal/web ./internal/notify"
)
order=(shared card-read card-insert printer payment cms import web cloud)
[ $# -gt 0 ] && order=("$@")

for name in "${order[@]}"; do
  if [ "$name" = cloud ]; then
    mkdir -p bin && (cd cloud && go build -o ../bin/ ./cmd/loadgen ./cmd/cmsd ./cmd/cmsctl)
    # closed loop (throughput), then open loop (latency at an offered rate), each run ~8 s
    # cmsd beside PostgreSQL reaches it through its Unix socket when it may
    # (CNS_BENCH_PG_URL, scripts/services.sh); the last run is the 5,000 ops/s
    # load over loopback TCP, for comparison
    pg=${CNS_BENCH_PG_URL:-$CNS_TEST_PG_URL}
    run cloud-mosquitto-pg . bin/loadgen -mode mosquitto -db postgres -pg "$pg" -kiosks 1000 -ops 30 -raw 20000
    for rate in 1000 2000 3000 4000 5000; do
      run "cloud-mosquitto-pg-rate$rate" . bin/loadgen -mode mosquitto -db postgres -pg "$pg" \
        -kiosks 1000 -ops $((rate * 8 / 1000)) -raw 0 -rate "$rate"
    done
    run cloud-mosquitto-pg-tcp-rate5000 . bin/loadgen -mode mosquitto -db postgres -pg "$CNS_TEST_PG_URL" \
      -kiosks 1000 -ops 40 -raw 0 -rate 5000
    run cloud-embedded-sqlite . bin/loadgen -mode embedded -kiosks 1000 -ops 10 -raw 20000
    run cloud-memory . bin/loadgen -kiosks 100 -ops 10 -idle 5000 -raw 0
    continue
  fi
  spec=${benches[$name]:?unknown benchmark $name}
  dir=${spec%%|*}; cmd=${spec#*|}
  # shellcheck disable=SC2086
  run "$name" "$dir" $cmd
done
if [ ${#failed[@]} -gt 0 ]; then echo "failed: ${failed[*]}"; exit 1; fi
echo "outputs in $out/; the figures and their baselines are tabled in docs/benchmarks.md"
