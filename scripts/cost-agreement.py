#!/usr/bin/env python3
"""How closely `arch-cost` reproduces the published counts (for docs/COST.md).

Usage: arch-cost records30.jsonl | cost-agreement.py records
       arch-cost zc500.jsonl     | cost-agreement.py zc500
       arch-cost --space nb201 --dataset D --flops torchstat LINES | cost-agreement.py zc491 D
         (LINES: zc491.jsonl's lines of dataset D; D only names the output)
Reads arch-cost's output on stdin: the original lines with `params` and `flops` appended."""
import json
import sys


def millions(x):
    # The sources divided exact integers by 10^6, so rounding back recovers them.
    return round(x * 1e6)


kind = sys.argv[1]
name = " ".join(sys.argv[1:])
rows = [json.loads(line) for line in sys.stdin if line.strip()]
checks = {"records": [("params", "trainable_parameters", lambda x: x)],
          "zc500": [("params", "params_m", millions), ("flops", "flops_m", millions)]}
checks["zc491"] = checks["zc500"]
checks = checks[kind]
for ours, theirs, convert in checks:
    pairs = [(r[ours], convert(r[theirs])) for r in rows]
    exact = sum(a == b for a, b in pairs)
    worst = max(abs(a - b) / b for a, b in pairs)
    print(f"{name}: {ours} equals {theirs} on {exact}/{len(pairs)} lines (largest relative difference {worst:.2e})")
