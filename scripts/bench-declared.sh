#!/usr/bin/env bash
# Declared spaces against the built-in code they reproduce (fixtures/spaces/): the same command
# with --space NAME and with --space-file SPEC, the median of RUNS runs each, and their ratio,
# as Markdown table rows for BENCHMARKS.md. Usage: scripts/bench-declared.sh [BIN_DIR] [RUNS]
set -euo pipefail
bin=${1:-target/release}
runs=${2:-5}

source "$(dirname "$0")/bench-lib.sh"

machine_line
echo
echo "| command (built-in: \`--space S\`; declared: \`--space-file fixtures/spaces/S.toml\`) | built-in (s) | declared (s) | declared / built-in |"
echo "|---|---|---|---|"
row() {
  local space=$1 template=$2
  local built_in=${template//SPACE/--space $space} declared=${template//SPACE/--space-file fixtures/spaces/$space.toml}
  local a b
  a=$(median_seconds "$built_in")
  b=$(median_seconds "$declared")
  local shown=${template//$bin\//}
  shown=${shown//SPACE/S}
  echo "| $space: \`${shown//|/\\|}\` | $a | $b | $(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }') |"
}
row nb101 "$bin/arch-sample SPACE --all > /dev/null"
row nb101 "$bin/arch-sample SPACE --all | $bin/arch-encode SPACE --format graph > /dev/null"
row nb101 "$bin/arch-sample SPACE --all | $bin/arch-encode SPACE --format flat > /dev/null"
row nb201 "$bin/arch-sample SPACE --all | $bin/arch-encode SPACE --format graph > /dev/null"
row proxyless "$bin/arch-sample SPACE --count 1000000 --seed 1 > /dev/null"
row proxyless "$bin/arch-sample SPACE --count 200000 --seed 1 | $bin/arch-encode SPACE --format graph > /dev/null"
