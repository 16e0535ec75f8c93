// SPDX-License-Identifier: Apache-2.0
// Internal helpers shared by the pki sources: OpenSSL error queue → Status,
// memory BIOs in and out, and the signature digest for a key (hex is
// common/hex.h).
//
// Not part of the module's public surface; include only from pki/*.cpp.
// Thread-safety: the error queue is per thread in OpenSSL, so each helper
// reads and clears only the calling thread's errors.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "pki/openssl_ptr.h"
#include "pki/subject_name.h"

namespace exchange::pki::internal {

// A Status "<what>: <openssl error>; <openssl error>..." built from (and
// clearing) the calling thread's OpenSSL error queue. When the queue is
// empty the message is just `what`.
Status OpenSslError(std::string_view what, ErrorCode code = ErrorCode::kInternal);

// A read-only memory BIO over `data`; `data` must outlive the BIO.
// Null (with the error queue set) when `data` exceeds INT_MAX bytes.
BioPtr ReadOnlyBio(std::string_view data);

// What `write` (a PEM_write_bio_* or i2d_*_bio call, 1 on success) writes
// into a fresh memory BIO; OpenSslError(failure) when it fails.
Result<std::string> WriteToBio(const std::function<int(BIO*)>& write, std::string_view failure);

// Appends `subject`'s attributes to `name`; InvalidArgument when the
// commonName is empty or an attribute is refused (e.g. too long).
Status AppendSubjectName(X509_NAME* name, const SubjectName& subject);

// The NID of an EC key's named curve; NID_undef for other keys or an
// unnamed curve.
int EcCurveNid(const EVP_PKEY* key);

// The first `nid` attribute of `name` as UTF-8; "" when absent. `label`
// names it in the InvalidArgument returned when it does not decode.
Result<std::string> NameAttribute(const X509_NAME* name, int nid, std::string_view label);

// A certificate serial as lowercase hex of whole bytes ("00" for zero, a
// leading '-' if negative), the same digits `openssl x509 -serial` prints.
Result<std::string> SerialHex(const ASN1_INTEGER* serial);

// `time` as RFC 3339 UTC ("2027-11-22T10:00:00Z"); `label` names it in
// the InvalidArgument returned when it does not decode.
Result<std::string> Rfc3339(const ASN1_TIME* time, std::string_view label);

// The digest to sign with `key`: SHA-256, or null for keys that sign the
// message directly (Ed25519, Ed448), as X509_sign and friends expect.
const EVP_MD* SignatureDigestFor(const EVP_PKEY* key);

}  // namespace exchange::pki::internal
