// SPDX-License-Identifier: Apache-2.0
#include "pki/pkcs12.h"

#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "pki/openssl_support.h"

namespace exchange::pki {
namespace {

struct Pkcs12Free {
  void operator()(PKCS12* p) const { PKCS12_free(p); }
};
struct CertStackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};

}  // namespace

Result<std::string> PackPkcs12(const Certificate& certificate, const PrivateKey& key,
                               std::span<const Certificate> ca_chain, std::string_view passphrase,
                               std::string_view friendly_name) {
  if (passphrase.size() < kMinPkcs12PassphraseBytes) {
    return Status::InvalidArgument("the passphrase must be at least " + std::to_string(kMinPkcs12PassphraseBytes) +
                                   " bytes");
  }
  if (X509_check_private_key(certificate.get(), key.get()) != 1) {
    return internal::OpenSslError("the private key does not belong to the certificate", ErrorCode::kInvalidArgument);
  }
  std::unique_ptr<STACK_OF(X509), CertStackFree> chain(sk_X509_new_null());
  if (!chain) return internal::OpenSslError("cannot allocate the CA list");
  for (const Certificate& ca : ca_chain) {
    if (X509_up_ref(ca.get()) != 1) return internal::OpenSslError("cannot reference a CA certificate");
    if (sk_X509_push(chain.get(), ca.get()) <= 0) {
      X509_free(ca.get());
      return internal::OpenSslError("cannot add a CA certificate");
    }
  }
  const std::string pass(passphrase), name(friendly_name);
  // AES-256-CBC (PBKDF2) for both bags, default iterations; no MAC yet (mac_iter -1): it is added
  // below with SHA-256 named explicitly rather than left to the library default.
  std::unique_ptr<PKCS12, Pkcs12Free> p12(PKCS12_create_ex(
      pass.c_str(), name.empty() ? nullptr : name.c_str(), key.get(), certificate.get(), chain.get(), NID_aes_256_cbc,
      NID_aes_256_cbc, PKCS12_DEFAULT_ITER, PKCS12_DEFAULT_ITER, -1, nullptr, nullptr));
  if (!p12) return internal::OpenSslError("cannot build the PKCS#12 file");
  if (PKCS12_set_mac(p12.get(), pass.c_str(), -1, nullptr, 0, PKCS12_DEFAULT_ITER, EVP_sha256()) != 1) {
    return internal::OpenSslError("cannot MAC the PKCS#12 file");
  }
  return internal::WriteToBio([&p12](BIO* bio) { return i2d_PKCS12_bio(bio, p12.get()); },
                              "cannot encode the PKCS#12 file");
}

}  // namespace exchange::pki
