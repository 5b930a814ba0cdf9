#!/usr/bin/env bash
# Times predictor training and whole-space scoring; prints Markdown rows (median of RUNS).
# Usage: scripts/bench-predictor.sh [BIN_DIR] [NAS_DATA] [RUNS]
set -euo pipefail
bin=${1:-target/release}
data=${2:-../shared/data}
runs=${3:-3}
work=runs/bench
mkdir -p "$work"

source "$(dirname "$0")/bench-lib.sh"

"$bin/arch-encode" --format graph "$data/nb101/zc500.jsonl" -o "$work/zc500.graph.jsonl"
head -172 "$work/zc500.graph.jsonl" > "$work/train172.jsonl"
# 172 random cells (mostly 7 nodes, where leaving out padding saves nothing), labelled with
# their parameter count: for timing only.
"$bin/arch-sample" --count 172 --seed 1 | "$bin/arch-cost" | "$bin/arch-encode" -o "$work/random172.jsonl"
"$bin/gcn-train" -q --label val_accuracy "$work/train172.jsonl" -o "$work/model.onnx"
"$bin/arch-sample" --all -o "$work/all.jsonl"
"$bin/arch-encode" "$work/all.jsonl" -o "$work/all.graph.jsonl"

machine_line
echo
echo "| command | median of $runs (s) |"
echo "|---|---|"
for command in \
  "$bin/gcn-train -q --label val_accuracy $work/train172.jsonl -o $work/model.bench.onnx" \
  "$bin/gcn-train -q --two-stage --label val_accuracy $work/train172.jsonl -o $work/model2.bench.onnx" \
  "$bin/gcn-train -q --label params --label-range 0,60000000 $work/random172.jsonl -o $work/model.random.onnx" \
  "$bin/gcn-score -m $work/model.onnx $work/all.graph.jsonl > /dev/null" \
  "$bin/gcn-score -m $work/model.onnx --backend native $work/all.graph.jsonl > /dev/null" \
  "$bin/arch-sample --all | $bin/arch-encode | $bin/gcn-score -m $work/model.onnx > /dev/null" \
  "$bin/arch-sample --all | $bin/gcn-score -m $work/model.onnx > /dev/null" \
  "$bin/arch-sample --all | $bin/arch-encode | $bin/gcn-score -m $work/model.onnx --backend native > /dev/null" \
  "$bin/arch-sample --all | $bin/gcn-score -m $work/model.onnx --backend native > /dev/null" \
  "$bin/arch-sample --all > /dev/null" \
  "$bin/arch-encode $work/all.jsonl > /dev/null"; do
  shown=${command//$bin\//}
  shown=${shown//$work\//}
  echo "| \`${shown//|/\\|}\` | $(median_seconds "$command") |"
done
