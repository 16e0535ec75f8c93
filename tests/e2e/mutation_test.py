#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A bounded mutation run against a live exchanged (issue 13: never 5xx on bad input).

Starts a sandbox (scripts/sandbox), then sends a few thousand requests built
from valid ones by deterministic mutations of the method, the path, the query,
the headers and the body, over real mTLS to the API listener (as members, an
admin and the auditor) and to the enrollment listener (without a
certificate). Asserts: no response is 5xx, the exchanged process is the same
one afterwards (same PID, still running), and /readyz answers 200.

Python standard library only. Raw HTTP/1.1 over ssl sockets, so bytes that
http.client would refuse (invalid UTF-8 in a header, NUL, bare CR) go out as
they are. Environment: MUTATION_REQUESTS (default 3000), MUTATION_SEED
(default 13), EXCHANGE_BIN_DIR (where exchanged and exchangectl are).
"""

import json
import os
import random
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
PDQ = "f" * 64


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("export ") and "=" in line:
                key, value = line[len("export "):].split("=", 1)
                env[key] = value.strip("'\"")
    return env


class Connection:
    """One keep-alive HTTP/1.1 connection over TLS; reconnects when the server closes."""

    def __init__(self, host, port, ca, cert=None, key=None):
        self.host, self.port = host, port
        self.context = ssl.create_default_context(cafile=ca)
        self.context.check_hostname = False
        if cert:
            self.context.load_cert_chain(cert, key)
        self.sock = None
        self.buffer = b""

    def _connect(self):
        raw = socket.create_connection((self.host, self.port), timeout=30)
        self.sock = self.context.wrap_socket(raw, server_hostname="localhost")
        self.buffer = b""

    def close(self):
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None

    def _read_until(self, marker):
        while marker not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(marker, 1)
        return head

    def _read_exactly(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def request(self, raw):
        """Sends raw request bytes; returns (status, headers dict, body). status 0: no answer."""
        for attempt in range(2):
            try:
                if self.sock is None:
                    self._connect()
                self.sock.sendall(raw)
                head = self._read_until(b"\r\n\r\n").decode("latin-1")
                lines = head.split("\r\n")
                status = int(lines[0].split(" ")[1])
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = self._read_exactly(int(headers.get("content-length", "0")))
                if headers.get("connection", "").lower() == "close":
                    self.close()
                return status, headers, body
            except (ConnectionError, ssl.SSLError, OSError):
                self.close()
                if attempt == 1:
                    return 0, {}, b""
        return 0, {}, b""


def build(method, target, headers, body):
    out = method + b" " + target + b" HTTP/1.1\r\nHost: localhost\r\n"
    for name, value in headers:
        out += name + b": " + value + b"\r\n"
    out += b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    return out


def seeds(csr_pem, year):
    """Valid requests: (listener, who, method, target, headers, body)."""
    j = [(b"Content-Type", b"application/json"), (b"Accept", b"application/json")]
    sig = {"signals": [{"kind": "md5", "value": MD5, "category": "A1", "labels": ["x"], "principles": [1],
                        "source_ref": "case-1"},
                       {"kind": "url", "value": "https://bad.example/a", "category": "B1"}]}
    out = [
        ("api", "alpha", b"GET", b"/v1/whoami", [], b""),
        ("api", "alpha", b"GET", b"/v1/logs", j, b""),
        ("api", "alpha", b"GET", b"/v1/keys", j, b""),
        ("api", "alpha", b"GET", b"/v1/collections", j, b""),
        ("api", "alpha", b"GET", b"/v1/collections/csam-known/checkpoint", [], b""),
        ("api", "alpha", b"GET", b"/v1/collections/csam-known/entries?start=0&limit=10", j, b""),
        ("api", "beta", b"GET", b"/v1/collections/csam-known/proof/inclusion?index=0&size=1", j, b""),
        ("api", "beta", b"GET", b"/v1/collections/csam-known/proof/consistency?old=1&new=2", j, b""),
        ("api", "alpha", b"POST", b"/v1/collections/csam-known/signals",
         j + [(b"Idempotency-Key", b"mutation-1")], json.dumps(sig).encode()),
        ("api", "alpha", b"GET", b"/v1/collections/csam-known/signals/md5/" + MD5.encode(), j, b""),
        ("api", "beta", b"POST", b"/v1/collections/csam-known/opinions", j,
         json.dumps({"opinions": [{"kind": "md5", "value": MD5, "opinion": "confirm", "reason": "seen"}]}).encode()),
        ("api", "beta", b"POST", b"/v1/sightings", j,
         json.dumps({"sightings": [{"collection": "csam-known", "kind": "md5", "value": MD5,
                                    "observed_at": "2026-01-02T03:04:05Z", "action": "removed",
                                    "seconds_to_action": "60"}]}).encode()),
        ("api", "alpha", b"POST", b"/v1/collections/csam-known/lookup", j,
         json.dumps({"values": [{"kind": "md5", "value": MD5}], "pdq": [PDQ], "max_distance": 31,
                     "limit": 5}).encode()),
        ("api", "alpha", b"POST", b"/v1/collections/csam-known/retractions", j,
         json.dumps({"signals": [{"kind": "url", "value": "https://bad.example/a"}]}).encode()),
        ("api", "alpha", b"GET", b"/v1/reports/annual/" + year + b"?format=csv", [], b""),
        ("api", "auditor", b"GET", b"/v1/reports/annual/" + year + b"?variant=public&k=3", j, b""),
        ("api", "alpha", b"GET", b"/v1/credentials", j, b""),
        ("api", "alpha", b"GET", b"/v1/crl", [], b""),
        ("api", "auditor", b"GET", b"/v1/audit/entries?start=0&limit=5", j, b""),
        ("api", "auditor", b"GET", b"/v1/audit/checkpoint", [], b""),
        ("api", "admin1", b"GET", b"/v1/admin/applications?status=pending", j, b""),
        ("api", "admin1", b"GET", b"/v1/admin/orgs", j, b""),
        ("api", "admin1", b"POST", b"/v1/admin/invitations", j,
         json.dumps({"org_name": "Mutant Org", "slug": "mutant", "contact": "t@mutant.example",
                     "ttl_hours": 24}).encode()),
        ("api", "admin1", b"POST", b"/v1/collections", j,
         json.dumps({"collection": {"name": "mutant-set", "description": "d", "allowed_kinds": ["md5"]}}).encode()),
        ("api", "admin1", b"PUT", b"/v1/collections/mutant-set/grants/beta", j,
         json.dumps({"access": "read", "reason": "r"}).encode()),
        ("enroll", None, b"POST", b"/v1/enroll", j,
         json.dumps({"token": "0" * 64, "org_name": "Applicant", "legal_name": "Applicant Ltd",
                     "domain": "applicant.example", "contact": "t@applicant.example",
                     "legal_basis": "18 U.S.C. 2258A", "accept_principles": True, "csr_pem": csr_pem}).encode()),
        ("enroll", None, b"GET", b"/v1/enroll/app-00000000000000000000000000000000", j, b""),
        ("enroll", None, b"GET", b"/v1/crl", [], b""),
    ]
    return out


NASTY = [b"%ff", b"%00", b"%c3%28", b"%ed%a0%80", b"%", b"%zz", b"..", b"\xff", b"\xc3\xa9", b"x" * 3000,
         b"18446744073709551615", b"18446744073709551616", b"-1", b"9223372036854775808", b"0", b"1e9",
         b"%2F", b"'; DROP TABLE signals; --", b"\\u0000", b"\r", b" "]
NASTY_JSON = [None, True, -1, 0, 2 ** 64, 2 ** 63, -(2 ** 63) - 1, 1e308, "", "\u0000", "\ud800", "x" * 70000,
              [], {}, [[[[[]]]]], "18446744073709551615", "2026-13-45T99:99:99Z", "é" * 300]


def mutate_json(rng, value):
    if isinstance(value, dict) and value and rng.random() < 0.8:
        key = rng.choice(list(value))
        choice = rng.random()
        if choice < 0.15:
            del value[key]
        elif choice < 0.25:
            value[key + "_unknown"] = 1
        elif choice < 0.6:
            value[key] = mutate_json(rng, value[key])
        else:
            value[key] = rng.choice(NASTY_JSON)
        return value
    if isinstance(value, list) and value and rng.random() < 0.8:
        i = rng.randrange(len(value))
        choice = rng.random()
        if choice < 0.2:
            value.extend([value[i]] * rng.choice([1, 100, 10001]))
        elif choice < 0.6:
            value[i] = mutate_json(rng, value[i])
        else:
            value[i] = rng.choice(NASTY_JSON)
        return value
    return rng.choice(NASTY_JSON)


def mutate(rng, seed):
    listener, who, method, target, headers, body = seed
    headers = list(headers)
    for _ in range(rng.choice([1, 1, 2, 3])):
        kind = rng.random()
        if kind < 0.2:  # path segment
            path, _, query = target.partition(b"?")
            parts = path.split(b"/")
            i = rng.randrange(1, len(parts))
            parts[i] = rng.choice(NASTY) if rng.random() < 0.7 else parts[i] + rng.choice(NASTY)
            target = b"/".join(parts) + (b"?" + query if query else b"")
        elif kind < 0.35:  # query
            path, _, query = target.partition(b"?")
            pairs = [p for p in query.split(b"&") if p] or [b"start=0"]
            i = rng.randrange(len(pairs))
            name = pairs[i].split(b"=")[0]
            pairs[i] = name + b"=" + rng.choice(NASTY)
            if rng.random() < 0.3:
                pairs.append(rng.choice([b"limit", b"start", b"k", b"format", b"variant", b"status", b"index",
                                         b"size", b"old", b"new"]) + b"=" + rng.choice(NASTY))
            target = path + b"?" + b"&".join(pairs)
        elif kind < 0.45:  # method
            method = rng.choice([b"GET", b"POST", b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"HEAD"])
            if method == b"HEAD":
                method = b"GET"  # a HEAD answer has no body to read
        elif kind < 0.6:  # headers
            name = rng.choice([b"Content-Type", b"Accept", b"Idempotency-Key"])
            value = rng.choice([b"application/json", b"application/x-protobuf", b"application/json; charset=utf-8",
                                b"text/xml", b"*/*", b"", b"\xff\xfe", b"caf\xc3\xa9", b"k" * 201, b"a b",
                                b"application/protobuf"])
            headers = [(n, v) for n, v in headers if n != name] + [(name, value)]
        elif body:  # body
            choice = rng.random()
            if choice < 0.5 and body.startswith(b"{"):
                try:
                    body = json.dumps(mutate_json(rng, json.loads(body))).encode()
                except (ValueError, RecursionError):
                    pass
            elif choice < 0.7:
                body = body[: rng.randrange(len(body))]
            elif choice < 0.85:
                b = bytearray(body)
                for _ in range(rng.randint(1, 8)):
                    b[rng.randrange(len(b))] = rng.randrange(256)
                body = bytes(b)
            else:
                headers = [(n, v) for n, v in headers if n != b"Content-Type"] + [
                    (b"Content-Type", b"application/x-protobuf")]
                body = bytes(rng.randrange(256) for _ in range(rng.randint(1, 300)))
        else:
            body = rng.choice([b"{", b"\xff" * 10, b"{\"signals\": 5}", b"null"])
    return listener, who, method, target, headers, body


def main():
    bin_dir = os.environ.get("EXCHANGE_BIN_DIR", os.path.join(ROOT, "build", "bin"))
    count = int(os.environ.get("MUTATION_REQUESTS", "3000"))
    rng = random.Random(int(os.environ.get("MUTATION_SEED", "13")))
    work = tempfile.mkdtemp(prefix="exchange-mutation-")
    sandbox = os.path.join(work, "sb")
    env = dict(os.environ, EXCHANGE_BIN_DIR=bin_dir,
               # Rate limits would answer most mutated requests with 429 before any handler ran.
               EXCHANGE_ORG_RATE_LIMIT="0", EXCHANGE_ENROLL_RATE_LIMIT="1000000",
               EXCHANGE_FAILED_AUTH_RATE_LIMIT="1000000")
    try:
        subprocess.run([os.path.join(ROOT, "scripts", "sandbox"), "up", sandbox], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        e = read_env(os.path.join(sandbox, "env"))
        with open(os.path.join(sandbox, "exchanged.pid")) as f:
            pid = int(f.read().strip())
        key = os.path.join(work, "applicant.key")
        subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", key, "-out", os.path.join(work, "applicant.csr"), "-subj", "/CN=applicant"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(os.path.join(work, "applicant.csr")) as f:
            csr_pem = f.read()

        def port(url):
            return int(url.rsplit(":", 1)[1].split("/")[0])

        connections = {}

        def connection(listener, who):
            if (listener, who) not in connections:
                if listener == "enroll":
                    connections[(listener, who)] = Connection("127.0.0.1", port(e["ENROLL_URL"]), e["EXCHANGE_CA"])
                else:
                    up = who.upper()
                    connections[(listener, who)] = Connection("127.0.0.1", port(e["EXCHANGE_URL"]), e["EXCHANGE_CA"],
                                                              e[up + "_CERT"], e[up + "_KEY"])
            return connections[(listener, who)]

        all_seeds = seeds(csr_pem, time.strftime("%Y").encode())
        # The valid requests first: they must work (and give the mutations something to find).
        for seed in all_seeds:
            status, _, body = connection(seed[0], seed[1]).request(build(*seed[2:]))
            if status >= 500 or status == 0:
                print("FAIL: a valid request got %d: %r %r" % (status, seed[2], seed[3]), file=sys.stderr)
                return 1
        statuses = {}
        failures = []
        start = time.monotonic()
        for i in range(count):
            m = mutate(rng, rng.choice(all_seeds))
            status, _, body = connection(m[0], m[1]).request(build(*m[2:]))
            statuses[status] = statuses.get(status, 0) + 1
            if status >= 500:
                failures.append((status, m[2], m[3][:200], body[:300]))
        elapsed = time.monotonic() - start
        for c in connections.values():
            c.close()
        summary = ", ".join("%d: %d" % kv for kv in sorted(statuses.items()))
        print("%d mutated requests in %.1f s; statuses %s" % (count, elapsed, summary))
        ok = True
        if failures:
            ok = False
            print("FAIL: %d responses >= 500" % len(failures), file=sys.stderr)
            for f in failures[:20]:
                print("  %r" % (f,), file=sys.stderr)
        try:
            os.kill(pid, 0)
        except OSError:
            ok = False
            print("FAIL: exchanged (pid %d) is gone" % pid, file=sys.stderr)
        ops = e.get("OPS_URL") or e["METRICS_URL"].rsplit("/", 1)[0]
        try:
            ready = urllib.request.urlopen(ops + "/readyz", timeout=10).status
        except OSError as err:
            ready = str(err)
        if ready != 200:
            ok = False
            print("FAIL: /readyz answered %s" % ready, file=sys.stderr)
        with open(os.path.join(sandbox, "exchanged.pid")) as f:
            if int(f.read().strip()) != pid:
                ok = False
                print("FAIL: exchanged was restarted", file=sys.stderr)
        if not ok:
            with open(os.path.join(sandbox, "exchanged.log"), errors="replace") as f:
                sys.stderr.write(f.read()[-4000:])
        return 0 if ok else 1
    finally:
        subprocess.run([os.path.join(ROOT, "scripts", "sandbox"), "down", sandbox], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
