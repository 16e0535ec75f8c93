#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Canonical forms checked against references this project did not write.

Hundreds of table-driven cases: bases (scripts, NFD, Turkish i, German sharp s,
Greek final sigma, Armenian capitals, bidi labels, mixed scripts, emoji) times
the disguises members meet (fullwidth, upper case, soft hyphens, zero-width
spaces, ideographic full stops, NFD, surrounding and repeated white space).

  host names (domain, url host, e-mail domain): WHATWG URL "domain to ASCII",
    as browsers do it, from node's built-in url.domainToASCII; where Python's
    idna module (UTS #46, non-transitional) accepts the name too it must agree.
  text (keyword, e-mail local part): NFKC_Casefold from Python's unicodedata
    (NFKC, full case folding, NFKC again, default-ignorables removed) and
    white space collapsed.

The exchange's own stricter rules for `domain` (no leading or trailing '-',
no public suffix) are applied on top of the reference answer.
usage: signals_reference_test.py PATH/TO/canonicalize_tool
"""
import json
import subprocess
import sys
import unicodedata

import idna

TOOL = sys.argv[1]

# --- disguises -----------------------------------------------------------

def fullwidth(s):
    return "".join(chr(ord(c) - 0x21 + 0xFF01) if "!" <= c <= "~" and c != "." else c for c in s)

def soft_hyphen(s):
    return s[:2] + "\u00ad" + s[2:] if len(s) > 2 else s

def zero_width(s):
    return s[:1] + "\u200b" + s[1:]

def nfd(s):
    return unicodedata.normalize("NFD", s)

def nfkd(s):
    return unicodedata.normalize("NFKD", s)

def ideographic_stops(s):
    stops = ["\u3002", "\uff0e", "\uff61"]
    out, i = [], 0
    for c in s:
        if c == ".":
            out.append(stops[i % 3]); i += 1
        else:
            out.append(c)
    return "".join(out)

HOST_DISGUISES = {
    "as is": lambda s: s,
    "upper": lambda s: s.upper(),
    "fullwidth": fullwidth,
    "soft hyphen": soft_hyphen,
    "zero-width space": zero_width,
    "nfd": nfd,
    "ideographic full stops": ideographic_stops,
    "trailing dot": lambda s: s + ".",
    "title": lambda s: s.title(),
}

TEXT_DISGUISES = dict(HOST_DISGUISES)
del TEXT_DISGUISES["ideographic full stops"]
del TEXT_DISGUISES["trailing dot"]
TEXT_DISGUISES.update({
    "nfkd": nfkd,
    "surrounding white space": lambda s: "\u3000 \u00a0" + s + "\t\u2003",
    "repeated white space": lambda s: s.replace(" ", " \u00a0\t "),
})

HOSTS = [
    "example.com", "münchen.de", "ĐẠI.vn", "bücher.example", "пример.рф", "ελληνικά.gr", "例え.テスト",
    "faß.de", "straße.example", "ξένος.gr", "ὀδυσσεύς.gr", "i̇stanbul.example", "ıstanbul.example",
    "παράδειγμα.δοκιμή", "مثال.إختبار", "עברית.example", "pаypal.com", "аррӏе.com", "xn--mnchen-3ya.de",
    "日本語.jp", "한국어.kr", "ยูนิโค้ด.th", "हिन्दी.in", "ab-cd.example", "1password.com",
    "☃.net", "crème-brûlée.fr", "ǆemal.example",
]

TEXTS = [
    "grooming talk", "Café crème", "Straße", "İstanbul", "ıi Iİ", "ΣΊΣΥΦΟΣ", "ὈΔΥΣΣΕΎΣ", "ԱՐՄԵՆԻԱ Հայաստան",
    "ＧＲＯＯＭＩＮＧ talk", "ﬁnd ﬀ ﬃ", "①② ③", "㎞ ㍻", "Ⅻ ⅷ", "ǅ ǈ ǋ", "ᏣᎳᎩ ꮳꮃꭹ", "ÅNGSTRÖM Å",
    "KELVIN \u212a", "mixed Кириллица Latin", "עברית טקסט", "العربية نص", "日本語テキスト", "ｶﾀｶﾅ ﾃｷｽﾄ",
    "emoji 😀 ok", "ΜΆΪΟΣ", "ꞪǅꟅ", "the ΣΑΣ sigma", "Ⓐⓑⓒ", "𝐁𝐨𝐥𝐝 𝕯𝖔𝖚𝖇𝖑𝖊",
]

# Names UTS #46 refuses or treats specially, taken as they are.
HOST_EXTRAS = [
    "a\u200db.com", "a\u200cb.example", "\u0915\u094d\u200d\u0937.example", "xn--ab.com", "xn--a.com",
    "a\u05d0.com", "\u05d0a.com", "\u0301a.com", "xn--zca.de", "ΣΊΣΥΦΟΣ.gr", "ab--cd.example",
    "\u0661\u06f1.example", "a\ufffdb.com", "exa\U000e0001mple.com", "x\u0085y.com", "-lead.example",
    "trail-.example", "a.b.c.d.e.example", "\u2488x.example", "\u00bd.example", "XN--MNCHEN-3YA.DE",
    "xn--MNCHEN-3ya.de", "b\u00fccher\u3002example", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629.\u0645\u0635\u0631",
]

# Where node's WHATWG implementation (ada) is known to differ from the
# standard, Python's idna decides, and must refuse as the standard does.
# "aא": an LTR label holding an R character breaks RFC 5893 rules 1 and 5,
# which WHATWG asks for (CheckBidi=true) but ada does not check.
WHATWG_DEVIATIONS = {"a\u05d0.com"}

URL_HOSTS = ["example.com", "münchen.de", "ĐẠI.vn", "faß.de", "pаypal.com", "例え.テスト", "ξένος.gr"]

# --- references -----------------------------------------------------------

DEFAULT_IGNORABLE = [(0xAD, 0xAD), (0x34F, 0x34F), (0x61C, 0x61C), (0x115F, 0x1160), (0x17B4, 0x17B5),
                     (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
                     (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
                     (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF)]

def is_ignorable(c):
    return any(lo <= ord(c) <= hi for lo, hi in DEFAULT_IGNORABLE)

def nfkc_casefold(s):
    for _ in range(3):  # to a fixed point: folding can expose more to fold
        s = "".join(c for c in s if not is_ignorable(c))
        s = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", s).casefold())
    return s

def fold_text(s):
    return " ".join(nfkc_casefold(s).split())  # str.split(): Unicode White_Space runs

def whatwg_hosts(hosts):
    script = "const u=require('url');const a=JSON.parse(require('fs').readFileSync(0,'utf8'));" \
             "console.log(JSON.stringify(a.map(h=>u.domainToASCII(h))))"
    out = subprocess.run(["node", "-e", script], input=json.dumps(hosts), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)

def python_idna(host):
    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return None

def domain_rules(ascii_host):
    """The exchange's rules on top of WHATWG for a `domain` value; None: refused."""
    if not ascii_host:
        return None
    host = ascii_host[:-1] if ascii_host.endswith(".") else ascii_host
    labels = host.split(".")
    if len(labels) < 2 or any(not l or l[0] == "-" or l[-1] == "-" for l in labels):
        return None
    return host

# --- the table ------------------------------------------------------------

cases = []  # (kind, input, expected canonical or None for a refusal, description)
host_inputs = [(d, disguise(h)) for h in HOSTS for d, disguise in HOST_DISGUISES.items()]
host_inputs += [("special", h) for h in HOST_EXTRAS]
url_inputs = [(d, disguise(h)) for h in URL_HOSTS for d, disguise in HOST_DISGUISES.items() if d != "trailing dot"]
answers = whatwg_hosts([h for _, h in host_inputs] + [h for _, h in url_inputs])
disagreements = []
for (d, host), answer in zip(host_inputs, answers[:len(host_inputs)]):
    expected = domain_rules(answer)
    py = python_idna(host)
    if host in WHATWG_DEVIATIONS:
        if py is not None:
            disagreements.append((host, py, "a refusal (listed in WHATWG_DEVIATIONS)"))
        expected = None
    if py is not None and expected is not None and py.rstrip(".") != expected:
        disagreements.append((host, py, expected))
    cases.append(("domain", host, expected, "domain " + d))
    if expected is not None:
        cases.append(("account_id", "email:Some.One@" + host, "email:some.one@" + expected, "e-mail domain " + d))
for (d, host), answer in zip(url_inputs, answers[len(host_inputs):]):
    expected = "https://" + answer.rstrip(".") + "/a/b?c=d" if answer else None
    cases.append(("url", "HTTPS://" + host + "/a/b?c=d", expected, "url host " + d))
for t in TEXTS:
    for d, disguise in TEXT_DISGUISES.items():
        text = disguise(t)
        cases.append(("keyword", text, fold_text(text), "keyword " + d))
        local = "".join(text.split())
        cases.append(("account_id", "email:" + local + "@example.com",
                      "email:" + fold_text(local) + "@example.com", "e-mail local part " + d))

if disagreements:
    for host, py, whatwg in disagreements:
        print(f"references disagree on {host!r}: python idna {py!r}, WHATWG {whatwg!r}")
    sys.exit(1)

lines = "".join(f"{k}\t{v.encode('utf-8').hex()}\n" for k, v, _, _ in cases)
out = subprocess.run([TOOL], input=lines, capture_output=True, text=True, check=True).stdout.splitlines()
assert len(out) == len(cases), (len(out), len(cases))
passed = failed = 0
for (kind, value, expected, what), line in zip(cases, out):
    fields = line.split("\t")
    got = bytes.fromhex(fields[1]).decode("utf-8") if fields[0] == "ok" else None
    if got == expected:
        passed += 1
        continue
    failed += 1
    shown = "refusal: " + fields[1] if fields[0] == "error" else repr(got)
    print(f"FAIL {what}: {kind} {value!r}: expected {expected!r}, got {shown}")
print(f"signals_reference_test: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
