#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The house rules of docs/architecture.md, checked over the source tree.

Every C++ file's `#include "folder/..."` lines must name folders its own
folder may include (the RULES table: the same arrows as the doc's picture),
the headers of the network, storage and metrics libraries may appear only
where the doc says they live (SYSTEM_HOMES), and pure folders (PURE) include
no file, socket or process header. Every header opens with a comment: its
purpose paragraph (after the SPDX line).

Usage: layering_test.py SOURCE_DIR. Prints every breach and exits 1 if any.
"""
import pathlib
import re
import sys

# folder -> the project folders its files may include ("exchange" is the generated
# wire types of schema/). A folder may always include itself.
RULES = {
    "exchange/common": set(),
    "exchange/version": set(),
    "exchange/log": {"common"},
    "exchange/signals": {"common", "log", "exchange"},
    "exchange/pdq": {"common", "signals"},
    "exchange/video": {"common", "signals", "pdq", "log"},
    "exchange/pki": {"common", "log"},
    "exchange/report": {"common", "log", "exchange"},
    "exchange/metrics": {"common", "version"},
    "exchange/store": {"common", "log", "signals", "exchange"},
    "exchange/http": {"common", "signals", "exchange"},
    "exchange/net": {"common", "http", "metrics"},
    "exchange/services": {"common", "log", "signals", "pdq", "pki", "store", "exchange", "metrics"},
    "exchange/api": {"common", "log", "signals", "pdq", "pki", "report", "store", "http", "services",
                     "exchange", "metrics"},
    "exchange/server": {"common", "version", "log", "signals", "pdq", "pki", "report", "metrics", "store",
                        "http", "net", "services", "api", "exchange"},
    # the client: pure shared code and its own libraries, never the server's
    "clients/exchangectl/formats": {"common", "signals", "log", "exchange"},
    "clients/exchangectl/transport": {"common", "log", "exchange", "formats"},
    "clients/exchangectl/mirror": {"common", "log", "signals", "pki", "exchange", "formats", "transport"},
    "clients/exchangectl/commands": {"common", "version", "log", "signals", "pdq", "video", "pki", "exchange",
                                     "formats", "transport", "mirror"},
    "clients/exchangectl": {"common", "version", "commands"},
    "exchange": {"common", "version", "server"},  # main.cpp only
}

# system header prefix -> the folders whose files may include it
SYSTEM_HOMES = {
    "pqxx/": {"exchange/store"},
    "sqlite3.h": {"clients/exchangectl/mirror"},
    "boost/asio": {"exchange/net", "exchange/server", "exchange/services", "clients/exchangectl/transport"},
    "boost/beast": {"exchange/http", "exchange/net", "exchange/server", "clients/exchangectl/transport"},
    "prometheus/": {"exchange/metrics", "exchange/server"},
    "libavformat/": {"exchange/video"},
    "libavcodec/": {"exchange/video"},
    "libswscale/": {"exchange/video"},
    "libavutil/": {"exchange/video"},
}

# Pure code: no files, sockets, processes or databases (it decodes and computes
# from memory; whoever calls it does the I/O).
PURE = {"exchange/log", "exchange/signals", "exchange/pdq", "exchange/report", "exchange/http"}
IO_HEADERS = ("fstream", "filesystem", "unistd.h", "fcntl.h", "sys/socket.h", "sys/stat.h", "sys/wait.h",
              "netinet/", "arpa/", "poll.h")

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def folder_of(path: pathlib.Path, root: pathlib.Path) -> str:
    parts = path.relative_to(root).parts[:-1]
    for n in range(len(parts), 0, -1):
        key = "/".join(parts[:n])
        if key in RULES:
            return key
    return ""


def main() -> int:
    root = pathlib.Path(sys.argv[1]).resolve()
    breaches = []
    checked = 0
    for base in ("exchange", "clients/exchangectl"):
        for path in sorted((root / base).rglob("*")):
            if path.suffix not in (".cpp", ".h") or not path.is_file():
                continue
            folder = folder_of(path, root)
            rel = path.relative_to(root)
            if not folder:
                breaches.append(f"{rel}: in a folder docs/architecture.md does not name")
                continue
            checked += 1
            text = path.read_text(encoding="utf-8")
            own = folder.rsplit("/", 1)[-1]
            allowed = RULES[folder] | {own}
            for bracket, name in INCLUDE.findall(text):
                if bracket == '"':
                    top = name.split("/", 1)[0] if "/" in name else ""
                    if top and top not in allowed:
                        breaches.append(f"{rel}: includes \"{name}\" ({folder} may include {sorted(allowed)})")
                else:
                    for prefix, homes in SYSTEM_HOMES.items():
                        if name.startswith(prefix) and folder not in homes:
                            breaches.append(f"{rel}: includes <{name}>, which lives in {sorted(homes)} only")
                    if folder in PURE and name.startswith(IO_HEADERS):
                        breaches.append(f"{rel}: includes <{name}> in pure code")
            if path.suffix == ".h":
                lines = [l for l in text.splitlines() if "SPDX-License-Identifier" not in l]
                if not lines or not lines[0].startswith("//"):
                    breaches.append(f"{rel}: does not open with its purpose paragraph")
    for b in breaches:
        print(b)
    print(f"layering: {checked} files checked, {len(breaches)} breaches")
    return 1 if breaches or checked < 100 else 0


if __name__ == "__main__":
    sys.exit(main())
