"""The floor of a fresh process per job: a bare fork, _exit and wait of the
interpreter the sandbox runs, with the modules a worker imports loaded (so
the image is about a worker's size) and nothing else: no pipes, namespaces,
set-up or code in the child. BenchmarkForkFloor and make perf (the anchor of
the trivial-job row) run it.

    python3 -I -S forkfloor.py [N]     # default 1000

prints one line:  forkfloor: fork+exit+wait median M ms (p10 A, p90 B, N forks)
"""
import os
import sys
import time

# What a worker imports before it forks (see worker.py).
import bisect, collections, ctypes, errno, fcntl, functools, hashlib, heapq  # noqa: E401,F401
import itertools, json, math, re, resource, select, signal, socket, stat  # noqa: E401,F401
import string, typing  # noqa: E401,F401


def main(n):
    ds = []
    for _ in range(n):
        t = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        ds.append(time.perf_counter() - t)
    ds.sort()
    print("forkfloor: fork+exit+wait median %.3f ms (p10 %.3f, p90 %.3f, %d forks)"
          % (ds[n // 2] * 1e3, ds[n // 10] * 1e3, ds[n * 9 // 10] * 1e3, n))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
