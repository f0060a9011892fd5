#!/usr/bin/env bash
# Starts the services the tests need, when they are not already running, and
# writes their addresses to .run/env (sourced by the Makefile):
#   - PostgreSQL: uses 127.0.0.1:5432 if it answers, else starts a private
#     cluster on port 55432 under .run/pg; CNS_BENCH_PG_URL is the same
#     server through its Unix socket when this user may connect there;
#   - pcscd with the vpcd virtual reader driver (one per machine).
# Mosquitto, the SMTP server and Chromium are started by the tests themselves,
# each with its own configuration and port.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
run="$top/.run"
mkdir -p "$run"
env_file="$run/env"
: >"$env_file"

pg_ok() { pg_isready -q -h 127.0.0.1 -p "$1" 2>/dev/null; }

# --- PostgreSQL ---------------------------------------------------------
pg_url=""
pg_sock_url="" # the same server through its Unix socket, when this user may use it
# CNS_PG_PRIVATE=1 uses the private cluster even when a server answers on 5432.
if [ "${CNS_PG_PRIVATE:-0}" != 1 ] && pg_ok 5432 && psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; then
  pg_url="postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
  sock="postgres://postgres@/postgres?host=/var/run/postgresql&port=5432"
else
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  pgdata="$run/pg"
  if ! pg_ok 55432; then
    if [ ! -s "$pgdata/PG_VERSION" ]; then
      rm -rf "$pgdata"; mkdir -p "$pgdata"
      if [ "$(id -u)" -eq 0 ]; then chown postgres "$pgdata"; as="runuser -u postgres --"; else as=""; fi
      $as "$pgbin/initdb" -D "$pgdata" -U postgres -A trust >/dev/null
    fi
    as=""; [ "$(id -u)" -eq 0 ] && as="runuser -u postgres --"
    $as "$pgbin/pg_ctl" -D "$pgdata" -o "-p 55432 -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" -l "$pgdata/log" -w start >/dev/null
  fi
  pg_url="postgres://postgres@127.0.0.1:55432/postgres?sslmode=disable"
  sock="postgres://postgres@/postgres?host=/tmp&port=55432"
fi
echo "export CNS_TEST_PG_URL='$pg_url'" >>"$env_file"
# The benchmarks run cmsd beside the database, which then reaches it through
# its Unix socket, as a co-located deployment should (docs/cloud.md). Where
# the server's rules refuse this user on the socket (Debian's default "peer"
# for postgres), they stay on TCP.
if psql "$sock" -Atc 'select 1' >/dev/null 2>&1; then pg_sock_url=$sock; fi
echo "export CNS_BENCH_PG_URL='${pg_sock_url:-$pg_url}'" >>"$env_file"

# --- pcscd + vpcd -------------------------------------------------------
if ! pgrep -x pcscd >/dev/null; then
  nohup pcscd -f >"$run/pcscd.log" 2>&1 &
  echo $! >"$run/pcscd.pid"
fi
for _ in $(seq 1 50); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.1; done
[ -S /run/pcscd/pcscd.comm ] || { echo "services: pcscd did not start (see $run/pcscd.log)"; exit 1; }
echo "export CNS_TEST_PCSCD=1" >>"$env_file"

for b in mosquitto chromium; do
  p=$(command -v "$b" || true)
  [ -n "$p" ] || { echo "services: $b is missing: run scripts/setup.sh"; exit 1; }
  echo "export CNS_TEST_$(echo "$b" | tr a-z A-Z | tr -d 0-9)='$p'" >>"$env_file"
done
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import aiosmtpd" || { echo "services: python3-aiosmtpd is missing: run scripts/setup.sh"; exit 1; }
echo "export CNS_TEST_PYTHON=/usr/bin/python3" >>"$env_file"
echo "services: ready ($env_file)"
