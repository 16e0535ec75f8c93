// SPDX-License-Identifier: Apache-2.0
// Owning smart pointers for OpenSSL objects.
//
// Each alias is a std::unique_ptr whose deleter calls the matching OpenSSL
// *_free function, so an object is released on every return path. A null
// pointer is never passed to the free function (unique_ptr skips it).
// SharedOpenSslPtr is the copyable kind for reference-counted objects
// (certificates, public keys): a copy up-refs, each owner frees once.
//
// Thread-safety: as std::unique_ptr; the pointee's rules are OpenSSL's
// (its reference count is atomic, so copies may live on different threads).
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace exchange::pki {

// Calls `Free` on the pointer; one instantiation per OpenSSL free function.
template <auto Free>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OpenSslDeleter<ASN1_INTEGER_free>>;
using Asn1OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, OpenSslDeleter<ASN1_OCTET_STRING_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OpenSslDeleter<ASN1_TIME_free>>;
using BigNumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<EVP_PKEY_CTX_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OpenSslDeleter<GENERAL_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslDeleter<GENERAL_NAMES_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OpenSslDeleter<X509_CRL_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OpenSslDeleter<X509_NAME_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, OpenSslDeleter<X509_REQ_free>>;
using X509RevokedPtr = std::unique_ptr<X509_REVOKED, OpenSslDeleter<X509_REVOKED_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE_free>>;

// An owning pointer to a reference-counted OpenSSL object whose copies share
// it: copying calls `UpRef`, and every owner's destruction calls `Free`.
// Moving leaves the source null.
template <typename T, auto UpRef, auto Free>
class SharedOpenSslPtr {
 public:
  using Owned = std::unique_ptr<T, OpenSslDeleter<Free>>;

  SharedOpenSslPtr() = default;
  explicit SharedOpenSslPtr(Owned owned) : ptr_(std::move(owned)) {}
  SharedOpenSslPtr(const SharedOpenSslPtr& other) : ptr_(other.ptr_.get()) {
    if (ptr_) UpRef(ptr_.get());
  }
  SharedOpenSslPtr& operator=(const SharedOpenSslPtr& other) {
    if (this != &other) {
      if (other.ptr_) UpRef(other.ptr_.get());
      ptr_.reset(other.ptr_.get());
    }
    return *this;
  }
  SharedOpenSslPtr(SharedOpenSslPtr&&) noexcept = default;
  SharedOpenSslPtr& operator=(SharedOpenSslPtr&&) noexcept = default;

  T* get() const { return ptr_.get(); }

 private:
  Owned ptr_;
};

using SharedX509Ptr = SharedOpenSslPtr<X509, X509_up_ref, X509_free>;
using SharedEvpPkeyPtr = SharedOpenSslPtr<EVP_PKEY, EVP_PKEY_up_ref, EVP_PKEY_free>;

}  // namespace exchange::pki
