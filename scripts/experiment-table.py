#!/usr/bin/env python3
"""Markdown tables for BENCHMARKS.md from search-sim summaries (--summary JSON files)."""
import json
import os
import sys

BUDGETS = ["50", "100", "200", "500", "1000"]


def cell(entry, key="val"):
    if not entry:
        return "–"
    return f"{entry[key + '_mean']:.2f} ± {entry[key + '_std']:.2f}"


def main(paths):
    summaries = [(os.path.splitext(os.path.basename(p))[0], json.load(open(p))) for p in paths]
    print("Best validation accuracy found (%, mean ± std over trials) after B trained models; "
          "test accuracy of the deployed model at 1000.\n")
    print("| dataset | method | " + " | ".join(f"B={b}" for b in BUDGETS) + " | test @1000 |")
    print("|---|---|" + "---|" * (len(BUDGETS) + 1))
    for name, s in summaries:
        o = s["oracle"]
        print(f"| {name} | oracle (whole table) | " + " | ".join("" for _ in BUDGETS)
              + f" | {o['test']:.2f} (val {o['val']:.2f}) |")
        for key, m in s["methods"].items():
            row = [cell(m["at_budget"].get(b)) for b in BUDGETS]
            print(f"| {name} | {m['label']} | " + " | ".join(row) + f" | {cell(m['at_budget'].get('1000'), 'test')} |")
    print("\nNeural Predictor: Kendall τ over the whole table (mean ± std) and how many times fewer "
          "trained models it needs to reach regularized evolution's mean at 1000 (validation / test).\n")
    print("| dataset | N | τ | × fewer (val) | × fewer (test) |")
    print("|---|---|---|---|---|")
    for name, s in summaries:
        for key, m in s["methods"].items():
            if "kendall_tau" not in m:
                continue
            n = key.split("_n")[-1]
            tau = m["kendall_tau"]
            fewer = m.get("times_fewer_than_evolution", {})
            show = lambda x: "not reached" if x is None else f"{x:.2f}×"
            print(f"| {name} | {n} | {tau['mean']:.3f} ± {tau['std']:.3f} | {show(fewer.get('val'))} | {show(fewer.get('test'))} |")
    print("\nTrained models each method needed to reach the table's best validation accuracy (the "
          "oracle): median, 10th and 90th percentile over trials (a trial that never reached it counts as "
          "beyond the budget: '> budget' where such trials decide the figure), and in how many trials it was reached.\n")
    print("| dataset | method | median | p10 | p90 | reached |")
    print("|---|---|---|---|---|---|")
    for name, s in summaries:
        count = lambda x: f"> {s['budget']}" if x is None else f"{x:.0f}"
        for key, m in s["methods"].items():
            q = m.get("queries_to_oracle")
            if q is None:
                continue
            print(f"| {name} | {m['label']} | {count(q['median'])} | {count(q['p10'])} | {count(q['p90'])} "
                  f"| {q['found']} of {q['trials']} |")
    for name, s in summaries:
        print(f"\n{name}: {s['trials']} trials, seed {s['seed']}, {s['wall_seconds']:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
