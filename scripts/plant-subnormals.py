"""Writes a copy of a predictor file with subnormal values planted in its GCN layers, and its
twin with those values set to zero (for `scripts/bench-subnormal.sh`).

A model from an older version of gcn-train (or from another tool) can hold subnormal weights:
gcn-score must score it as fast as the same model with them flushed. Which weights are planted
and their values are drawn with a fixed seed, so the files are the same on every run.

Usage: plant-subnormals.py MODEL PLANTED ZEROED [FRACTION]
"""

import sys

import numpy as np
import onnx
from onnx import numpy_helper

TINY = np.finfo(np.float32).tiny  # the smallest normal float32, 1.18e-38


def main():
    source, planted_path, zeroed_path = sys.argv[1:4]
    fraction = float(sys.argv[4]) if len(sys.argv) > 4 else 0.025
    rng = np.random.default_rng(1)
    planted, zeroed = onnx.load(source), onnx.load(source)
    count = total = 0
    for tensor, twin in zip(planted.graph.initializer, zeroed.graph.initializer):
        if "/gcn" not in tensor.name or tensor.data_type != onnx.TensorProto.FLOAT:
            continue
        values = numpy_helper.to_array(tensor).copy()
        chosen = rng.random(values.shape) < fraction
        # Magnitudes spread over the subnormal range, both signs.
        tiny = rng.uniform(0.01, 0.99, values.shape) * TINY * rng.choice([-1.0, 1.0], values.shape)
        zero = values.copy()
        values[chosen] = tiny[chosen].astype(np.float32)
        zero[chosen] = 0.0
        tensor.CopyFrom(numpy_helper.from_array(values, tensor.name))
        twin.CopyFrom(numpy_helper.from_array(zero, twin.name))
        count += int(np.count_nonzero((values != 0) & (np.abs(values) < TINY)))
        total += values.size
    onnx.save(planted, planted_path)
    onnx.save(zeroed, zeroed_path)
    print(f"planted {count} subnormal values among {total} GCN weights", file=sys.stderr)


if __name__ == "__main__":
    main()
