#!/usr/bin/env bash
# The table at the end of make fuzz, from the libFuzzer logs under RUNS:
#
#   scripts/fuzz-report.sh RUNS STAMP TARGET...
#
# For each target: seconds run and inputs run (libFuzzer's "Done N runs in S second(s)"; a run
# that stopped at a crash has no such line, and its final stats give the count and the rate),
# and the crashing inputs (crash-, oom-, timeout-, leak- files) written since the file STAMP
# was made.
# Also written to RUNS/summary.md. Exits 1 when any target crashed.
set -euo pipefail
runs=$1
stamp=$2
shift 2

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
summary=$runs/summary.md
crashed=0
{
  echo "make fuzz on $(date -u +%Y-%m-%d), $cpu ($(nproc) cores)"
  echo
  echo "| target | seconds | inputs run | new crashes |"
  echo "|---|---:|---:|---:|"
} > "$summary"
for name in "$@"; do
  log=$runs/$name/log
  done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" 2>/dev/null | tail -n 1 || true)
  if [ -n "$done_line" ]; then
    inputs=$(awk '{print $2}' <<<"$done_line")
    seconds=$(awk '{print $5}' <<<"$done_line")
  else
    # Stopped at a crash: the final stats give the count and the rate.
    inputs=$(sed -n 's/^stat::number_of_executed_units: //p' "$log" 2>/dev/null | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: //p' "$log" 2>/dev/null | tail -n 1)
    seconds="stopped at $(( ${inputs:-0} / (${rate:-0} > 0 ? ${rate:-1} : 1) ))"
  fi
  new=$(find "$runs/$name/crashes" -type f -newer "$stamp" 2>/dev/null | wc -l)
  crashed=$((crashed + new))
  echo "| $name | $seconds | ${inputs:-?} | $new |" >> "$summary"
done
cat "$summary"
if [ "$crashed" -gt 0 ]; then
  echo "fuzz: $crashed crashing input(s); the logs under $runs/<target>/log show where:" >&2
  find "$runs" -path '*/crashes/*' -type f -newer "$stamp" >&2
  exit 1
fi
