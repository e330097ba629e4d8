#!/usr/bin/env bash
# Regenerates Examples/traffic/*.jsonl with `tandem generate-traffic` (deterministic: fixed seeds).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product tandem
tandem=.build/debug/tandem
mkdir -p Examples/traffic
"$tandem" generate-traffic Migrations/user-profile --operations 8000 --seed 11 --out Examples/traffic/user-profile.jsonl
"$tandem" generate-traffic Migrations/user-profile --operations 8000 --seed 12 --bug-rate 0.05 --legacy-rate 0.5 \
    --out Examples/traffic/user-profile-buggy-legacy-writer.jsonl
"$tandem" generate-traffic Migrations/orders --operations 8000 --seed 21 --out Examples/traffic/orders.jsonl
