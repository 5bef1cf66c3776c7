#!/usr/bin/env python3
"""Joins GpuCheck's and torch's benchmark lines into results.json and a text table.

    gpu_report.py BENCH_JAVA.jsonl BENCH_TORCH.jsonl RESULTS.json   (table on stdout)

Ratios against the issue's goals: device GEMMs >= 0.9 of torch.matmul, the device-resident pass
>= 0.7 of torch's pass, the pinned host-resident pass >= 0.8 of torch's pinned copy rate (GB/s
of x and t moved).
"""
import json
import os
import sys


def load(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip().startswith("{")]


def main(java_path, torch_path, out_path):
    ours, theirs = load(java_path), load(torch_path)
    index = {(r["kind"], r["dtype"], r["n"], r["d"], r["k"]): r for r in theirs}
    rows = []
    for r in ours:
        key = (r["dtype"], r["n"], r["d"], r["k"])
        goal, ref, metric = None, None, "tflops"
        if r["kind"] == "gemm-device":
            ref, goal = index.get(("gemm-device",) + key), 0.9
        elif r["kind"] == "pass-device":
            ref, goal = index.get(("pass-device",) + key), 0.7
        elif r["kind"] == "pass-pinned":
            ref, goal, metric = index.get(("copy-pinned",) + key), 0.8, "gbps"
        elif r["kind"] == "pass-heap":
            ref, metric = index.get(("copy-pageable",) + key), "gbps"
        ratio = r[metric] / ref[metric] if ref and ref[metric] else None
        rows.append({"ours": r, "torch": ref, "metric": metric, "ratio": ratio, "goal": goal,
                     "meets_goal": None if goal is None or ratio is None else ratio >= goal})
    with open(out_path, "w") as f:
        json.dump({"rows": rows, "torch_only": theirs}, f, indent=1)
    print("%-17s %-7s %-18s %10s %10s %10s %7s %6s %s" % (
        "kind", "dtype", "n x d x k", "ms", "ours", "torch", "ratio", "goal", "metric"))
    for row in rows:
        r, t = row["ours"], row["torch"]
        print("%-17s %-7s %-18s %10.3f %10.2f %10s %7s %6s %s" % (
            r["kind"], r["dtype"], "%dx%dx%d" % (r["n"], r["d"], r["k"]), r["seconds"] * 1e3,
            r[row["metric"]], "%.2f" % t[row["metric"]] if t else "-",
            "%.2f" % row["ratio"] if row["ratio"] is not None else "-",
            ">=%.1f" % row["goal"] if row["goal"] else "", row["metric"]))
    if not ours:
        print("(no java benchmark results)")
    if not theirs:
        print("(no torch benchmark results)")


if __name__ == "__main__":
    main(*sys.argv[1:4])
