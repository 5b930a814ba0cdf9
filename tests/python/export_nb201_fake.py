"""Drives scripts/export-nb201.py's row builder with a stand-in for the NATS-Bench API (the
benchmark file is not part of the test data) and prints its columns and one row as JSON.

Each accuracy the stand-in answers names its source: 10, 20, 30, 40 for the datasets
'cifar10-valid', 'cifar10', 'cifar100', 'ImageNet16-120', plus 0.5 for hp='200', plus 1 for
'valid-accuracy' and 2 for 'test-accuracy'."""
import importlib.util
import json
import sys

spec = importlib.util.spec_from_file_location("export_nb201", sys.argv[1])
export = importlib.util.module_from_spec(spec)
spec.loader.exec_module(export)

BASE = {"cifar10-valid": 10, "cifar10": 20, "cifar100": 30, "ImageNet16-120": 40}


class StandIn:
    def arch(self, index):
        return f"arch-{index}"

    def get_more_info(self, index, dataset, iepoch=None, hp="12", is_random=True):
        assert is_random is False and iepoch is None, "means over seeds, last epoch"
        base = BASE[dataset] + (0.5 if hp == "200" else 0.0)
        return {"valid-accuracy": base + 1, "test-accuracy": base + 2, "valtest-accuracy": -1.0}

    def get_cost_info(self, index, dataset, hp="12"):
        assert dataset in ("cifar10", "cifar10-valid"), "params of the CIFAR-10 network"
        return {"flops": -1.0, "params": 0.1293064, "latency": -1.0}


print(json.dumps({"columns": export.COLUMNS, "row": export.row(StandIn(), 7)}))
