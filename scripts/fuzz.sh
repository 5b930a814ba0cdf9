#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets of fuzz/ on stable Rust, seeds each corpus and runs
# every target for SECONDS, JOBS at a time, then prints what each ran and found.
#
#   scripts/fuzz.sh SECONDS JOBS "TARGETS|all" NAS_DATA NBGRAPH_LIGHT PYTHON
#
# Corpora, logs and crashing inputs stay under runs/fuzz/<target>/ (git-ignored) and grow from
# run to run; a crash found here becomes a file under fuzz/regressions/<target>/, which
# `cargo test` then runs for good (docs/RELIABILITY.md).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-600}
jobs=${2:-2}
wanted=${3:-all}
data=${4:-../shared/data}
light=${5:-}
python=${6:-python3}
runs=runs/fuzz
mkdir -p "$runs"
command -v c++ >/dev/null || { echo "fuzz: libFuzzer is C++: install a C++ compiler (g++ or clang++)" >&2; exit 1; }

# The flags cargo-fuzz passes for a build without a sanitizer: libFuzzer's coverage counters,
# its comparison tracing, and the checks of a debug build in optimised code. Stable rustc
# accepts them all; only the sanitizers (-Zsanitizer) would need a nightly compiler. The
# explicit --target keeps them off build scripts and proc macros, which must not be
# instrumented; and they are set for this build only, not for the workspace's own builds.
host=$(rustc -vV | sed -n 's/^host: //p')
coverage_flags="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
# fuzz/Cargo.lock pins the fuzzing crates and the workspace's dependencies; cargo adds what
# the workspace has added since (not --locked: the harness follows the workspace).
RUSTFLAGS=$coverage_flags cargo build --release --manifest-path fuzz/Cargo.toml --target "$host" --bins
bin=fuzz/target/$host/release

# Built-in seeds (binary formats) and each target's -max_len, from np-fuzz-targets itself.
plan=$(cargo run -q --locked -p np-fuzz-targets --example fuzz-seeds -- "$runs/built-in")
if [ "$wanted" != all ]; then
  plan=$(for name in $wanted; do grep "^$name " <<<"$plan" || { echo "fuzz: no target '$name'" >&2; exit 2; }; done)
fi

# Small pieces of the benchmark files, and lines the project's tools make of them, as run-time
# seeds (never committed). Targets go without where the data is missing.
pieces=$runs/data-seeds
rm -rf "$pieces"
for name in $(cut -d' ' -f1 <<<"$plan"); do mkdir -p "$pieces/$name"; done
# piece TARGET NAME: stdin becomes a seed of TARGET, if TARGET runs.
piece() { if [ -d "$pieces/$1" ]; then cat > "$pieces/$1/$2"; else cat > /dev/null; fi; }
nb101=$data/nb101
if [ -f "$nb101/records30.jsonl" ] && [ -f "$nb101/zc500.jsonl" ]; then
  for table in records30 zc500; do
    head -n 3 "$nb101/$table.jsonl" | piece arch_nb101 "$table"
    head -n 3 "$nb101/$table.jsonl" | piece jsonl_table "$table"
  done
  head -n 3 "$nb101/records30.jsonl" | piece record_lines records30
  head -n 3 "$nb101/zc500.jsonl" | target/debug/arch-encode --format graph | piece graph_field zc500
  head -n 3 "$nb101/zc500.jsonl" | target/debug/arch-encode --format flat | piece flat_field zc500
fi
if [ -f "$nb101/records30.tfrecord" ]; then
  head -c 8000 "$nb101/records30.tfrecord" | piece tfrecord records30
  # The payloads of the first records, one per line (nb101_records frames them itself).
  "$python" - "$nb101/records30.tfrecord" <<'PY' | piece nb101_records records30
import struct, sys
data = open(sys.argv[1], "rb").read()
at, payloads = 0, []
while at + 12 <= len(data) and len(payloads) < 3:
    (length,) = struct.unpack_from("<Q", data, at)
    payloads.append(data[at + 12 : at + 12 + length])
    at += 16 + length
sys.stdout.buffer.write(b"\n".join(payloads))
PY
fi
if [ -f "$data/nb201/nb201.csv" ]; then
  head -n 4 "$data/nb201/nb201.csv" | piece nb201_csv nb201
  [ -f "$data/nb201/latency.csv" ] && head -n 4 "$data/nb201/latency.csv" | piece nb201_csv latency
  [ -f "$data/nb201/zc491.jsonl" ] && head -n 3 "$data/nb201/zc491.jsonl" | piece arch_nb201 zc491
fi
if [ -f "$data/naap440/naap440.csv" ]; then
  head -n 4 "$data/naap440/naap440.csv" | piece naap_csv naap440
  "$python" -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))[:8], indent=2))' \
    "$data/naap440/generated_schemes.json" | piece naap_schemes generated
fi
if [ -n "$light" ] && [ -f "$light/cora.bench" ]; then
  # A few entries of two light tables, pickled again as they were (numpy scalars included).
  for table in cora proteins; do
    "$python" - "$light/$table.bench" <<'PY' | piece nbgraph_bench "$table"
import pickle, sys
table = pickle.load(open(sys.argv[1], "rb"))
sys.stdout.buffer.write(pickle.dumps(dict(list(table.items())[:6]), protocol=4))
PY
  done
fi
# The predictor files of fixtures/ (written by the tools) are seeds too.
if [ -d "$pieces/onnx_model" ]; then cp fixtures/*.onnx "$pieces/onnx_model/"; fi

start=$runs/.started
touch "$start"
run_target() {
  local name=$1 max_len=$2 dir=$runs/$1
  mkdir -p "$dir/corpus" "$dir/crashes"
  local seeds=(fuzz/seeds/"$name" fuzz/regressions/"$name" "$runs/built-in/$name" "$pieces/$name")
  local existing=()
  for seed in "${seeds[@]}"; do [ -d "$seed" ] && existing+=("$seed"); done
  echo "fuzz: $name for ${seconds}s"
  "$bin/$name" -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$dir/crashes/" "$dir/corpus" "${existing[@]}" \
    > "$dir/log" 2>&1 || true
}
export -f run_target
export runs pieces bin seconds
xargs -P "$jobs" -L 1 bash -c 'run_target "$@"' _ <<<"$plan"

bash scripts/fuzz-report.sh "$runs" "$start" $(cut -d' ' -f1 <<<"$plan")
