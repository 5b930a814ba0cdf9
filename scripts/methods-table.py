#!/usr/bin/env python3
"""One methods table per benchmark table for BENCHMARKS.md, from search-sim summaries.

Usage: methods-table.py SUMMARY.json [SUMMARY.json ...]

Each argument is one table's summary (e.g. make experiment-rounds' rounds-cora.json). When a
summary of the one-shot experiment for the same table lies beside it (rounds-X.json beside
X.json, as make experiment and make experiment-nb201 write them, same seeds and trials), its
Neural Predictor row with the fewest models to the oracle is added, so every predictor method
stands on one table with the baselines. Columns: best validation after B trained models
(mean ± std), test of the deployed model at the end, models to the oracle (median, p10–p90,
trials that reached it), how many times fewer models than regularized evolution's final mean
validation needs, and the sequential rounds of the search in rounds.
"""
import json
import os
import sys

BUDGETS = ["50", "100", "200", "500", "1000"]


def mean_std(entry, key="val"):
    if not entry or entry.get(key + "_mean") is None:
        return "–"
    return f"{entry[key + '_mean']:.2f} ± {entry[key + '_std']:.2f}"


def models(q, budget):
    if q is None:
        return "–"
    count = lambda x: f"> {budget}" if x is None else f"{x:.0f}"
    return f"{count(q['median'])} ({count(q['p10'])}–{count(q['p90'])}), {q['found']}/{q['trials']}"


def fewer(m):
    f = m.get("times_fewer_than_evolution")
    if f is None:
        return ""
    return "not reached" if f.get("val") is None else f"{f['val']:.2f}×"


def best_one_shot(summary):
    """The one-shot predictor row that reached the oracle soonest (median, then found)."""
    rows = [(k, m) for k, m in summary["methods"].items() if k.startswith("predictor_n")]
    if not rows:
        return None
    def rank(item):
        q = item[1]["queries_to_oracle"]
        return (q["median"] is None, q["median"] or 0, -q["found"])
    return min(rows, key=rank)


def table(path):
    summary = json.load(open(path))
    name = os.path.splitext(os.path.basename(path))[0].removeprefix("rounds-")
    budget = summary["budget"]
    budgets = [b for b in BUDGETS if int(b) <= budget]
    methods = list(summary["methods"].items())
    beside = os.path.join(os.path.dirname(path), name + ".json")
    if os.path.exists(beside) and beside != path:
        one_shot = json.load(open(beside))
        if one_shot["trials"] == summary["trials"] and one_shot["seed"] == summary["seed"]:
            row = best_one_shot(one_shot)
            if row:
                methods.insert(len(methods) - 1, row)
    o = summary["oracle"]
    test = "–" if o["test"] is None else f"{o['test']:.2f}"
    print(f"**{name}**: {summary['architectures']} architectures, {summary['trials']} trials, budget {budget}; "
          f"oracle val {o['val']:.2f}, test {test}.\n")
    print("| method | " + " | ".join(f"val @{b}" for b in budgets)
          + f" | test @{budgets[-1]} | models to oracle | × fewer | rounds |")
    print("|---|" + "---|" * (len(budgets) + 4))
    for key, m in methods:
        row = [mean_std(m["at_budget"].get(b)) for b in budgets]
        test_end = mean_std(m["at_budget"].get(budgets[-1]), "test")
        if "nan" in test_end:
            test_end = "–"
        rounds = m.get("rounds")
        rounds = "" if rounds is None else f"{rounds['median']:.0f} ({rounds['p10']:.0f}–{rounds['p90']:.0f})"
        print(f"| {m['label']} | " + " | ".join(row)
              + f" | {test_end} | {models(m.get('queries_to_oracle'), budget)} | {fewer(m)} | {rounds} |")
    print()


if __name__ == "__main__":
    for p in sys.argv[1:]:
        table(p)
