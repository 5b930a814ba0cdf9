"""Every entry of NAS-Bench-Graph light tables as Python's pickle.load reads them.

Usage: nbgraph_tables.py TABLE.bench...

Writes, for each table in argument order, the number of entries (u64) and then each entry in
the table's dict order as code (i64) and valid_perf, perf, latency, para (f64), all little
endian: the exact bits, no decimal round trip. numpy float64 values are the same 64 bits as
Python floats.
"""
import pickle
import struct
import sys

FIELDS = ["valid_perf", "perf", "latency", "para"]
COUNT = struct.Struct("<Q")
ENTRY = struct.Struct("<q4d")


def main(paths):
    out = sys.stdout.buffer
    for path in paths:
        with open(path, "rb") as f:
            table = pickle.load(f)
        out.write(COUNT.pack(len(table)))
        out.write(b"".join(ENTRY.pack(code, *(float(entry[name]) for name in FIELDS)) for code, entry in table.items()))


if __name__ == "__main__":
    main(sys.argv[1:])
