#!/usr/bin/env bash
# Full verify of PostgreSQL tables against psql running the same byte-compare join on the same server (issue target:
# verify >= 0.2x psql's speed). Same machine, same run, same tables, warm buffers for both.
#
#     TANDEM_PG_URL=postgres://USER@HOST:PORT/DB Benchmarks/scripts/verify-vs-psql.sh [RECORDS]   (default 100000)
#
# The tables (bench_verify_v2 and bench_verify_v1, dropped first) come from a replay of generated traffic (writes
# only, ~RECORDS distinct keys, 30% of them with a legacy v1 payload, 20% given as JSON): what `tandem replay` leaves
# behind. Timing uses hyperfine when present (`apt-get install -y hyperfine`), else `date +%s.%N` around 5 runs each.
set -euo pipefail
source "$(dirname "$0")/common.sh"
N=${1:-100000}
RUNS=${RUNS:-5}
: "${TANDEM_PG_URL:?set TANDEM_PG_URL to a server (postgres://USER@HOST:PORT/DB), as .ci/run does}"
SERVER=${TANDEM_PG_URL%%\?*}
SEP=$([[ "$TANDEM_PG_URL" == *\?* ]] && echo "&" || echo "?")
P="$TANDEM_PG_URL${SEP}table=bench_verify_v2"
S="$TANDEM_PG_URL${SEP}table=bench_verify_v1"
mkdir -p "$WORK"
ensure_binaries
DIR="$WORK/verify-psql-$N"
rm -rf "$DIR" && mkdir -p "$DIR"
PSQL=(psql -qAt -v ON_ERROR_STOP=1 "$SERVER")
"${PSQL[@]}" -c "DROP TABLE IF EXISTS bench_verify_v2, bench_verify_v1" \
    -c "DO \$\$ BEGIN IF to_regclass('tandem_keys') IS NOT NULL THEN DELETE FROM tandem_keys WHERE table_name IN ('bench_verify_v2', 'bench_verify_v1'); END IF; END \$\$"

replay_writes "$N" "$P" "$S" "$DIR"
"${PSQL[@]}" -c "VACUUM ANALYZE bench_verify_v2" -c "VACUUM ANALYZE bench_verify_v1"
KEYS=$("${PSQL[@]}" -c "SELECT count(*) FROM bench_verify_v2")
echo "records: primary $KEYS, shadow $("${PSQL[@]}" -c "SELECT count(*) FROM bench_verify_v1"); replay took ${replay_s}s"

VERIFY="$TANDEM verify $PLAN --primary '$P' --shadow '$S' --ledger $DIR/ledger.sqlite --quiet"
JOIN="psql -qAt $SERVER -c 'SELECT count(*) FROM bench_verify_v2 p JOIN bench_verify_v1 t USING (key) WHERE p.payload <> t.payload'"
echo "psql join counts $(eval "$JOIN") differing payloads (v2 and v1 bytes always differ: every row is compared)"
eval "$VERIFY" || { echo "tandem verify failed (exit $?)"; exit 1; }

verify_ratio "$KEYS" "psql join" "$VERIFY" "$JOIN" ">= 0.2x"
