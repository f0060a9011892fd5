#!/usr/bin/env bash
# Starts Mosquitto with the fleet configuration.
#   scripts/mosquitto/start.sh DIR [PORT]
# DIR holds ca.pem (fleet CA), server.pem and server-key.pem (broker
# certificate issued by the fleet CA) and crl.pem (bin/cmsctl devices crl
# -crl DIR/crl.pem); the ACL is copied there. Reload the CRL: kill -HUP PID.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(cd "${1:?usage: start.sh DIR [PORT]}" && pwd)
port=${2:-8883}
[ -f "$dir/crl.pem" ] || { echo "start.sh: $dir/crl.pem missing: bin/cmsctl devices crl -crl $dir/crl.pem" >&2; exit 1; }
cp "$here/acl" "$dir/acl"
sed -e "s#@DIR@#$dir#g" -e "s#@PORT@#$port#g" "$here/mosquitto.conf" >"$dir/mosquitto.conf"
[ "$(id -u)" -eq 0 ] && echo "user root" >>"$dir/mosquitto.conf"
exec "${CNS_TEST_MOSQUITTO:-mosquitto}" -c "$dir/mosquitto.conf"
