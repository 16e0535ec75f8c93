// SPDX-License-Identifier: Apache-2.0
// PKCS#12 bundles: a client certificate, its private key and the CA
// certificates above it, packed for import into a browser's certificate
// store (the web console signs in with the same mTLS identity as
// exchangectl).
//
// Only modern algorithms are written: AES-256-CBC with PBKDF2-HMAC-SHA256
// for the key and certificate bags and an HMAC-SHA256 MAC, as OpenSSL 3
// writes by default; Chrome, Firefox and Edge import these. The passphrase
// must not be empty: an unprotected private key is never written.
//
// Pure apart from OpenSSL; thread-safe (no shared state).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "pki/certificate.h"
#include "pki/key.h"

namespace exchange::pki {

// The shortest passphrase PackPkcs12 accepts.
inline constexpr size_t kMinPkcs12PassphraseBytes = 8;

// The DER bytes of a PKCS#12 file holding `certificate` (named
// `friendly_name` in the browser's list), `key` and `ca_chain` (may be
// empty). InvalidArgument when the key does not belong to the certificate
// or the passphrase is shorter than kMinPkcs12PassphraseBytes.
Result<std::string> PackPkcs12(const Certificate& certificate, const PrivateKey& key,
                               std::span<const Certificate> ca_chain, std::string_view passphrase,
                               std::string_view friendly_name);

}  // namespace exchange::pki
