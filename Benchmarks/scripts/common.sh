# Shared by the benchmark scripts: locates the repository and builds the release binaries (incrementally, every
# run, so a figure never comes from a stale binary).
# Builds take /tmp/tandem-build.lock (flock) when flock exists, so they never overlap with another build.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PLAN=${PLAN:-$ROOT/Migrations/user-profile}
WORK=${TANDEM_BENCH_DIR:-/tmp}/tandem-bench-scripts
TANDEM=${TANDEM:-$ROOT/.build/release/tandem}
TRAFFIC_TOOL=${TRAFFIC_TOOL:-$ROOT/Benchmarks/.build/release/tandem-bench-traffic}

locked() {
    if command -v flock >/dev/null; then flock /tmp/tandem-build.lock "$@"; else "$@"; fi
}

ensure_binaries() {
    if [ "$TANDEM" = "$ROOT/.build/release/tandem" ]; then
        echo "building tandem (release)..." >&2
        (cd "$ROOT" && locked swift build -c release --product tandem >"$WORK/build-tandem.log" 2>&1) \
            || { tail -20 "$WORK/build-tandem.log" >&2; exit 1; }
    fi
    if [ "$TRAFFIC_TOOL" = "$ROOT/Benchmarks/.build/release/tandem-bench-traffic" ]; then
        echo "building tandem-bench-traffic (release)..." >&2
        (cd "$ROOT" && locked swift build --package-path Benchmarks -c release --product tandem-bench-traffic \
            >"$WORK/build-traffic-tool.log" 2>&1) || { tail -20 "$WORK/build-traffic-tool.log" >&2; exit 1; }
    fi
}

# Seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# "$1 / $2" with 3 decimals.
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.3f}')" "$1" "$2"; }

records() { sqlite3 "$1" "SELECT count(*) FROM tandem_records"; }

# medians NAME_A COMMAND_A NAME_B COMMAND_B: prints the two commands' median seconds over $RUNS runs each (hyperfine
# when installed, its table on stderr; else `date +%s.%N` around each run), on one line.
medians() {
    local json
    if command -v hyperfine >/dev/null; then
        json=$(mktemp)
        hyperfine --warmup 1 --runs "$RUNS" --export-json "$json" -n "$1" "$2" -n "$3" "$4" >&2
        python3 -c "
import json, sys
r = {x['command']: x for x in json.load(open(sys.argv[1]))['results']}
print(r[sys.argv[2]]['median'], r[sys.argv[3]]['median'])" "$json" "$1" "$3"
        rm -f "$json"
    else
        median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
        local a b
        a=$(for _ in $(seq "$RUNS"); do s=$(now); eval "$2" >/dev/null; python3 -c "print($(now) - $s)"; done | median)
        b=$(for _ in $(seq "$RUNS"); do s=$(now); eval "$4" >/dev/null; python3 -c "print($(now) - $s)"; done | median)
        echo "$a $b"
    fi
}

# replay_writes N PRIMARY SHADOW DIR: generates N writes (writes only, ~N distinct keys) into DIR/traffic.jsonl and
# replays them into the two stores; sets replay_s to the replay's seconds.
replay_writes() {
    echo "== generating $1 writes and replaying them"
    "$TRAFFIC_TOOL" "$PLAN" "$1" "$4/traffic.jsonl" 1
    local start
    start=$(now)
    # Exit 4 (inconclusive) is expected: writes-only traffic has no reads, so the replay compares nothing.
    "$TANDEM" replay "$PLAN" --traffic "$4/traffic.jsonl" --primary "$2" --shadow "$3" --ledger "$4/ledger.sqlite" \
        --quiet || [ $? -eq 4 ]
    replay_s=$(python3 -c "print($(now) - $start)")
}

# verify_ratio KEYS BASELINE_NAME VERIFY_COMMAND BASELINE_COMMAND TARGET: times both (see medians) and prints the
# records, both medians with their keys/s, and verify's speed as a ratio of the baseline's.
verify_ratio() {
    local verify_s baseline_s
    read -r verify_s baseline_s < <(medians "tandem verify" "$3" "$2" "$4")
    echo
    echo "records:              $1"
    echo "tandem verify median: ${verify_s}s ($(python3 -c "print(int($1 / $verify_s))") keys/s)"
    printf '%-22s%ss (%s keys/s)\n' "$2 median:" "$baseline_s" "$(python3 -c "print(int($1 / $baseline_s))")"
    echo "verify speed / $2 speed: $(ratio "$baseline_s" "$verify_s")x  (target $5)"
}
