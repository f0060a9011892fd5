#!/usr/bin/env bash
# Starts Mosquitto with the fleet configuration.
#   scripts/mosquitto/start.sh DIR [PORT]
# DIR holds ca.pem (fleet CA), server.pem and server-key.pem (broker
# certificate issued by the fleet CA) and crl.pem (bin/cmsctl devices crl
# -crl DIR/crl.pem); the ACL is written there. CMSD_INSTANCES lists the
# certificate CNs of the cmsd instances (default cmsd-$(hostname)), each
# allowed on every device topic. Reload the CRL: kill -HUP PID.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(cd "${1:?usage: start.sh DIR [PORT]}" && pwd)
port=${2:-8883}
instances=${CMSD_INSTANCES:-cmsd-$(hostname | tr '[:upper:]' '[:lower:]')}
[ -f "$dir/crl.pem" ] || { echo "start.sh: $dir/crl.pem missing: bin/cmsctl devices crl -crl $dir/crl.pem" >&2; exit 1; }
blocks=""
for i in $instances; do
	case $i in cmsd-*) ;; *) echo "start.sh: instance $i: CN must start with cmsd-" >&2; exit 1 ;; esac
	blocks+="user $i\ntopic readwrite cms/v1/dev/#\n"
done
awk -v b="$blocks" '/^# @CLOUD_INSTANCES@$/ { printf "%s", b; next } { print }' "$here/acl" >"$dir/acl"
sed -e "s#@DIR@#$dir#g" -e "s#@PORT@#$port#g" "$here/mosquitto.conf" >"$dir/mosquitto.conf"
[ "$(id -u)" -eq 0 ] && echo "user root" >>"$dir/mosquitto.conf"
exec "${CNS_TEST_MOSQUITTO:-mosquitto}" -c "$dir/mosquitto.conf"
