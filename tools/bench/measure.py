"""Runs a command; prints JSON with its wall time, peak memory and stdout.

    python measure.py [--timeout SECONDS] COMMAND [ARGS...]

Peak memory is the children's maximum resident set size (getrusage), in
KiB. A command still running after the timeout is killed and reported with
"timed_out": true. Used by `cargo xtask bench-peers`.
"""
import json
import resource
import subprocess
import sys
import time

args = sys.argv[1:]
timeout = None
if args[:1] == ["--timeout"]:
    timeout, args = float(args[1]), args[2:]

start = time.perf_counter()
try:
    run = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    out, err, code, timed_out = run.stdout, run.stderr, run.returncode, False
except subprocess.TimeoutExpired as e:
    out, err, code, timed_out = e.stdout or b"", e.stderr or b"", None, True
wall = time.perf_counter() - start
print(json.dumps({
    "wall": wall,
    "timed_out": timed_out,
    "max_rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    "exit": code,
    "stdout": out.decode("utf-8", "replace"),
    "stderr": err.decode("utf-8", "replace")[-2000:],
}))
