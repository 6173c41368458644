#!/usr/bin/env bash
# Renders a formulary's drug list to one HTML file and takes a PNG screenshot
# of it in headless Chromium, to check by eye how the document looks.
#
# Usage: scripts/screenshot.sh [FORMULARY] [OUT.png] [--as-of DATE]
#   FORMULARY  default formularies/acme/acme.formulary
#   OUT.png    default docs/images/drug-list.png
# Needs Chromium (Debian: apt-get install chromium); set CHROMIUM to use
# another binary. Not run by the tests: CI has no browser.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
formulary=${1:-formularies/acme/acme.formulary}
out=${2:-docs/images/drug-list.png}
shift $(( $# < 2 ? $# : 2 ))

chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
if [ -z "$chromium" ]; then
  echo "error: no Chromium found; install it or set CHROMIUM" >&2
  exit 1
fi

cd "$root"
case "$out" in /*) ;; *) out="$root/$out" ;; esac
mkdir -p "$(dirname "$out")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cargo run -q -- render "$formulary" --format html --out "$tmp/drug-list.html" "$@"

# A fresh profile, and no network or background services: the page is
# self-contained, so nothing needs fetching.
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
  --disable-background-networking --disable-component-update --disable-sync \
  --no-first-run --user-data-dir="$(mktemp -d -p "$tmp")" \
  --screenshot="$out" --window-size=1200,1600 \
  "file://$tmp/drug-list.html"
echo "wrote $out"
