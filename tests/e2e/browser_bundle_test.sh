#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 16: `exchangectl credentials export-browser` packs the caller's
# certificate, key and CA into a PKCS#12 file that the real openssl CLI reads
# back with the passphrase (AES-256-CBC, PBKDF2, SHA-256 MAC), and refuses a
# key that is not the certificate's, a short passphrase and an existing file.
# No services: certificates come from the openssl CLI.
set -euo pipefail
bin=${EXCHANGE_BIN_DIR:?}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
fail() { echo "FAIL: $*" >&2; exit 1; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
  -subj "/CN=Test Coalition CA" -days 2 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout member.key -out member.csr \
  -subj "/O=alpha/CN=alpha-member" 2>/dev/null
openssl x509 -req -in member.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out member.pem -days 1 2>/dev/null
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out other.key 2>/dev/null
printf 'correct horse battery\n' >pass.txt

ctl() { "$bin/exchangectl" credentials export-browser --cert member.pem --key "$1" --ca ca.pem --out "$2" \
  --passphrase-file "${3:-pass.txt}" </dev/null; }

ctl member.key member.p12 >out.txt || fail "export-browser failed: $(cat out.txt)"
[ "$(stat -c %a member.p12)" = 600 ] || fail "the .p12 is not mode 0600"

# The real openssl reads it back: the same certificate and key, the CA beside them.
openssl pkcs12 -in member.p12 -passin file:pass.txt -nodes -info >dump.txt 2>info.txt ||
  fail "openssl cannot read the .p12: $(cat info.txt)"
grep -q 'PBES2, PBKDF2, AES-256-CBC' info.txt || fail "bags are not AES-256-CBC with PBKDF2: $(cat info.txt)"
grep -q 'MAC: sha256' info.txt || fail "the MAC is not SHA-256: $(cat info.txt)"
openssl x509 -in member.pem -noout -pubkey >want.pub
openssl pkey -in dump.txt -pubout >got.pub 2>/dev/null || fail "no private key in the .p12"
cmp -s want.pub got.pub || fail "the key in the .p12 is not the certificate's"
grep -q 'subject=O = alpha, CN = alpha-member' dump.txt || fail "the member certificate is missing"
grep -q 'subject=CN = Test Coalition CA' dump.txt || fail "the CA certificate is missing"
grep -q 'friendlyName: alpha-member' dump.txt || fail "the browser's name for it is not the common name"

# A wrong passphrase opens nothing.
printf 'wrong passphrase\n' >wrong.txt
if openssl pkcs12 -in member.p12 -passin file:wrong.txt -nodes -noout 2>/dev/null; then
  fail "a wrong passphrase opened the .p12"
fi

# Refusals: another key, a short passphrase, an existing file; nothing written.
if ctl other.key other.p12 2>err.txt; then fail "a key that is not the certificate's was packed"; fi
grep -q 'does not belong to the certificate' err.txt || fail "unclear error for a foreign key: $(cat err.txt)"
[ ! -e other.p12 ] || fail "a refused export wrote a file"
printf 'short\n' >short.txt
if ctl member.key short.p12 short.txt 2>err.txt; then fail "a short passphrase was accepted"; fi
grep -q 'at least 8 bytes' err.txt || fail "unclear error for a short passphrase: $(cat err.txt)"
if ctl member.key member.p12 2>err.txt; then fail "an existing file was overwritten"; fi
grep -q 'exists' err.txt || fail "unclear error for an existing file: $(cat err.txt)"
# No terminal and no --passphrase-file: a clear error, not a hang.
if setsid "$bin/exchangectl" credentials export-browser --cert member.pem --key member.key --out tty.p12 \
  </dev/null 2>err.txt; then fail "exported without a passphrase"; fi
grep -q 'passphrase-file' err.txt || fail "unclear error without a terminal: $(cat err.txt)"
echo "browser bundle: ok"
