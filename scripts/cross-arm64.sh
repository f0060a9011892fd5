#!/usr/bin/env bash
# Cross-builds the hw binaries for the kiosk (Raspberry Pi, linux/arm64).
# hw/pcsc uses cgo and libpcsclite, so this needs the aarch64 cross compiler
# and the arm64 libpcsclite headers; they are installed on first use (not by
# make test). Output: bin/linux-arm64/<binary>.
#   scripts/cross-arm64.sh            build every hw/cmd/* binary
#   scripts/cross-arm64.sh hwdiag     build the named ones
set -euo pipefail
cd "$(dirname "$0")/.."

CC_ARM64=aarch64-linux-gnu-gcc
PCDIR=/usr/lib/aarch64-linux-gnu/pkgconfig

sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_toolchain() {
  export DEBIAN_FRONTEND=noninteractive
  if ! command -v "$CC_ARM64" >/dev/null; then
    echo "cross-arm64: installing the aarch64 cross compiler"
    sudo_ apt-get install -y --no-install-recommends gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  fi
  if [ ! -f "$PCDIR/libpcsclite.pc" ]; then
    echo "cross-arm64: installing libpcsclite-dev:arm64"
    dpkg --print-foreign-architectures | grep -qx arm64 || {
      sudo_ dpkg --add-architecture arm64
      sudo_ apt-get update
    }
    sudo_ apt-get install -y --no-install-recommends libpcsclite-dev:arm64
  fi
}

install_toolchain
out=bin/linux-arm64
mkdir -p "$out"
if [ $# -gt 0 ]; then names=("$@"); else names=(); for d in hw/cmd/*/; do names+=("$(basename "$d")"); done; fi
for name in "${names[@]}"; do
  [ -d "hw/cmd/$name" ] || { echo "cross-arm64: no hw/cmd/$name" >&2; exit 1; }
  # Only binaries that read cards need cgo (libpcsclite); the others are
  # built static, so they run on any arm64 Linux whatever its glibc.
  cgo=0
  if (cd hw && go list -deps "./cmd/$name" | grep -qx github.com/ebfe/scard); then cgo=1; fi
  echo "cross-arm64: $name (cgo=$cgo)"
  (cd hw && CGO_ENABLED=$cgo GOOS=linux GOARCH=arm64 CC="$CC_ARM64" PKG_CONFIG_LIBDIR="$PCDIR" \
    go build -trimpath -o "../$out/$name" "./cmd/$name")
  file "$out/$name" 2>/dev/null || true
done
