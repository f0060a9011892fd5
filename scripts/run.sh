#!/usr/bin/env bash
# `make run`: the cloud on embedded defaults (mTLS broker on 127.0.0.1:8883,
# SQLite in .run/cmsd, console on 127.0.0.1:8080) with 1000 demo cards, a
# demo operator, a first admin account, the virtual receipt printer and the
# virtual cards (adult citizen in reader slot 0, the operator in slot 1).
# Safe to run again: every step checks what is already there.
# Stays in the foreground; Ctrl-C stops everything cleanly.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
data=.run/cmsd
mkdir -p "$data" bin .run/receipts
chmod 700 .run "$data"

echo "== building cmsd, cmsctl, vprinter, vcard, hwdiag"
(cd cloud && go build -o ../bin/cmsd ./cmd/cmsd && go build -o ../bin/cmsctl ./cmd/cmsctl)
(cd hw && go build -o ../bin/vprinter ./cmd/vprinter && go build -o ../bin/vcard ./cmd/vcard &&
  go build -o ../bin/hwdiag ./cmd/hwdiag)

export CNS_DB="$data/cms.db" CNS_VAULT_KEY="$data/vault.key"
ctl=bin/cmsctl
[ -f "$CNS_VAULT_KEY" ] || $ctl key generate

if [ ! -f "$data/demo-imported" ]; then
  echo "== importing 1000 demo cards"
  $ctl demo-data 1000 | $ctl cards import - && touch "$data/demo-imported"
fi

# Operator cards: the development operator CA (scripts/devca.sh) issues the
# demo operator's card certificate; cmsd trusts that CA for OPAUTH.
opca=()
if [ -x scripts/devca.sh ]; then scripts/devca.sh >/dev/null; fi
if [ -f .run/pki/operator-ca.crt ]; then
  opca=(--operator-ca .run/pki/operator-ca.crt)
else
  echo "!! no .run/pki/operator-ca.crt (scripts/devca.sh): operator sign-in at a kiosk will be refused"
fi
# The demo operator is the one of the shipped operator card profile.
opcf=$(sed -n 's/.*"cf": *"\([A-Z0-9]\{16\}\)".*/\1/p' hw/profiles/operator.json | head -1)
$ctl operators add -name "Operatore Demo" -role supervisor "$opcf" >/dev/null
echo "== demo operator $opcf registered (all procedures, all counters)"

pwfile="$data/admin-password"
if ! $ctl accounts list | grep -q '^admin '; then
  (umask 077; head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$pwfile")
  $ctl accounts add -role admin -name "Amministratore" -password-stdin admin <"$pwfile" >/dev/null
fi

pids=()
cleanup() {
  trap - INT TERM EXIT
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

bin/vprinter -addr 127.0.0.1:9100 -dir .run/receipts -stdin=false &
pids+=($!)
# Virtual cards on the vpcd readers of pcscd (scripts/services.sh), keys and
# certificates from scripts/devca.sh; each is driven through its socket.
vcards=()
if pgrep -x pcscd >/dev/null 2>&1; then
  rm -f .run/vcard-citizen.sock .run/vcard-operator.sock
  bin/vcard -profile hw/profiles/adult.json -pki .run/pki -slot 0 -insert -control .run/vcard-citizen.sock </dev/null &
  pids+=($!)
  bin/vcard -profile hw/profiles/operator.json -pki .run/pki -slot 1 -insert -control .run/vcard-operator.sock </dev/null &
  pids+=($!)
  vcards=(citizen operator)
else
  echo "!! pcscd is not running (make services): no virtual cards"
fi
bin/cmsd --data "$data" --dev-spool "${opca[@]}" &
cmsd=$!
pids+=("$cmsd")

for _ in $(seq 100); do
  curl -fs http://127.0.0.1:8080/healthz >/dev/null 2>&1 && break
  kill -0 "$cmsd" 2>/dev/null || { echo "cmsd exited; see the log above"; exit 1; }
  sleep 0.1
done
cat <<MSG

== ready
   console:  http://127.0.0.1:8080   user: admin   password: $(cat "$pwfile" 2>/dev/null || echo "(set earlier; see $pwfile)")
   broker:   tls://127.0.0.1:8883 (mTLS). Provision a kiosk with:
             bin/cmsctl -db $CNS_DB devices provision -ca-dir $data/pki -out .run/kiosk-01 kiosk-01
   printer:  virtual ESC/POS printer on 127.0.0.1:9100, receipts in .run/receipts
   cards:    ${vcards[*]:-none}: adult citizen in "Virtual PCD 00 00", operator in "Virtual PCD 00 01"
             read:   bin/hwdiag card -citizen "00 00" -operator "00 01" -slot citizen   (or -slot operator)
             remove: echo remove | socat - UNIX-CONNECT:.run/vcard-citizen.sock
             insert: echo insert | socat - UNIX-CONNECT:.run/vcard-citizen.sock
             other:  echo "profile hw/profiles/minor.json" | socat - UNIX-CONNECT:.run/vcard-citizen.sock
   e-mail and SMS to citizens are written to $data/outbox (development spool)
   The kiosk firmware joins in the next milestone.
   Ctrl-C stops everything.

MSG
wait "$cmsd"
