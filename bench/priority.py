"""Physical AI priority: classification throughput on one core (and, later, priority-queue latency).

Throughput: the descriptions of tests/data/physical_ai_labelled.jsonl, as they are (a few hundred
bytes each) and joined into PSST-sized descriptions of 1–3 KB, repeated to about --count of each,
classified back to back in this one process pinned to one CPU. Prints descriptions per second,
the sizes measured, and whether the 1–3 KB rate meets the target of 500 per second.

    .venv/bin/python bench/priority.py --count 5000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nup.priority import classify

LABELLED = Path(__file__).resolve().parent.parent / "tests" / "data" / "physical_ai_labelled.jsonl"
TARGET_PER_SECOND = 500
TYPICAL_BYTES = (1024, 3072)


def labelled_texts() -> list[str]:
    """Return the descriptions of the labelled set, in file order."""
    lines = LABELLED.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def typical_descriptions(texts: list[str]) -> list[str]:
    """Join consecutive labelled descriptions into PSST-sized ones, their sizes spread evenly over 1–3 KB of UTF-8."""
    low, high = TYPICAL_BYTES
    joined = []
    for start in range(len(texts)):
        target = low + (high - low) * start // len(texts)
        current = ""
        for text in texts[start:] + texts[:start]:
            longer = f"{current} {text}".strip()
            if len(longer.encode()) > high:
                break
            current = longer
            if len(current.encode()) >= target:
                break
        if len(current.encode()) >= low:
            joined.append(current)
    return joined


def rate(descriptions: list[str], count: int, rounds: int) -> tuple[float, int]:
    """Classify `count` descriptions (cycling through the list) `rounds` times; return the best rate and the count."""
    batch = [descriptions[i % len(descriptions)] for i in range(count)]
    best = 0.0
    for _ in range(rounds):
        started = time.perf_counter()
        for text in batch:
            classify(text)
        best = max(best, len(batch) / (time.perf_counter() - started))
    return best, len(batch)


def pin_to_one_core() -> str:
    """Run on a single CPU where the OS allows it, so the figure is per core."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here): one thread, one process"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def bench_priority_throughput(args: argparse.Namespace) -> None:
    """Print classification throughput for the labelled descriptions and for 1–3 KB descriptions."""
    print(f"throughput: {pin_to_one_core()}")
    texts = labelled_texts()
    typical = typical_descriptions(texts)
    classify(texts[0])  # warm up: the lexicon is compiled at import, this touches the code paths once
    rates = {}
    for name, descriptions in (("labelled set as is", texts), ("1-3 KB descriptions", typical)):
        sizes = [len(text.encode()) for text in descriptions]
        rates[name], count = rate(descriptions, args.count, args.rounds)
        print(
            f"  {name:22} {count:>6} descriptions, median {statistics.median(sizes):>5.0f} bytes "
            f"(min {min(sizes)}, max {max(sizes)}): {rates[name]:>7.0f} descriptions/s (best of {args.rounds})"
        )
    typical_rate = rates["1-3 KB descriptions"]
    verdict = "meets" if typical_rate >= TARGET_PER_SECOND else "MISSES"
    print(f"  target: >= {TARGET_PER_SECOND}/s for 1-3 KB descriptions on one core: {verdict} ({typical_rate:.0f}/s)")


# ---------------------------------------------------------------------------------------------
# STUB — queue latency of the priority work: to be written by the lead.
# ---------------------------------------------------------------------------------------------
def bench_priority_latency(args: argparse.Namespace) -> None:
    """Measure how long priority (Physical AI) work waits behind ordinary work in the queue. Not written yet."""
    print("latency: not written yet")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="descriptions classified per kind and round")
    parser.add_argument("--rounds", type=int, default=3, help="repeat and keep the best round")
    parser.add_argument("--part", choices=("throughput", "latency", "all"), default="all")
    args = parser.parse_args()
    if args.part in ("throughput", "all"):
        bench_priority_throughput(args)
    if args.part in ("latency", "all"):
        bench_priority_latency(args)


if __name__ == "__main__":
    main()
