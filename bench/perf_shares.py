"""Inclusive shares of a profile's functions, from ``perf script``: where the compiled
screening engine spends its time.

py-spy sees Python frames, and mypyc's compiled functions are C (``--native`` was too
slow to finish on a screening run). ``perf`` samples them with their call chains even
on machines without hardware counters, with the software clock (session 19)::

    perf record -e cpu-clock -F 299 --call-graph dwarf,32768 -p PID -o perf.data
    perf script -i perf.data -F ip,sym --no-demangle > perf.txt
    python bench/perf_shares.py perf.txt                      # the engine's functions
    python bench/perf_shares.py perf.txt --callees CPyDef_score___bounded_values

A compiled function shows as ``CPyDef_<module>___<function>`` (a method as
``CPyDef_<module>___<method>_<Class>_obj_____call__`` when called as a bound method).
Each sample counts once for every function on its stack (inclusive); ``--callees`` gives,
for the samples under a function, the first function below it that is not a calling
wrapper (vectorcall, an lru_cache's, mypyc's ``CPyPy_`` entry), or ``<self>``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

# Frames that only pass a call on: skipped when looking for a function's callees.
WRAPPERS = (
    "_PyObject_Vectorcall",
    "PyObject_Vectorcall",
    "method_vectorcall",
    "_PyObject_MakeTpCall",
    "cfunction_vectorcall",
    "CPyPy_",
    "PyObject_Call",
    "_PyEval",
    "_PyFunction",
    "slot_tp_call",
    "bounded_lru_cache_wrapper",
    "PyVectorcall_Call",
    "_PyObject_Call",
    "PyObject_VectorcallMethod",
)


def stacks(lines: Iterator[str]) -> Iterator[list[str]]:
    """Each sample's stack, outermost frame first, from ``perf script -F ip,sym``: one
    frame a line (address, symbol), a blank line between samples."""
    frames: list[str] = []
    for line in lines:
        parts = line.split(None, 1)
        if not parts:
            if frames:
                yield frames[::-1]
            frames = []
            continue
        frames.append(parts[1].split("+0x")[0].strip() if len(parts) > 1 else "?")
    if frames:
        yield frames[::-1]


def inclusive(samples: list[list[str]], prefix: str) -> Counter[str]:
    """Samples under each function whose name starts with ``prefix`` (once a sample)."""
    found: Counter[str] = Counter()
    for frames in samples:
        found.update({frame for frame in frames if frame.startswith(prefix)})
    return found


def callees(samples: list[list[str]], function: str) -> Counter[str]:
    """For the samples under ``function``, the first real frame below its outermost call."""
    found: Counter[str] = Counter()
    for frames in samples:
        if function not in frames:
            continue
        at = frames.index(function) + 1
        while at < len(frames) and (frames[at].startswith(WRAPPERS) or frames[at] == function):
            at += 1
        found[frames[at] if at < len(frames) else "<self>"] += 1
    return found


def shares(found: Counter[str], total: int, top: int) -> dict[str, float]:
    """The ``top`` counts as percentages of all samples, largest first."""
    return {name: round(100 * count / total, 2) for name, count in found.most_common(top)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("script", type=Path, help="output of perf script -F ip,sym")
    parser.add_argument("--prefix", default="CPyDef_", help="functions listed (default: mypyc's)")
    parser.add_argument("--callees", help="list this function's callees instead")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    with args.script.open(encoding="utf-8", errors="replace") as lines:
        samples = list(stacks(lines))
    if not samples:
        raise SystemExit(f"{args.script}: no samples (is it `perf script -F ip,sym` output?)")
    found = callees(samples, args.callees) if args.callees else inclusive(samples, args.prefix)
    print(json.dumps({"samples": len(samples), "percent": shares(found, len(samples), args.top)}))


if __name__ == "__main__":
    main()
