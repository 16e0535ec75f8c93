// SPDX-License-Identifier: Apache-2.0
// Certificate issuance: a self-signed root CA, an intermediate (issuing) CA,
// and TLS server and client leaf certificates.
//
// Every certificate is X.509 v3 with a positive 16-byte random serial,
// notBefore = now - 5 minutes (tolerates clock skew between hosts) and
// notAfter = now + validity, clamped so it never outlives the issuer.
// Signatures use SHA-256, or no separate digest for Ed25519/Ed448 issuer
// keys. The issuer key must match the issuer certificate, and the issuer
// must be a CA; otherwise nothing is signed.
//
// Stateless functions; they own nothing past the call. Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"
#include "pki/certificate.h"
#include "pki/key.h"
#include "pki/subject_name.h"

namespace exchange::pki {

// The longest validity any function here accepts.
inline constexpr std::chrono::seconds kMaxValidity = std::chrono::hours(24 * 365 * 50);

// A self-signed root: basicConstraints critical CA:TRUE (no path length
// limit), keyUsage critical keyCertSign+cRLSign, subjectKeyIdentifier.
// `validity` in (0, kMaxValidity].
Result<Certificate> MakeRootCa(const PrivateKey& key, const SubjectName& subject, std::chrono::seconds validity);

// An issuing CA under `parent`: basicConstraints critical CA:TRUE,
// pathlen:0 (it may sign only leaves), keyUsage critical keyCertSign+cRLSign,
// SKI and authorityKeyIdentifier. FailedPrecondition when `parent` may not
// sign CAs (not a CA, or pathlen:0 itself).
Result<Certificate> IssueIntermediateCa(const Certificate& parent, const PrivateKey& parent_key,
                                        const PublicKey& subject_key, const SubjectName& subject,
                                        std::chrono::seconds validity);

// A TLS server leaf: basicConstraints critical CA:FALSE, keyUsage critical
// digitalSignature, extendedKeyUsage serverAuth, SKI, AKI, and
// subjectAltName with every `dns_names` entry (LDH labels, optional leading
// "*.") and every `ip_addresses` entry (IPv4 dotted quad or IPv6 text).
// InvalidArgument when both lists are empty or an entry is malformed.
Result<Certificate> IssueServerCert(const Certificate& issuer, const PrivateKey& issuer_key,
                                    const PublicKey& subject_key, const SubjectName& subject,
                                    const std::vector<std::string>& dns_names,
                                    const std::vector<std::string>& ip_addresses, std::chrono::seconds validity);

// A TLS client leaf (a credential): as a server leaf but extendedKeyUsage
// clientAuth and no subjectAltName; the subject names the credential.
Result<Certificate> IssueClientCert(const Certificate& issuer, const PrivateKey& issuer_key,
                                    const PublicKey& subject_key, const SubjectName& subject,
                                    std::chrono::seconds validity);

}  // namespace exchange::pki
