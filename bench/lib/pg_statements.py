# SPDX-License-Identifier: Apache-2.0
"""Reads PostgreSQL's statement log (log_min_duration_statement = 0).

    python3 pg_statements.py rows SERVER_LOG OFFSET [PER]
    python3 pg_statements.py explain SERVER_LOG OFFSET TEXT

Both read the log from byte OFFSET on (the start of the phase measured). Each
"duration: X ms  statement|parse|bind|execute NAME: SQL" entry, with the
lines that continue its SQL and its "parameters:" detail, is one call; parse
and bind steps are rows of their own, marked "(parse)" and "(bind)" (bind is
where PostgreSQL plans an unnamed statement).

rows: calls of the same SQL (whitespace folded) summed into one Markdown table
row "| statement | calls | total s | mean ms | p50 ms | p99 ms |", the most
time first; PER adds a column "ms per PER" (e.g. per batch).

explain: a psql script that prepares the slowest call whose SQL contains TEXT
and runs EXPLAIN (ANALYZE, BUFFERS) on it with that call's parameters (the
log must have kept them: log_parameter_max_length). Prints nothing if no call
matches.
"""
import re
import sys

ENTRY = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] (\w+):  (.*)$")
# Simple queries log "statement"; the extended protocol logs its parse, bind
# (where an unnamed statement is planned) and execute steps, each timed.
DURATION = re.compile(r"duration: ([0-9.]+) ms  (statement|parse|bind|execute)[^:]*: (.*)$")
# The benchmark's own statements that switch the log on and off.
BENCH_OWN = ("ALTER SYSTEM", "SELECT pg_reload_conf()")
PARAMETER = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")


def calls(text):
    """Yields (milliseconds, sql, parameters) for every logged call."""
    current = None  # [ms, sql lines, parameters, pid]
    for line in text.splitlines():
        entry = ENTRY.match(line)
        if entry is None:
            if current is not None and not current[2]:
                current[1].append(line.strip())
            continue
        pid, level, message = entry.groups()
        if level == "DETAIL" and current is not None and current[3] == pid and message.startswith("parameters:"):
            current[2] = [value for _, value in sorted(PARAMETER.findall(message), key=lambda p: int(p[0]))]
            continue
        if current is not None:
            yield current[0], " ".join(current[1]), current[2]
        current = None
        duration = DURATION.match(message) if level == "LOG" else None
        if duration:
            step = duration.group(2)
            prefix = f"({step}) " if step in ("parse", "bind") else ""
            current = [float(duration.group(1)), [prefix + duration.group(3).strip()], [], pid]
    if current is not None:
        yield current[0], " ".join(current[1]), current[2]


def percentile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def rows(logged, per):
    by_sql = {}
    for ms, sql, _ in logged:
        sql = re.sub(r"\s+", " ", sql).strip()
        if not sql.startswith(BENCH_OWN):
            by_sql.setdefault(sql, []).append(ms)
    for sql, times in sorted(by_sql.items(), key=lambda item: -sum(item[1])):
        times.sort()
        label = sql if len(sql) <= 90 else sql[:87] + "..."
        label = label.replace("|", "\\|").replace("`", "'")
        cells = [f"`{label}`", str(len(times)), f"{sum(times) / 1000:.2f}", f"{sum(times) / len(times):.3f}",
                 f"{percentile(times, 0.5):.3f}", f"{percentile(times, 0.99):.3f}"]
        if per:
            cells.append(f"{sum(times) / per:.1f}")
        print("| " + " | ".join(cells) + " |")


def explain(logged, text):
    matching = [call for call in logged if text in call[1] and not call[1].startswith("(")]
    if not matching:
        return
    _, sql, parameters = max(matching, key=lambda call: call[0])
    print(f"PREPARE bench_statement AS {sql};")
    arguments = f"({', '.join(parameters)})" if parameters else ""
    print(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_statement{arguments};")


def main():
    mode, path, offset = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(path, "rb") as f:
        f.seek(offset)
        logged = list(calls(f.read().decode("utf-8", "replace")))
    if mode == "rows":
        rows(logged, float(sys.argv[4]) if len(sys.argv) > 4 else None)
    elif mode == "explain":
        explain(logged, sys.argv[4])
    else:
        sys.exit(f"pg_statements.py: unknown mode {mode}")


if __name__ == "__main__":
    main()
