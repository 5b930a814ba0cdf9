"""Reference answers from the nas-bench-graph package, for comparison with the nbgraph space.

Usage:
  nbgraph_reference.py inputs   every valid input (24 link lists x 9^4 op tuples, all-skip left
                                out) as a JSON line {"link", "ops", "package_code"}, where
                                package_code is Arch(link, ops).valid_hash(), or
                                "package_error" with the exception when the package fails
  nbgraph_reference.py tables   one JSON object: {"all_archs": sorted codes of all_archs(),
                                "tables": {dataset: sorted keys of its light table}}
"""
import contextlib
import io
import itertools
import json
import sys

from nas_bench_graph import architecture
from nas_bench_graph.readbench import light_read

DATASETS = ["cora", "citeseer", "pubmed", "cs", "physics", "photo", "computers", "arxiv", "proteins"]


def all_link_lists():
    # Computing node i (0-based) reads the input (0) or one of the nodes 1..i.
    return [list(link) for link in itertools.product(*(range(node + 1) for node in range(4)))]


def inputs():
    lines = []
    for link in all_link_lists():
        for ops in itertools.product(architecture.gnn_list, repeat=4):
            if all(op == "skip" for op in ops):
                continue
            record = {"link": link, "ops": list(ops)}
            try:
                record["package_code"] = architecture.Arch(list(link), list(ops)).valid_hash()
            except Exception as error:  # recorded, so the test can show what the package refuses
                record["package_error"] = repr(error)
            lines.append(json.dumps(record))
    sys.stdout.write("\n".join(lines) + "\n")


def tables():
    with contextlib.redirect_stdout(io.StringIO()):  # all_archs prints its count
        archs = architecture.all_archs()
    answer = {
        "all_archs": sorted(arch.hash_arch() for arch in archs),
        "tables": {name: sorted(int(key) for key in light_read(name)) for name in DATASETS},
    }
    json.dump(answer, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    {"inputs": inputs, "tables": tables}[sys.argv[1]]()
