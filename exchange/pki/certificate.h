// SPDX-License-Identifier: Apache-2.0
// Certificate: one parsed X.509 certificate and the facts the exchange reads
// from it (fingerprint, subject, validity, serial, CA flag).
//
// A Certificate owns a reference to an immutable X509; copies share it
// (OpenSSL reference counting), so copying is cheap. get() lends the raw
// pointer for TLS setup; it stays valid while any copy lives. A moved-from
// Certificate may only be destroyed or assigned to.
//
// Accessors that convert through OpenSSL return Result: a certificate from
// the network may hold names or times OpenSSL cannot decode.
//
// Thread-safety: const methods may be called concurrently.
#pragma once

#include <openssl/x509.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "pki/key.h"
#include "pki/openssl_ptr.h"

namespace exchange::pki {

class Certificate {
 public:
  // The first "CERTIFICATE" block in `pem`; other PEM blocks before it are
  // skipped and anything after it is ignored. Use ParsePemChain for all.
  static Result<Certificate> FromPem(std::string_view pem);
  // Exactly one DER certificate; trailing bytes are refused.
  static Result<Certificate> FromDer(std::string_view der);
  // Shares an X509 someone else holds (e.g. the TLS peer's): up-refs it.
  // `x509` must be non-null.
  static Certificate FromX509(X509* x509);

  // Copies share the X509 (SharedOpenSslPtr).
  Certificate(const Certificate&) = default;
  Certificate& operator=(const Certificate&) = default;
  Certificate(Certificate&&) noexcept = default;
  Certificate& operator=(Certificate&&) noexcept = default;

  Result<std::string> ToPem() const;
  // The DER encoding (as received, for a parsed certificate), as bytes.
  Result<std::string> ToDer() const;

  // Lowercase hex (64 digits, no separators) of SHA-256 over the DER: the
  // key under which the server looks a caller's credential up. Equals
  // `openssl x509 -noout -fingerprint -sha256` without colons, lowercased.
  Result<std::string> Sha256Fingerprint() const;

  // The subject's first commonName / organizationName as UTF-8; "" when the
  // attribute is absent.
  Result<std::string> SubjectCommonName() const;
  Result<std::string> SubjectOrganization() const;

  // Validity bounds as RFC 3339 UTC, e.g. "2027-11-22T10:00:00Z".
  Result<std::string> NotBefore() const;
  Result<std::string> NotAfter() const;

  // The serial number as lowercase hex, whole bytes ("0a1b..."), the form
  // MakeCrlPem accepts. Same digits as `openssl x509 -serial`, lowercased.
  Result<std::string> SerialHex() const;

  // True when basicConstraints says cA=TRUE.
  bool IsCa() const;

  Result<PublicKey> GetPublicKey() const;

  X509* get() const { return x509_.get(); }

 private:
  explicit Certificate(X509Ptr x509) : x509_(std::move(x509)) {}

  SharedX509Ptr x509_;  // never null, except when moved from
};

// Every "CERTIFICATE" block in `pem`, in order (leaf first for a chain file).
// InvalidArgument when a block does not parse or there is none.
Result<std::vector<Certificate>> ParsePemChain(std::string_view pem);

}  // namespace exchange::pki
