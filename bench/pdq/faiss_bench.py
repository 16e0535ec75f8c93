#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""FAISS on the data pdq_bench wrote: IndexBinaryFlat (brute force) and
IndexBinaryMultiHash(256, 16, 16) with nflip 0 and 1, one thread, range
search at distance <= D. Recall is against IndexBinaryFlat's answer.

    faiss_bench.py DATA_DIR DISTANCE NAME...

Each NAME has NAME.stored and NAME.queries in DATA_DIR: 32-byte hashes, back
to back. Prints Markdown table rows in pdq_bench's columns.

Uses Debian's python3-faiss (hence /usr/bin/python3, not whatever python3
is first on PATH).
"""
import os
import pickle
import sys
import time

import faiss
import numpy as np


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def load(path):
    return np.fromfile(path, dtype=np.uint8).reshape(-1, 32)


def results(lims, ids):
    return [set(ids[lims[i]:lims[i + 1]].tolist()) for i in range(len(lims) - 1)]


def measure(make_index, stored, queries, radius):
    """Builds and queries one index in a forked child, so that its memory is
    measured in a process that never held another index (freed memory would
    otherwise be reused and hide the growth). Returns (results per query,
    queries/s, queries per CPU second, resident bytes per stored hash, build
    seconds)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        index = make_index()
        before = rss_bytes()
        start = time.perf_counter()
        index.add(stored)
        build = time.perf_counter() - start
        grown = rss_bytes() - before
        start, cpu = time.perf_counter(), time.thread_time()  # one OpenMP thread: this one
        lims, _, ids = index.range_search(queries, radius)
        wall, cpu = time.perf_counter() - start, time.thread_time() - cpu
        with os.fdopen(write_end, "wb") as out:
            pickle.dump((lims, ids, len(queries) / wall, len(queries) / cpu, grown / len(stored), build), out)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer:
        lims, ids, rate, cpu_rate, per_hash, build = pickle.load(answer)
    os.waitpid(pid, 0)
    return results(lims, ids), rate, cpu_rate, per_hash, build


def multi_hash(nflip):
    def make():
        index = faiss.IndexBinaryMultiHash(256, 16, 16)
        index.nflip = nflip
        return index
    return make


def main():
    data_dir, distance, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    faiss.omp_set_num_threads(1)
    radius = distance + 1  # FAISS returns distances strictly below the radius
    for name in names:
        label, kind = name.split("-", 1)
        stored = load(os.path.join(data_dir, name + ".stored"))
        queries = load(os.path.join(data_dir, name + ".queries"))
        print(f"faiss_bench: {name}: flat", file=sys.stderr)
        truth, rate, cpu_rate, per_hash, build = measure(lambda: faiss.IndexBinaryFlat(256), stored, queries, radius)
        expected = sum(len(t) for t in truth)
        print(f"| {label} | {kind} | FAISS IndexBinaryFlat | {rate:,.1f} | {cpu_rate:,.1f} | 100% | 0 | "
              f"{expected / len(queries):.1f} | {per_hash:.1f} | {build:.1f} |", flush=True)
        for nflip in (0, 1):
            print(f"faiss_bench: {name}: multi-hash nflip={nflip}", file=sys.stderr)
            found, rate, cpu_rate, per_hash, build = measure(multi_hash(nflip), stored, queries, radius)
            recalled = sum(len(f & t) for f, t in zip(found, truth))
            false = sum(len(f - t) for f, t in zip(found, truth))
            recall = 100.0 * recalled / expected if expected else 100.0
            print(f"| {label} | {kind} | FAISS IndexBinaryMultiHash(256,16,16) nflip={nflip} | {rate:,.1f} | "
                  f"{cpu_rate:,.1f} | {recall:.2f}% | {false} | {recalled / len(queries):.1f} | {per_hash:.1f} | "
                  f"{build:.1f} |", flush=True)


if __name__ == "__main__":
    main()
