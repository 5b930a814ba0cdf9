#!/usr/bin/env python3
"""One line about the first architecture of a JSON-lines file: LABEL: id, ops, val and test.

Usage: show-architecture.py LABEL FILE [NOTE]"""
import json
import sys

label, path = sys.argv[1], sys.argv[2]
note = " ".join(sys.argv[3:])
with open(path) as f:
    record = json.loads(f.readline())
nan = float("nan")
architecture = " ".join(f"{key}={json.dumps(record[key], separators=(',', ':'))}"
                        for key in ("link", "ops") if key in record)
print(f"{label}: {record['id']} {architecture} val {record.get('val_accuracy', nan):.2f} "
      f"test {record.get('test_accuracy', nan):.2f}" + (f" {note}" if note else ""))
