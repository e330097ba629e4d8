#!/usr/bin/env bash
# Builds ProfileService, runs it on 127.0.0.1 with a bounded load (curl, loopback only), checks that the migration
# is healthy, restarts it with --inject-bug and checks that the breaker trips and reads fall back to legacy.
# Exits non-zero when an expectation fails. PAIRS (default 3000) sets the PUT/GET pairs of the healthy run.
# DEMO_POSTGRES=postgres://USER@HOST:PORT/DB runs it on that server's tables profiles_v2 and profiles_v1 (dropped
# first: use a throwaway database) instead of SQLite files.
set -euo pipefail
cd "$(dirname "$0")"

PAIRS=${PAIRS:-3000}
BUG_PAIRS=${BUG_PAIRS:-1500}
CONFIG=${CONFIG:-debug}
WORK=$(mktemp -d)
PID=""
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== build ($CONFIG)"
build_start=$(date +%s)
if [ -n "${TANDEM_BUILD_LOCK:-}" ]; then
    flock "$TANDEM_BUILD_LOCK" swift build -c "$CONFIG" > "$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; fail "build"; }
else
    swift build -c "$CONFIG" > "$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log"; fail "build"; }
fi
echo "built in $(( $(date +%s) - build_start ))s"
BIN="$(swift build -c "$CONFIG" --show-bin-path)/ProfileService"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
BASE="http://127.0.0.1:$PORT"

STORES=(--primary "$WORK/v2.sqlite" --shadow "$WORK/v1.sqlite")
if [ -n "${DEMO_POSTGRES:-}" ]; then
    STORES=(--postgres "$DEMO_POSTGRES")
    psql -q -v ON_ERROR_STOP=1 "${DEMO_POSTGRES%%\?*}" -c "DROP TABLE IF EXISTS profiles_v2, profiles_v1" \
        -c "DO \$\$ BEGIN IF to_regclass('tandem_keys') IS NOT NULL THEN DELETE FROM tandem_keys WHERE table_name IN ('profiles_v2', 'profiles_v1'); END IF; END \$\$" \
        || fail "cannot reach $DEMO_POSTGRES"
    echo "== stores: PostgreSQL tables profiles_v2 and profiles_v1"
fi

start() {
    "$BIN" --plan ../../Migrations/user-profile "${STORES[@]}" \
        --port "$PORT" --stage live --log-level warning "$@" > "$WORK/service.log" 2>&1 &
    PID=$!
    for _ in $(seq 1 100); do
        curl -s -o /dev/null --max-time 1 "$BASE/tandem/status" && return 0
        kill -0 "$PID" 2>/dev/null || { cat "$WORK/service.log"; fail "the service exited"; }
        sleep 0.1
    done
    fail "the service did not answer within 10s"
}

stop() {
    kill -TERM "$PID"
    wait "$PID" || fail "the service did not stop cleanly"
    PID=""
}

# One curl process per batch: PUT then GET of the same key, keep-alive on loopback, bounded by --max-time.
load() {
    local from=$1 to=$2 config="$WORK/curl.cfg"
    : > "$config"
    for i in $(seq "$from" "$to"); do
        cat >> "$config" <<CFG
url = "$BASE/profiles/u$i"
request = "PUT"
header = "Content-Type: application/json"
data = "{\"profile\":{\"displayName\":\"User $i\",\"avatarUrl\":\"https://example.com/$i.png\"},\"createdAt\":\"2024-05-01T12:00:00.250Z\",\"status\":\"ACTIVE\",\"emailAddress\":\"u$i@example.com\",\"lastSeenMs\":\"$i\",\"labels\":[\"demo\",\"n$((i % 7))\"],\"locale\":\"en-GB\"}"
output = "/dev/null"
write-out = "%{http_code}\n"
max-time = 5
next
url = "$BASE/profiles/u$i"
output = "/dev/null"
write-out = "%{http_code}\n"
max-time = 5
next
CFG
    done
    sed -i '$d' "$config"  # no "next" after the last request
    timeout 300 curl -s -K "$config" > "$WORK/codes.txt" || fail "curl load failed"
    local ok
    ok=$(grep -c '^200$' "$WORK/codes.txt" || true)
    echo "requests: $(wc -l < "$WORK/codes.txt"), 200 OK: $ok"
    [ "$ok" -eq $(( 2 * (to - from + 1) )) ] || fail "not every request answered 200"
}

status_field() { python3 -c "import json,sys; d=json.load(open('$WORK/status.json')); print(eval(sys.argv[1]))" "$1"; }

settle() {
    # Comparisons run in the background; wait (bounded) until the queue has drained into the gate (or was skipped by
    # the comparator's CPU budget).
    local want=$1
    for _ in $(seq 1 100); do
        curl -s --max-time 2 "$BASE/tandem/status" > "$WORK/status.json"
        local seen
        seen=$(status_field \
            "d['totals']['compared'] + d['totals']['in_flight'] + d['totals']['shed'] + d['sampling']['budget_skipped']")
        [ "$seen" -ge "$want" ] && return 0
        sleep 0.1
    done
}

echo "== healthy run: $PAIRS PUT/GET pairs on $BASE"
start
load_start=$(date +%s)
load 1 "$PAIRS"
echo "load took $(( $(date +%s) - load_start ))s"
settle "$PAIRS"
echo "-- /tandem/status"
cat "$WORK/status.json"
echo "-- /metrics (tandem_)"
curl -s --max-time 2 "$BASE/metrics" | grep -E '^tandem_(writes|comparisons|mismatches|shed|budget|reads|breaker_state|consistency)' | sort
[ "$(status_field "d['breaker']")" = closed ] || fail "breaker not closed on the healthy run"
[ "$(status_field "d['totals']['mismatched']")" = 0 ] || fail "mismatches on the healthy run"
[ "$(status_field "d['totals']['compared'] >= 1000")" = True ] || fail "fewer than 1000 comparisons"
curl -s --max-time 2 "$BASE/profiles/u1" | grep -q '"source":"v2"' || fail "GET did not come from v2 on the healthy run"
stop

echo "== restart with --inject-bug: $BUG_PAIRS PUT/GET pairs (every 5th v2 write loses display_name)"
# Every comparison this time: the healthy run keeps the default budget (5% of the process's CPU), which in a debug
# build, where a comparison costs about ten times what it does in release, samples a third of them or more. The bug
# run must reach gate.min_samples (1000) out of its 1500 reads whatever the machine, so it lifts the budget.
start --inject-bug --comparison-budget unlimited
load $(( PAIRS + 1 )) $(( PAIRS + BUG_PAIRS ))
settle "$BUG_PAIRS"
echo "-- /tandem/status"
cat "$WORK/status.json"
echo "-- /metrics (tandem_)"
curl -s --max-time 2 "$BASE/metrics" | grep -E '^tandem_(writes|comparisons|mismatches|shed|breaker)' | sort
echo "-- GET /profiles/u1 while the breaker is open"
curl -s --max-time 2 "$BASE/profiles/u1"
echo "-- service log (warnings)"
grep -i "breaker" "$WORK/service.log" | head -5 || true
[ "$(status_field "d['breaker']")" = open ] || fail "the breaker did not open with --inject-bug"
[ "$(status_field "d['mismatch_groups'][0]['path']")" = display_name ] || fail "display_name is not the top mismatch group"
curl -s --max-time 2 "$BASE/profiles/u1" | grep -q '"source":"legacy"' || fail "reads did not fall back to legacy"
stop
echo "== demo passed: healthy first, breaker open after the bug, reads on legacy"

[ -n "${DEMO_POSTGRES:-}" ] || exit 0

# Two instances of the service on the same tables and one fleet ledger: the bug is planted in one only, and the
# fleet's breaker opens on both; reads fall back to legacy on both.
FLEET="${DEMO_POSTGRES}$([[ "$DEMO_POSTGRES" == *\?* ]] && echo "&" || echo "?")table=profiles_fleet"
psql -q -v ON_ERROR_STOP=1 "${DEMO_POSTGRES%%\?*}" \
    -c "DO \$\$ BEGIN IF to_regclass('tandem_ledger_state') IS NOT NULL THEN
          DELETE FROM tandem_ledger_state WHERE ledger = 'profiles_fleet';
          DELETE FROM tandem_ledger_state_changes WHERE ledger = 'profiles_fleet';
          DELETE FROM tandem_ledger_buckets WHERE ledger = 'profiles_fleet'; END IF; END \$\$" \
    || fail "cannot clear the fleet ledger"
echo "== fleet: two instances, one fleet ledger (table=profiles_fleet); the bug in instance a only"
FLEET_PIDS=()
fleet_cleanup() {
    for pid in "${FLEET_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap fleet_cleanup EXIT
start_instance() {  # name port extra-arguments...
    local name=$1 port=$2
    shift 2
    "$BIN" --plan ../../Migrations/user-profile "${STORES[@]}" --fleet-ledger "$FLEET" --instance "$name" \
        --port "$port" --stage live --log-level warning --comparison-budget unlimited "$@" \
        > "$WORK/service-$name.log" 2>&1 &
    FLEET_PIDS+=($!)
    for _ in $(seq 1 100); do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/tandem/status" && return 0
        sleep 0.1
    done
    cat "$WORK/service-$name.log"
    fail "instance $name did not answer within 10s"
}
PORT_B=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
start_instance a "$PORT" --inject-bug
start_instance b "$PORT_B"
BASE="http://127.0.0.1:$PORT"
load $(( PAIRS + BUG_PAIRS + 1 )) $(( PAIRS + 2 * BUG_PAIRS ))
breaker_of() { curl -s --max-time 2 "http://127.0.0.1:$1/tandem/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["breaker"])'; }
for _ in $(seq 1 100); do
    [ "$(breaker_of "$PORT")" = open ] && [ "$(breaker_of "$PORT_B")" = open ] && break
    sleep 0.1
done
echo "-- breaker of instance a: $(breaker_of "$PORT"), of instance b (no bug, no traffic): $(breaker_of "$PORT_B")"
[ "$(breaker_of "$PORT")" = open ] || fail "the fleet breaker did not open on instance a"
[ "$(breaker_of "$PORT_B")" = open ] || fail "the fleet breaker did not open on instance b"
echo "-- GET /profiles/u1 on instance b"
curl -s --max-time 2 "http://127.0.0.1:$PORT_B/profiles/u1"
echo
curl -s --max-time 2 "http://127.0.0.1:$PORT_B/profiles/u1" | grep -q '"source":"legacy"' \
    || fail "reads on instance b did not fall back to legacy"
echo "== fleet demo passed: the bug on one instance opened the breaker of both, reads on legacy on both"
