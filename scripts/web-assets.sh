#!/usr/bin/env bash
# Installs bootstrap-italia (the Italian public administration design
# system, BSD-3-Clause, with Titillium Web under the SIL Open Font Licence)
# from npm into a build directory and copies the files the console needs
# into cloud/internal/web/assets/, which is committed: the console serves
# them embedded, never from a CDN. Run it again to upgrade.
set -euo pipefail
VERSION="${BOOTSTRAP_ITALIA_VERSION:-2.18.3}"
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/.run/web-assets"
dest="$root/cloud/internal/web/assets/bi"
mkdir -p "$build"
(cd "$build" && npm install --no-audit --no-fund --silent "bootstrap-italia@$VERSION")
dist="$build/node_modules/bootstrap-italia/dist"
rm -rf "$dest"
mkdir -p "$dest/css" "$dest/js" "$dest/svg" "$dest/fonts"
cp "$dist/css/bootstrap-italia.min.css" "$dest/css/"
cp "$dist/js/bootstrap-italia.bundle.min.js" "$dest/js/"
cp "$dist/svg/sprites.svg" "$dest/svg/"
# Titillium Web and Roboto Mono, woff2 only (every browser the console supports reads it).
(cd "$dist" && find fonts -name '*.woff2' | grep -Ei 'titillium|roboto-mono|roboto_mono' | while read -r f; do
	mkdir -p "$dest/$(dirname "$f")"; cp "$f" "$dest/$f"; done)
cp "$build/node_modules/bootstrap-italia/LICENSE" "$dest/LICENSE" 2>/dev/null || true
echo "bootstrap-italia $VERSION" > "$dest/VERSION"
du -sh "$dest"
