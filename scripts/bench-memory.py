"""Peak memory of `gcn-score` as its input grows: the encoded NAS-Bench-101 space streamed once
and REPEAT times (24 gives 10.2 million lines), through each backend. Prints a Markdown table.

Usage: python3 scripts/bench-memory.py BIN_DIR MODEL ENCODED_LINES [REPEAT]

The peak is the largest resident set among the pipeline's processes (`getrusage` of the
children), which is `gcn-score`'s: `cat` and the shell stay small.
"""
import platform
import shlex
import subprocess
import sys


def run(command):
    """Runs one shell pipeline in a fresh child; returns (seconds, peak MB, output lines)."""
    probe = (
        "import resource, subprocess, sys, time;"
        "t = time.time();"
        "out = subprocess.run(['bash', '-o', 'pipefail', '-c', sys.argv[1]], check=True, capture_output=True);"
        "print(time.time() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, out.stdout.decode().strip())"
    )
    # A fresh interpreter per run, so that one run's peak does not hide the next one's.
    text = subprocess.run([sys.executable, "-c", probe, command], check=True, capture_output=True, text=True).stdout
    seconds, peak_kb, lines = text.split()
    return float(seconds), int(peak_kb) / 1024, int(lines)


def main():
    bin_dir, model, encoded = sys.argv[1:4]
    repeat = int(sys.argv[4]) if len(sys.argv) > 4 else 24
    print(f"machine: {platform.machine()}, python {platform.python_version()}")
    print()
    print("| backend | lines | wall (s) | peak resident (MB) |")
    print("|---|---|---|---|")
    for backend in ("ort", "native"):
        for times in (1, repeat):
            source = f"for i in $(seq {times}); do cat {shlex.quote(encoded)}; done"
            score = f"{shlex.quote(bin_dir)}/gcn-score --backend {backend} -m {shlex.quote(model)}"
            seconds, peak, lines = run(f"{source} | {score} | wc -l")
            print(f"| {backend} | {lines:,} | {seconds:.1f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
