#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reads a signal file the way python-threatexchange's file collaboration
(LocalFileSignalExchangeAPI.fetch_iter) does, and validates every value the
way the named pytx signal type's validate_signal_str does. Exit 0 and one
"<type> <count>" line per type when every line reads back exactly; exit 1
naming the first line pytx would drop, misread or refuse.

Written from reading pytx's source (threatexchange/exchanges/impl/file_api.py
and threatexchange/signal_type/*.py); it does not import pytx, which is not
packaged for Debian.
"""
import json
import re
import sys

HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def exact(pattern):
    # pytx normalises with strip().lower(); a value it would change is not exact.
    return lambda v: bool(pattern.match(v))


def non_empty(v):
    # SignalType.validate_signal_str: refuses "", returns strip().
    return bool(v) and v == v.strip()


def vpdq_frames(v):
    # The vpdq extension's json_to_vpdq: a JSON list of "pdq_hex,quality,timestamp" strings.
    try:
        frames = json.loads(v)
    except ValueError:
        return False
    if not isinstance(frames, list) or not frames:
        return False
    for frame in frames:
        parts = frame.split(",") if isinstance(frame, str) else []
        if len(parts) != 3 or not HEX64.match(parts[0]):
            return False
        try:
            quality, _ = int(parts[1]), float(parts[2])
        except ValueError:
            return False
        if not 0 <= quality <= 100:
            return False
    return True


VALIDATORS = {
    "video_md5": exact(HEX32),
    "video_sha256": exact(HEX64),
    "pdq": exact(HEX64),
    "url": non_empty,
    "raw_text": non_empty,
    "vpdq": vpdq_frames,
}


def main(path):
    counts = {}
    with open(path, "r", encoding="utf-8") as f:
        lines = f.readlines()
    for number, line in enumerate(lines, 1):
        if not line.endswith("\n"):
            return fail(number, "the last line has no line break")
        signal = line.strip()
        signal_type, _, value = signal.partition(" ")
        if not (signal_type and value):
            return fail(number, "pytx would skip it (no type or no value)")
        if signal + "\n" != line:
            return fail(number, "surrounding white space, which pytx strips")
        check = VALIDATORS.get(signal_type)
        if check is None:
            return fail(number, f"{signal_type!r} is not a pytx signal type name")
        if not check(value):
            return fail(number, f"{value!r} is not a valid {signal_type} signal")
        counts[signal_type] = counts.get(signal_type, 0) + 1
    for signal_type in sorted(counts):
        print(signal_type, counts[signal_type])
    return 0


def fail(number, why):
    print(f"line {number}: {why}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
