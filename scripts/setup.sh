#!/usr/bin/env bash
# Installs, from Debian packages, what building, running and testing the
# project needs. Idempotent: it runs apt-get only when something is missing.
set -euo pipefail

pkgs=(
  pkg-config gcc libpcsclite-dev pcscd vsmartcard-vpcd pcsc-tools # card reader stack
  mosquitto mosquitto-clients                                     # external MQTT broker
  postgresql postgresql-client                                    # cloud database
  chromium                                                        # browser tests, kiosk screen
  python3-aiosmtpd                                                # a real SMTP server for tests
  openssl ca-certificates                                         # development CA
  socat                                                           # the demo's virtual card control sockets
  fonts-dejavu-core                                               # receipt and screenshot rendering
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v go >/dev/null || { echo "setup: Go 1.26 is required (https://go.dev/dl)"; exit 1; }
echo "setup: all packages present"
