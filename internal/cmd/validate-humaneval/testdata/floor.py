#!/usr/bin/env python3
"""The no-isolation floor of `make validate-humaneval`: every problem's
canonical solution and check() in this one Python process, one after the
other, with no sandbox, no fork and no time limit. Trusted input only (the
canonical solutions): it runs the programs as they are.

    python3 floor.py FILE      # .jsonl or .jsonl.gz

prints one line:  floor: passed P/N in S s
"""
import gzip
import json
import sys
import time


def main(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        probs = [json.loads(line) for line in f if line.strip()]
    start = time.perf_counter()
    passed = 0
    for p in probs:
        g = {"__name__": "solution"}
        try:
            exec(compile(p["prompt"] + p["canonical_solution"] + "\n" + p["test"], p["task_id"], "exec"), g)
            g["check"](g[p["entry_point"]])
            passed += 1
        except BaseException as e:  # noqa: BLE001 - report, go on
            print("FAIL %s: %s: %s" % (p["task_id"], type(e).__name__, e))
    print("floor: passed %d/%d in %.3f s" % (passed, len(probs), time.perf_counter() - start))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: floor.py FILE")
    main(sys.argv[1])
