#!/usr/bin/env bash
# Writes the files of fixtures/ with the project's own tools (nothing from benchmark data).
# Usage: scripts/make-fixtures.sh [BIN_DIR]
#
# tests/fixtures.rs checks today's tools against them: sampling and encoding must give the
# same bytes, and predictor files written by the version that made them must still load and
# score the same. Run it again only when a change of those outputs is intended, and say so in
# the commit.
set -euo pipefail
bin=${1:-target/release}
out=fixtures

"$bin/arch-sample" --space nb101 --count 120 --seed 11 | "$bin/arch-cost" -o "$out/nb101-cells.jsonl"
"$bin/arch-encode" --format graph "$out/nb101-cells.jsonl" -o "$out/nb101-cells.graph.jsonl"
"$bin/arch-encode" --format flat "$out/nb101-cells.jsonl" -o "$out/nb101-cells.flat.jsonl"

# A small two-stage GCN (both outputs) and a small tree ensemble, labelled with the cells'
# parameter counts (a label the project computes itself).
"$bin/gcn-train" -q --two-stage --label params --label-range 0,60000000 --threshold 20000000 \
  --hidden 24 --fc-hidden 16 --epochs 100 --lr 2e-3 --weight-decay 0 --seed 1 "$out/nb101-cells.graph.jsonl" -o "$out/gcn-two-stage.onnx"
"$bin/gcn-score" --backend native -m "$out/gcn-two-stage.onnx" "$out/nb101-cells.graph.jsonl" \
  | python3 -c 'import json, sys; [print(json.dumps({k: json.loads(l)[k] for k in ("id", "pred", "p_good")}, separators=(",", ":"))) for l in sys.stdin]' \
  > "$out/gcn-two-stage.scores.jsonl"

"$bin/gbt-train" -q --flat --label params --trees 40 --max-depth 3 --seed 1 "$out/nb101-cells.flat.jsonl" \
  -o "$out/trees.onnx"
"$bin/gcn-score" --backend native -m "$out/trees.onnx" "$out/nb101-cells.flat.jsonl" \
  | python3 -c 'import json, sys; [print(json.dumps({k: json.loads(l)[k] for k in ("id", "pred")}, separators=(",", ":"))) for l in sys.stdin]' \
  > "$out/trees.scores.jsonl"
