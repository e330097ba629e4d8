#!/usr/bin/env bash
# Full verify against sqlite3 comparing the same two tables' payload bytes with a join (DESIGN section 8:
# verify >= 0.2x sqlite3's speed, aim 0.33x). Same machine, same run, same files, warm page cache for both.
#
#     Benchmarks/scripts/verify-vs-sqlite.sh [RECORDS]     (default 200000)
#
# The stores come from a replay of generated traffic (writes only, ~RECORDS distinct keys, 30% of them with a
# legacy v1 payload, 20% given as JSON): what `tandem replay` leaves behind. Timing uses hyperfine when present
# (`apt-get install -y hyperfine`), else `date +%s.%N` around 5 runs each.
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=${1:-200000}
RUNS=${RUNS:-5}
mkdir -p "$WORK"
ensure_binaries
DIR="$WORK/verify-$N"
rm -rf "$DIR" && mkdir -p "$DIR"
P="$DIR/primary.sqlite" S="$DIR/shadow.sqlite"

replay_writes "$N" "$P" "$S" "$DIR"
KEYS=$(records "$P")
echo "records: primary $KEYS, shadow $(records "$S"); replay took ${replay_s}s"

VERIFY="$TANDEM verify $PLAN --primary $P --shadow $S --ledger $DIR/ledger.sqlite --quiet"
JOIN="sqlite3 $P \"ATTACH '$S' AS s; SELECT count(*) FROM tandem_records p JOIN s.tandem_records t USING(key) WHERE p.payload != t.payload;\""
echo "sqlite3 join counts $(eval "$JOIN") differing payloads (v2 and v1 bytes always differ: every row is compared)"
$VERIFY || { echo "tandem verify failed (exit $?)"; exit 1; }

verify_ratio "$KEYS" "sqlite3 join" "$VERIFY" "$JOIN" ">= 0.2x, aim 0.33x"
