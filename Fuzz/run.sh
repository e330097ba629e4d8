#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzzer + address sanitizer, as swift-protobuf's FuzzTesting) and runs each for the
# given number of seconds on a scratch copy of its seed corpus, after replaying its regression inputs.
#   Fuzz/run.sh [SECONDS] [TARGET...]     default: 60 seconds, every target
# FUZZ_SEED fixes libFuzzer's seed (CI sets it, so that a run on the same commit explores the same inputs first);
# without it every run starts from a new seed.
# Exits non-zero on the first crash, leak or invariant failure; the input that caused it is written to
# Fuzz/Findings/<target>-crash-<hash> (add it to Fuzz/Regressions/<target>/ and as a test once fixed).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(FuzzProtoParser FuzzWireDecoder FuzzJSONParser FuzzTranscoder FuzzTrafficLine FuzzPlanLoader)
fi
swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 | tail -n 3
mkdir -p Findings
# Leaks inside the toolchain's own libraries that Tandem cannot fix (each one explained in the file).
export LSAN_OPTIONS="suppressions=$PWD/lsan.supp:print_suppressions=0"
status=0
for target in "${targets[@]}"; do
    binary=.build/debug/$target
    if [ -d "Regressions/$target" ] && [ -n "$(ls -A "Regressions/$target")" ]; then
        echo "== $target: regression inputs"
        "$binary" -rss_limit_mb=2048 Regressions/"$target"/* || status=1
    fi
    work=$(mktemp -d)
    # Seeds: the target's own corpus, and for the compiler every .proto the repository's tests and plans use.
    seeds=("Corpus/$target")
    if [ "$target" = FuzzProtoParser ]; then
        seeds+=(../Tests/Fixtures/corpus/root/acme ../Tests/Fixtures/wire ../Migrations/user-profile ../Migrations/orders)
    fi
    echo "== $target: ${seconds}s"
    if ! "$binary" -max_total_time="$seconds" -seed="${FUZZ_SEED:-0}" -rss_limit_mb=2048 -timeout=20 -max_len=65536 \
        -print_final_stats=1 \
        -artifact_prefix="Findings/$target-" "$work" "${seeds[@]}" 2> "Findings/$target.log"; then
        status=1
        tail -n 40 "Findings/$target.log"
    else
        grep -E "stat::number_of_executed_units|stat::peak_rss_mb|cov: " "Findings/$target.log" | tail -n 3
    fi
    rm -rf "$work"
done
exit $status
