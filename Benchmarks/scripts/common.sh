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
