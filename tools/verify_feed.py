#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An independent verifier for the exchange's feed, written from RFC 9162 and
C2SP signed-note / tlog-checkpoint, sharing no code with exchanged: Python's
standard library for HTTPS and SHA-256, the openssl command for Ed25519.

  verify_feed.py vectors DIR
      checks the verification logic against transparency-dev's vectors
  verify_feed.py feed --server URL --ca F --cert F --key F --vkey VKEY
                      --log PATH [--origin O]
      fetches PATH/checkpoint (e.g. /v1/collections/csam-known), verifies its
      signature with VKEY, fetches every entry and checks they hash to the
      root, then checks inclusion proofs for a sample of leaves and a
      consistency proof from every earlier size given with --old.
      With --tiles it reads the log as C2SP tlog-tiles instead (PATH/tlog/):
      the checkpoint, every hash tile (each hash above level 0 must be the
      root of the full tile below it, and the tiles must hash to the
      checkpoint's root) and every entry bundle (each entry must hash to its
      level-0 tile hash); then the proofs as above.
Exits non-zero at the first failure.
"""
import argparse
import base64
import hashlib
import json
import os
import ssl
import subprocess
import sys
import tempfile
import urllib.request


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(leaves):
    """RFC 9162 2.1.1: the Merkle Tree Hash of a list of leaf hashes."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def past_right_edge(fn, sn):
    """RFC 9162 2.1.3.2 and 2.1.4.2: right-shift fn and sn until LSB(fn) is set or fn is 0 (at least once)."""
    while True:
        fn >>= 1
        sn >>= 1
        if fn & 1 or fn == 0:
            return fn, sn


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 2.1.3.2."""
    if index >= size or len(leaf) != 32:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                fn, sn = past_right_edge(fn, sn)
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(size1, size2, proof, root1, root2):
    """RFC 9162 2.1.4.2."""
    if size1 == 0 or size1 > size2:
        return False
    if size1 == size2:
        return len(proof) == 0 and root1 == root2
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # a power of two
        path = [root1] + path
    if not path:
        return False
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                fn, sn = past_right_edge(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == root1 and sr == root2 and sn == 0


def b64(s):
    return base64.b64decode(s, validate=True)


def run_vectors(directory):
    checked = 0
    for dirpath, _, files in os.walk(directory):
        for name in sorted(files):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(dirpath, name)) as f:
                v = json.load(f)
            proof = [b64(p) for p in (v.get("proof") or [])]
            try:
                if "leafIdx" in v:
                    ok = verify_inclusion(v["leafIdx"], v["treeSize"], b64(v["leafHash"] or ""), proof,
                                          b64(v["root"] or ""))
                else:
                    ok = verify_consistency(v["size1"], v["size2"], proof, b64(v["root1"] or ""),
                                            b64(v["root2"] or ""))
            except Exception:
                ok = False
            if ok == v["wantErr"]:
                sys.exit(f"vector {dirpath}/{name}: expected wantErr={v['wantErr']}")
            checked += 1
    print(f"independent verifier agrees with all {checked} vectors")


class Api:
    def __init__(self, server, ca, cert, key):
        self.server = server.rstrip("/")
        self.ctx = ssl.create_default_context(cafile=ca)
        self.ctx.load_cert_chain(cert, key)

    def get(self, path):
        req = urllib.request.Request(self.server + path, headers={"Accept": "application/json"})
        with urllib.request.urlopen(req, context=self.ctx) as r:
            return r.read()

    def json(self, path):
        return json.loads(self.get(path))


def ed25519_verify(public_key, message, signature):
    # SubjectPublicKeyInfo for Ed25519: a fixed 12-byte prefix and the 32-byte key.
    der = bytes.fromhex("302a300506032b6570032100") + public_key
    with tempfile.TemporaryDirectory() as d:
        for fname, data in (("pub.der", der), ("msg", message), ("sig", signature)):
            with open(os.path.join(d, fname), "wb") as f:
                f.write(data)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-keyform", "DER", "-inkey",
                            os.path.join(d, "pub.der"), "-in", os.path.join(d, "msg"), "-sigfile",
                            os.path.join(d, "sig")], capture_output=True)
        return r.returncode == 0


def verify_note(note, vkey):
    """C2SP signed-note: returns the note text when vkey's signature verifies."""
    name, keyid_hex, key_b64 = vkey.split("+", 2)  # base64 may hold "+" too
    key = b64(key_b64)
    if key[0] != 1 or len(key) != 33:
        sys.exit("the verifier key is not an Ed25519 note key")
    keyid = bytes.fromhex(keyid_hex)
    if hashlib.sha256(name.encode() + b"\n" + key).digest()[:4] != keyid:
        sys.exit("the verifier key's ID does not match its key")
    text, sep, sigs = note.partition("\n\n")
    if not sep:
        sys.exit("the note has no signature block")
    text += "\n"
    for line in sigs.splitlines():
        if not line.startswith("\u2014 "):
            sys.exit("malformed signature line: " + line)
        signer, sig_b64 = line[2:].rsplit(" ", 1)
        sig = b64(sig_b64)
        if signer == name and sig[:4] == keyid:
            if not ed25519_verify(key[1:], text.encode(), sig[4:]):
                sys.exit("the checkpoint's signature by " + name + " does NOT verify")
            return text
    sys.exit("the checkpoint is not signed by " + name)


TILE_WIDTH = 256


def tile_path(level, index, width):
    """c2sp.org/tlog-tiles: <L>/<N>[.p/<W>], N in 3-digit groups, all but the last prefixed with x."""
    groups = []
    while True:
        groups.append(index % 1000)
        index //= 1000
        if index == 0:
            break
    digits = "/".join(("x" if i else "") + f"{g:03d}" for i, g in reversed(list(enumerate(groups))))
    return f"tile/{level}/{digits}" + ("" if width == TILE_WIDTH else f".p/{width}")


def read_tiles(api, prefix, size, root):
    """Every hash tile of the tree of `size`, level by level; checks they agree and hash to `root`.
    Returns the hashes of each level (level L: one hash per complete 256**L leaves)."""
    levels = []
    level = 0
    while size >> (8 * level):
        count = size >> (8 * level)
        hashes = []
        for n in range((count + TILE_WIDTH - 1) // TILE_WIDTH):
            width = min(TILE_WIDTH, count - n * TILE_WIDTH)
            body = api.get(f"{prefix}/{tile_path(level, n, width)}")
            if len(body) != 32 * width:
                sys.exit(f"{tile_path(level, n, width)} is {len(body)} bytes, not {32 * width}")
            hashes += [body[i:i + 32] for i in range(0, len(body), 32)]
        levels.append(hashes)
        level += 1
    for level in range(1, len(levels)):
        for j, h in enumerate(levels[level]):
            if mth(levels[level - 1][j * TILE_WIDTH:(j + 1) * TILE_WIDTH]) != h:
                sys.exit(f"hash {j % TILE_WIDTH} of {tile_path(level, j // TILE_WIDTH, TILE_WIDTH)} is NOT the root "
                         f"of the tile below it")

    def subtree(lo, hi):
        """MTH(D[lo:hi]) from the highest tile hash that covers the range whole."""
        for level in range(len(levels) - 1, -1, -1):
            span = TILE_WIDTH ** level
            if hi - lo == span and lo % span == 0:
                return levels[level][lo // span]
        k = 1
        while k * 2 < hi - lo:
            k *= 2
        return node_hash(subtree(lo, lo + k), subtree(lo + k, hi))

    if (subtree(0, size) if size else hashlib.sha256(b"").digest()) != root:
        sys.exit("the tiles do NOT hash to the checkpoint's root")
    print(f"all {sum(len(h) for h in levels)} hashes of {len(levels)} tile levels agree and hash to the root")
    return levels


def read_bundles(api, prefix, size, leaf_hashes):
    """Every entry of the tree from its entry bundles, each checked against its level-0 tile hash."""
    entries = []
    for n in range((size + TILE_WIDTH - 1) // TILE_WIDTH):
        width = min(TILE_WIDTH, size - n * TILE_WIDTH)
        path = tile_path("entries", n, width)
        body = api.get(f"{prefix}/{path}")
        at, bundle = 0, []
        while at < len(body):
            if at + 2 > len(body):
                sys.exit(f"{path}: a length prefix is cut off")
            length = int.from_bytes(body[at:at + 2], "big")
            if at + 2 + length > len(body):
                sys.exit(f"{path}: entry {len(bundle)} runs past the end")
            bundle.append(body[at + 2:at + 2 + length])
            at += 2 + length
        if len(bundle) != width:
            sys.exit(f"{path} holds {len(bundle)} entries, not {width}")
        entries += bundle
    for i, entry in enumerate(entries):
        if leaf_hash(entry) != leaf_hashes[i]:
            sys.exit(f"entry {i} does NOT hash to its level-0 tile hash")
    print(f"all {size} entries of the entry bundles hash to the level-0 tiles")
    return entries


def run_feed(args):
    api = Api(args.server, args.ca, args.cert, args.key)
    prefix = args.log + "/tlog" if args.tiles else args.log
    text = verify_note(api.get(prefix + "/checkpoint").decode(), args.vkey)
    origin, size, root_b64 = text.splitlines()[:3]
    size, root = int(size), b64(root_b64)
    if args.origin and origin != args.origin:
        sys.exit(f"origin is {origin}, expected {args.origin}")
    print(f"checkpoint signature verifies: {origin} size {size} root {root_b64}")

    leaves = []
    if args.tiles:
        levels = read_tiles(api, prefix, size, root)
        leaves = [leaf_hash(e) for e in read_bundles(api, prefix, size, levels[0] if levels else [])]
    while len(leaves) < size:
        page = api.json(f"{args.log}/entries?start={len(leaves)}&limit=1000")
        if not page["entries"]:
            sys.exit("the log has fewer entries than its checkpoint says")
        leaves += [leaf_hash(b64(e)) for e in page["entries"]]
    leaves = leaves[:size]
    if mth(leaves) != root:
        sys.exit("the entries do NOT hash to the checkpoint's root")
    print(f"all {size} entries hash to the root")

    for index in sorted({0, size // 3, size // 2, size - 1}) if size else []:
        proof = [b64(h) for h in api.json(f"{args.log}/proof/inclusion?index={index}&size={size}")["hashes"]]
        if not verify_inclusion(index, size, leaves[index], proof, root):
            sys.exit(f"inclusion proof for leaf {index} does NOT verify")
    print("inclusion proofs verify")
    for old in args.old or [max(1, size // 2)] if size else []:
        proof = [b64(h) for h in api.json(f"{args.log}/proof/consistency?old={old}&new={size}")["hashes"]]
        if not verify_consistency(old, size, proof, mth(leaves[:old]), root):
            sys.exit(f"consistency proof {old} -> {size} does NOT verify")
    print("consistency proofs verify")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("vectors")
    v.add_argument("dir")
    f = sub.add_parser("feed")
    for name in ("server", "ca", "cert", "key", "vkey", "log"):
        f.add_argument("--" + name, required=True)
    f.add_argument("--origin")
    f.add_argument("--old", type=int, action="append")
    f.add_argument("--tiles", action="store_true", help="read the log as C2SP tlog-tiles (PATH/tlog/)")
    args = p.parse_args()
    run_vectors(args.dir) if args.cmd == "vectors" else run_feed(args)


if __name__ == "__main__":
    main()
