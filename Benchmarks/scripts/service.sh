#!/usr/bin/env bash
# What shadow comparisons cost a busy service: the example service (release) on 10,000 stored profiles, saturated by
# wrk on 127.0.0.1 with GETs of random keys, in stage `live` (every GET compared in the background) and `rampdown`
# (the same reads from the same store, nothing compared), switched on the same running process and interleaved:
# rounds alternate which stage goes first. Medians over the rounds, and their ratios (live / rampdown).
#
#     Benchmarks/scripts/service.sh [ROUNDS] [SECONDS]      (default 5 rounds of 10 s per stage)
#
# BUDGET=... passes --comparison-budget to the service (5%, 0.25, 0, unlimited; by default the plan's, else 5%).
# CONNECTIONS (16) and THREADS (2) are wrk's -c and -t. Needs wrk (apt-get install -y wrk), curl and sqlite3.
set -euo pipefail
source "$(dirname "$0")/common.sh"
ROUNDS=${1:-5}
SECONDS_PER_RUN=${2:-10}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
for tool in wrk curl sqlite3; do
    command -v "$tool" >/dev/null || { echo "service.sh needs $tool (apt-get install -y $tool)" >&2; exit 2; }
done
mkdir -p "$WORK"
ensure_binaries
SERVICE_DIR="$ROOT/Examples/ProfileService"
echo "building profile-service (release)..." >&2
(cd "$SERVICE_DIR" && locked swift build -c release >"$WORK/build-service.log" 2>&1) \
    || { tail -20 "$WORK/build-service.log" >&2; exit 1; }
SERVICE="$SERVICE_DIR/.build/release/ProfileService"

DIR="$WORK/service"
rm -rf "$DIR" && mkdir -p "$DIR"
P="$DIR/profiles-v2.sqlite" S="$DIR/profiles-v1.sqlite"
echo "== storing profiles: generated traffic over 10,000 keys, replayed" >&2
"$TANDEM" generate-traffic "$PLAN" --operations 40000 --keys 10000 --seed 3 --out "$DIR/traffic.jsonl" >/dev/null
"$TANDEM" replay "$PLAN" --traffic "$DIR/traffic.jsonl" --primary "$P" --shadow "$S" --ledger "$DIR/ledger.sqlite" \
    --quiet || [ $? -le 4 ]
sqlite3 "$P" "SELECT key FROM tandem_records" >"$DIR/keys.txt"
echo "profiles: $(wc -l <"$DIR/keys.txt")" >&2

PORT=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
BASE="http://127.0.0.1:$PORT"
"$SERVICE" --plan "$PLAN" --primary "$P" --shadow "$S" --port "$PORT" --stage live --log-level warning \
    ${BUDGET:+--comparison-budget "$BUDGET"} ${SERVICE_ARGS:-} >"$DIR/service.log" 2>&1 &
SERVICE_PID=$!
trap 'kill "$SERVICE_PID" 2>/dev/null || true; wait "$SERVICE_PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "$BASE/tandem/status" >/dev/null && break; sleep 0.1; done
curl -sf "$BASE/tandem/status" >/dev/null || { echo "the service did not start:" >&2; cat "$DIR/service.log" >&2; exit 1; }

# One wrk run at the current stage: prints "requests/s p99-ms".
load() {
    KEYS_FILE="$DIR/keys.txt" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${1}s" --latency \
        -s "$ROOT/Benchmarks/scripts/service-get.lua" "$BASE" >"$DIR/wrk.txt"
    python3 - "$DIR/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
p99 = float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
if errors: sys.exit(f"wrk saw {errors.group(1)} failed requests")
print(f"{rps:.0f} {p99:.3f}")
PY
}
stage() { curl -sf -X PUT "$BASE/tandem/stage/$1" >/dev/null; sleep 0.5; }

echo "== warm-up (3 s per stage)" >&2
stage live && load 3 >/dev/null
stage rampdown && load 3 >/dev/null
: >"$DIR/runs.txt"
for round in $(seq "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then order="live rampdown"; else order="rampdown live"; fi
    for s in $order; do
        stage "$s"
        read -r rps p99 < <(load "$SECONDS_PER_RUN")
        echo "$s $rps $p99" >>"$DIR/runs.txt"
        printf 'round %d  %-8s  %8s req/s  p99 %7s ms\n' "$round" "$s" "$rps" "$p99"
    done
done
curl -sf "$BASE/tandem/status" >"$DIR/status.json"
python3 - "$DIR/runs.txt" "$DIR/status.json" "${BUDGET:-(plan or default)}" <<'PY'
import json, statistics, sys
runs = [line.split() for line in open(sys.argv[1])]
def median(stage, column):
    return statistics.median(float(r[column]) for r in runs if r[0] == stage)
on_rps, off_rps = median("live", 1), median("rampdown", 1)
on_p99, off_p99 = median("live", 2), median("rampdown", 2)
# Each round ran both stages back to back: its own ratio is immune to the machine's drift between rounds.
rounds = [runs[i:i + 2] for i in range(0, len(runs) - 1, 2)]
def paired(column):
    ratios = []
    for pair in rounds:
        by_stage = {r[0]: float(r[column]) for r in pair}
        ratios.append(by_stage["live"] / by_stage["rampdown"])
    return statistics.median(ratios)
status = json.load(open(sys.argv[2]))
sampling, totals = status["sampling"], status["totals"]
print()
print(f"comparison budget:            {sampling['comparison_budget']} (asked: {sys.argv[3]})")
print(f"throughput, median req/s:     live {on_rps:.0f}, rampdown {off_rps:.0f}: {on_rps / off_rps:.3f}x  (target >= 0.95x)")
print(f"p99 latency, median ms:       live {on_p99:.3f}, rampdown {off_p99:.3f}: {on_p99 / off_p99:.3f}x  (target <= 1.15x)")
print(f"median of per-round ratios:   throughput {paired(1):.3f}x, p99 {paired(2):.3f}x")
print(f"comparisons: compared {totals['compared']}, mismatched {totals['mismatched']}, shed {totals['shed']}, "
      f"skipped by the budget {sampling['budget_skipped']} of {sampling['budget_offered']}; "
      f"effective sample rate {sampling['effective_sample_rate']:.4f}")
PY
