#!/usr/bin/env bash
# Starts Mosquitto with the fleet configuration.
#   scripts/mosquitto/start.sh DIR [PORT]
# DIR holds ca.pem (fleet CA), server.pem and server-key.pem (broker
# certificate issued by the fleet CA); the ACL is copied there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(cd "${1:?usage: start.sh DIR [PORT]}" && pwd)
port=${2:-8883}
cp "$here/acl" "$dir/acl"
sed -e "s#@DIR@#$dir#g" -e "s#@PORT@#$port#g" "$here/mosquitto.conf" >"$dir/mosquitto.conf"
[ "$(id -u)" -eq 0 ] && echo "user root" >>"$dir/mosquitto.conf"
exec "${CNS_TEST_MOSQUITTO:-mosquitto}" -c "$dir/mosquitto.conf"
