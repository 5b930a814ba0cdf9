"""Round-trip check of an exported predictor with the reference ONNX tooling.

Usage: check_predictor.py MODEL.onnx ENCODED.jsonl
Runs onnx.checker (full check, with shape inference) and scores the lines with Python's
onnxruntime; prints one JSON object per line: {"pred": ..., "p_good": ...}. A GCN file
(format neural-predictor/gcn/1) reads the lines' `graph` encoding, and the numeric fields of
its `graph_features` metadata when it has graph-level inputs; a tree file
(neural-predictor/trees/1) reads the numeric fields its metadata lists, by dotted path, then
the `flat` encoding when it was trained with one.
"""
import json
import sys

import numpy as np
import onnx
import onnxruntime


def field(record, name):
    """A field by name, or else by dotted path (as the tools read them)."""
    if name in record:
        return record[name]
    value = record
    for part in name.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def tree_features(meta, records):
    names = json.loads(meta["features"])
    rows = []
    for record in records:
        row = [float(field(record, name)) for name in names]
        if meta["flat"] == "true":
            row += [float(x) for x in record["flat"]]
        rows.append(row)
    return np.array(rows, dtype=np.float32).reshape(len(records), int(meta["feature_count"]))


def main(model_path, lines_path):
    onnx.checker.check_model(model_path, full_check=True)
    model = onnx.load(model_path)
    meta = {prop.key: prop.value for prop in model.metadata_props}
    session = onnxruntime.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    records = [json.loads(line) for line in open(lines_path) if line.strip()]
    if meta["format"] == "neural-predictor/trees/1":
        (pred,) = session.run(["pred"], {"features": tree_features(meta, records)})
        for value in pred:
            print(json.dumps({"pred": float(value)}))
        return
    max_nodes = int(meta["max_nodes"])
    graphs = [record["graph"] for record in records]
    feeds = {
        "adjacency": np.array([g["adjacency"] for g in graphs], dtype=np.float32),
        "op_onehot": np.array([g["op_onehot"] for g in graphs], dtype=np.float32),
        "node_mask": np.array(
            [[1.0 if i < g["nodes"] else 0.0 for i in range(max_nodes)] for g in graphs], dtype=np.float32
        ),
    }
    if any(i.name == "node_features" for i in session.get_inputs()):
        feeds["node_features"] = np.array([g["node_features"] for g in graphs], dtype=np.float32)
    if "graph_features" in meta:
        # Graph-level inputs: the raw fields (as float32, like the scorer), transformed and
        # standardised in float64 with the metadata's constants, then fed as float32.
        names = json.loads(meta["graph_features"])
        raw = np.array(
            [[float(field(record, name)) for name in names] for record in records], dtype=np.float32
        ).reshape(len(records), len(names)).astype(np.float64)
        if meta["graph_feature_transform"] == "signed_log1p":
            raw = np.sign(raw) * np.log1p(np.abs(raw))
        mean = np.array(json.loads(meta["graph_feature_mean"]), dtype=np.float64)
        std = np.array(json.loads(meta["graph_feature_std"]), dtype=np.float64)
        feeds["graph_features"] = ((raw - mean) / std).astype(np.float32)
    names = [o.name for o in session.get_outputs()]
    outputs = dict(zip(names, session.run(names, feeds)))
    for i in range(len(graphs)):
        print(json.dumps({name: float(values[i]) for name, values in outputs.items()}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
