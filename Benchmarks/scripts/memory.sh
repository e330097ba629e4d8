#!/usr/bin/env bash
# Peak RSS and throughput of `tandem replay` and `tandem verify` on 1M records (DESIGN section 8: under 150 MB,
# flat with input size). Measured with GNU time (`apt-get install -y time`).
#
#     Benchmarks/scripts/memory.sh [OPERATIONS]     (default 1000000)
#
# 1. `tandem generate-traffic --operations N` (the CLI's mix: 45% reads, 3% deletes, 1,500 keys), replayed.
# 2. N writes with N distinct keys (tandem-bench-traffic), replayed: N records in each store;
#    then `tandem verify` over those N records.
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=${1:-1000000}
mkdir -p "$WORK"
ensure_binaries
[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install -y time"; exit 1; }
DIR="$WORK/memory-$N"
rm -rf "$DIR" && mkdir -p "$DIR"

# measure NAME UNITS COUNT -- command...: prints peak RSS (MB), wall time, and COUNT/s.
measure() {
    local name=$1 units=$2 count=$3; shift 4
    # Replay exits 4 (inconclusive) on writes-only traffic: nothing to compare. Any other failure stops the script.
    /usr/bin/time -v -o "$DIR/$name.time" "$@" || true
    local status
    status=$(awk -F': ' '/Exit status/ {print $2}' "$DIR/$name.time")
    if [ "$status" != 0 ] && [ "$status" != 4 ]; then echo "$name: exit $status"; cat "$DIR/$name.time"; exit 1; fi
    local rss_kb wall
    rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$DIR/$name.time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$DIR/$name.time" \
        | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    printf '%-28s peak RSS %6.1f MB  wall %7.2f s  %9d %s/s\n' "$name" "$(python3 -c "print($rss_kb / 1024)")" \
        "$wall" "$(python3 -c "print(int($count / $wall))")" "$units"
}

echo "== traffic files"
"$TANDEM" generate-traffic "$PLAN" --operations "$N" --seed 1 --out "$DIR/mixed.jsonl"
"$TRAFFIC_TOOL" "$PLAN" "$N" "$DIR/writes.jsonl" 1
MIXED_LINES=$(wc -l <"$DIR/mixed.jsonl")
WRITE_LINES=$(wc -l <"$DIR/writes.jsonl")
echo "mixed.jsonl: $MIXED_LINES lines ($(du -m "$DIR/mixed.jsonl" | cut -f1) MB); writes.jsonl: $WRITE_LINES lines ($(du -m "$DIR/writes.jsonl" | cut -f1) MB)"

echo "== runs"
measure "replay (mixed traffic)" lines "$MIXED_LINES" -- "$TANDEM" replay "$PLAN" --traffic "$DIR/mixed.jsonl" \
    --primary "$DIR/mixed-p.sqlite" --shadow "$DIR/mixed-s.sqlite" --ledger "$DIR/mixed-ledger.sqlite" --quiet
measure "replay (1 key per line)" lines "$WRITE_LINES" -- "$TANDEM" replay "$PLAN" --traffic "$DIR/writes.jsonl" \
    --primary "$DIR/p.sqlite" --shadow "$DIR/s.sqlite" --ledger "$DIR/ledger.sqlite" --quiet
KEYS=$(records "$DIR/p.sqlite")
echo "records after the writes-only replay: $KEYS"
measure "verify ($KEYS records)" keys "$KEYS" -- "$TANDEM" verify "$PLAN" --primary "$DIR/p.sqlite" \
    --shadow "$DIR/s.sqlite" --ledger "$DIR/ledger.sqlite" --quiet
echo "(target: peak RSS < 150 MB for each)"
