#!/usr/bin/env bash
# Renders the demo's HTML report headless and saves the screenshot shown in the README (Examples/demo-report.png).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
swift build --product tandem
out=$(mktemp -d)
.build/debug/tandem demo --out "$out" >/dev/null || true
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,2400 \
    --screenshot=Examples/demo-report.png "file://$out/report.html"
