// SPDX-License-Identifier: Apache-2.0
#include "net/tls_context.h"

#include <openssl/ssl.h>

#include <boost/system/system_error.hpp>

namespace exchange::net {
namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2 suites: ECDHE key exchange with AEAD only. TLS 1.3 suites are all acceptable.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Key exchange groups, TLS 1.2 and 1.3 alike: no finite-field groups
// (ffdhe2048-8192 invite D(HE)ater, CPU exhaustion by the client's choice).
constexpr const char* kGroups = "X25519:P-256:P-384";

// Session resumption with client certificates needs a context id.
constexpr unsigned char kSessionIdContext[] = "exchanged";

}  // namespace

Result<std::shared_ptr<ssl::context>> MakeServerTlsContext(const TlsFiles& files, bool require_client_certificate) {
  try {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use |
                     ssl::context::no_compression);
    SSL_CTX* native = ctx->native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1 || SSL_CTX_set1_groups_list(native, kGroups) != 1 ||
        SSL_CTX_set_session_id_context(native, kSessionIdContext, sizeof kSessionIdContext - 1) != 1) {
      return Status::Internal("cannot configure TLS protocol versions, ciphers or groups");
    }
    SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
    ctx->use_certificate_chain_file(files.certificate_chain);
    ctx->use_private_key_file(files.private_key, ssl::context::pem);
    ctx->load_verify_file(files.client_ca);
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca.c_str())) {
      SSL_CTX_set_client_CA_list(native, names);  // takes ownership
    }
    ctx->set_verify_mode(require_client_certificate ? ssl::verify_peer | ssl::verify_fail_if_no_peer_cert
                                                    : ssl::verify_none);
    return ctx;
  } catch (const boost::system::system_error& e) {
    return Status::InvalidArgument("TLS configuration (" + files.certificate_chain + ", " + files.private_key + ", " +
                                   files.client_ca + "): " + e.what());
  }
}

}  // namespace exchange::net
