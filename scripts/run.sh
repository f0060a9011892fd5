#!/usr/bin/env bash
# `make run`: cmsd on embedded defaults (mTLS broker on 127.0.0.1:8883,
# SQLite in .run/cmsd, console on 127.0.0.1:8080) with demo cards and a
# first admin account. The kiosk joins later (cmsctl devices provision).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
data=.run/cmsd
mkdir -p "$data" bin
(cd cloud && go build -o ../bin/cmsd ./cmd/cmsd && go build -o ../bin/cmsctl ./cmd/cmsctl)
export CNS_DB="$data/cms.db" CNS_VAULT_KEY="$data/vault.key"
[ -f "$CNS_VAULT_KEY" ] || bin/cmsctl key generate
if [ ! -f "$data/demo-imported" ]; then
  bin/cmsctl demo-data 200 >"$data/demo-cards.csv"
  bin/cmsctl cards import "$data/demo-cards.csv" && touch "$data/demo-imported"
fi
if [ ! -f "$data/admin-created" ]; then
  echo "== first console account (user admin); keep the password printed below"
  bin/cmsctl accounts add -role admin admin && touch "$data/admin-created"
fi
opca=()
[ -f .run/pki/operator-ca.pem ] && opca=(--operator-ca .run/pki/operator-ca.pem)
echo "== console: http://127.0.0.1:8080  (sign in as admin)"
echo "== broker:  tls://127.0.0.1:8883 (mTLS; provision a kiosk with: bin/cmsctl devices provision -out .run/kiosk-01 kiosk-01)"
exec bin/cmsd --data "$data" "${opca[@]}"
