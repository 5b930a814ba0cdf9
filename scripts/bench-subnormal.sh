#!/usr/bin/env bash
# Subnormal floats: training as it is against training with flush-to-zero forced from outside
# (LD_PRELOAD of scripts/ftz-preload.c), and scoring a model with subnormal weights planted
# (scripts/plant-subnormals.py) against the same model with them zeroed, on both backends.
# Prints Markdown rows (median of RUNS). x86-64 only (the preload sets MXCSR).
# Usage: scripts/bench-subnormal.sh [BIN_DIR] [NAS_DATA] [RUNS] [PYTHON]
set -euo pipefail
bin=${1:-target/release}
data=${2:-../shared/data}
runs=${3:-3}
python=${4:-.venv/bin/python}
work=runs/bench
mkdir -p "$work"

source "$(dirname "$0")/bench-lib.sh"

cc -O2 -shared -fPIC -o "$work/ftz-preload.so" "$(dirname "$0")/ftz-preload.c"
preload="LD_PRELOAD=$PWD/$work/ftz-preload.so"
"$bin/arch-encode" --format graph "$data/nb101/zc500.jsonl" -o "$work/zc500.graph.jsonl"
head -172 "$work/zc500.graph.jsonl" > "$work/train172.jsonl"
"$bin/gcn-train" -q --label val_accuracy "$work/train172.jsonl" -o "$work/model.onnx"
[ -f "$work/all.graph.jsonl" ] || "$bin/arch-sample" --all | "$bin/arch-encode" -o "$work/all.graph.jsonl"
"$python" "$(dirname "$0")/plant-subnormals.py" "$work/model.onnx" "$work/planted.onnx" "$work/zeroed.onnx"

machine_line
echo
echo "| command | median of $runs (s) |"
echo "|---|---|"
for command in \
  "$bin/gcn-train -q --label val_accuracy $work/train172.jsonl -o $work/model.sub.onnx" \
  "$preload $bin/gcn-train -q --label val_accuracy $work/train172.jsonl -o $work/model.sub.onnx" \
  "$bin/gcn-score -m $work/planted.onnx --backend native $work/all.graph.jsonl > /dev/null" \
  "$bin/gcn-score -m $work/zeroed.onnx --backend native $work/all.graph.jsonl > /dev/null" \
  "$bin/gcn-score -m $work/planted.onnx $work/all.graph.jsonl > /dev/null" \
  "$bin/gcn-score -m $work/zeroed.onnx $work/all.graph.jsonl > /dev/null"; do
  shown=${command//$bin\//}
  shown=${shown//$work\//}
  shown=${shown//$PWD\//}
  echo "| \`${shown//|/\\|}\` | $(median_seconds "$command") |"
done
