#!/usr/bin/env bash
# `make soak SOAKTIME=10m`: a long load run (Mosquitto + PostgreSQL, 200
# kiosks, 200 activations/s offered) with cmsd killed (SIGKILL) and
# restarted halfway; fails unless every operation was acked and recorded
# exactly once. Needs the services of `make services` (.run/env).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
dur=${1:-10m}
case "$dur" in
  *h) secs=$(( ${dur%h} * 3600 )) ;;
  *m) secs=$(( ${dur%m} * 60 )) ;;
  *s) secs=${dur%s} ;;
  *) secs=$dur ;;
esac
[ "$secs" -ge 10 ] && [ "$secs" -le 14400 ] || { echo "soak: duration between 10s and 4h" >&2; exit 2; }
rate=${SOAK_RATE:-200}
kiosks=${SOAK_KIOSKS:-200}
ops=$(( rate * secs / kiosks ))
mkdir -p bin
(cd cloud && go build -o ../bin/cmsd ./cmd/cmsd && go build -o ../bin/loadgen ./cmd/loadgen)
echo "== soak: $secs s, $kiosks kiosks x $ops activations at $rate/s, cmsd killed after $(( secs / 2 )) s"
bin/loadgen -cmsd bin/cmsd -mode mosquitto -db postgres -kiosks "$kiosks" -ops "$ops" -rate "$rate" \
  -idle "${SOAK_IDLE:-500}" -raw 0 -kill-after "$(( secs / 2 ))s" -timeout "$(( secs + 300 ))s"
