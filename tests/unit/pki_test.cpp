// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/files.h"
#include "pki/certificate.h"
#include "pki/crl.h"
#include "pki/csr.h"
#include "pki/dev_pki.h"
#include "pki/issue.h"
#include "pki/key.h"
#include "pki/openssl_ptr.h"

namespace {

namespace fs = std::filesystem;
using namespace exchange::pki;
using namespace exchange;
using std::chrono::hours;

constexpr auto kDay = hours(24);
constexpr auto kYear = hours(24 * 365);

// Unwraps a Result in a test, failing the test (not crashing) on error.
template <typename T>
T Must(Result<T> result) {
  REQUIRE_MESSAGE(result.ok(), result.status().ToString());
  return std::move(result).value();
}

PublicKey PublicOf(const PrivateKey& key) { return Must(key.GetPublicKey()); }

// A root, an issuing CA under it, and their keys: what the exchange runs.
struct TestCa {
  PrivateKey root_key = Must(PrivateKey::GenerateP256());
  Certificate root = Must(MakeRootCa(root_key, {"Test Root", "Coalition", ""}, kYear));
  PrivateKey issuing_key = Must(PrivateKey::GenerateP256());
  Certificate issuing =
      Must(IssueIntermediateCa(root, root_key, PublicOf(issuing_key), {"Test Issuing CA", "Coalition", ""}, kYear));
};

Certificate NewClient(const TestCa& ca, const std::string& name, const std::string& org) {
  PrivateKey key = Must(PrivateKey::GenerateP256());
  return Must(IssueClientCert(ca.issuing, ca.issuing_key, PublicOf(key), {name, org, ""}, kDay));
}

// X509_verify_cert of `leaf` against a store trusting exactly `trusted`,
// with `untrusted` as the intermediates the peer would send. Returns the
// X509_V_* result (X509_V_OK on success).
int VerifyChain(const Certificate& leaf, const std::vector<Certificate>& untrusted,
                const std::vector<Certificate>& trusted, int purpose = 0, X509_CRL* crl = nullptr) {
  X509StorePtr store(X509_STORE_new());
  REQUIRE(store);
  for (const Certificate& cert : trusted) REQUIRE(X509_STORE_add_cert(store.get(), cert.get()) == 1);
  if (crl != nullptr) {
    REQUIRE(X509_STORE_add_crl(store.get(), crl) == 1);
    X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK);
  }
  STACK_OF(X509)* chain = sk_X509_new_null();  // borrows the certificates
  for (const Certificate& cert : untrusted) sk_X509_push(chain, cert.get());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), chain) == 1);
  if (purpose != 0) REQUIRE(X509_STORE_CTX_set_purpose(ctx.get(), purpose) == 1);
  int ok = X509_verify_cert(ctx.get());
  int error = X509_STORE_CTX_get_error(ctx.get());
  sk_X509_free(chain);
  return ok == 1 ? X509_V_OK : (error == X509_V_OK ? -1 : error);
}

std::string Sha256HexOfDer(X509* x509) {
  unsigned char* der = nullptr;
  int length = i2d_X509(x509, &der);
  REQUIRE(length > 0);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  REQUIRE(EVP_Digest(der, static_cast<std::size_t>(length), digest, &digest_length, EVP_sha256(), nullptr) == 1);
  OPENSSL_free(der);
  std::string hex;
  char pair[3];
  for (unsigned int i = 0; i < digest_length; ++i) {
    std::snprintf(pair, sizeof(pair), "%02x", digest[i]);
    hex += pair;
  }
  return hex;
}

// Parses "2027-11-22T10:00:00Z" to Unix seconds, or -1.
std::int64_t ParseRfc3339(const std::string& text) {
  std::tm tm{};
  if (text.size() != 20 || text[10] != 'T' || text[19] != 'Z') return -1;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec) != 6) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm));
}

// PEM for a key the library would never generate (weak ones, for the policy).
PrivateKey KeyFrom(EVP_PKEY* raw) {
  EvpPkeyPtr key(raw);
  REQUIRE(key);
  BioPtr bio(BIO_new(BIO_s_mem()));
  REQUIRE(PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return Must(PrivateKey::FromPem(std::string(data, static_cast<std::size_t>(size))));
}

std::string DerToPem(const std::string& der, const char* label) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  REQUIRE(PEM_write_bio(bio.get(), label, "", reinterpret_cast<const unsigned char*>(der.data()),
                        static_cast<long>(der.size())) > 0);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string CsrDer(const CertificateRequest& csr) {
  unsigned char* der = nullptr;
  int length = i2d_X509_REQ(csr.get(), &der);
  REQUIRE(length > 0);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string name = "pki_test-" + std::string(6, 'X');  // mkdtemp fills in the X characters
    std::string pattern = (fs::temp_directory_path() / name).string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

unsigned FileMode(const fs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// Exit code of a shell command, or -1 if it did not exit normally.
int Run(const std::string& command) {
  int status = std::system((command + " >/dev/null 2>&1").c_str());
  return (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
}

std::string Quote(const fs::path& path) { return "'" + path.string() + "'"; }

}  // namespace

TEST_CASE("keys round-trip through unencrypted PKCS#8 PEM") {
  for (bool ed25519 : {false, true}) {
    CAPTURE(ed25519);
    PrivateKey key = Must(ed25519 ? PrivateKey::GenerateEd25519() : PrivateKey::GenerateP256());
    std::string pem = Must(key.ToPem());
    CHECK(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    PrivateKey reloaded = Must(PrivateKey::FromPem(pem));
    CHECK(EVP_PKEY_eq(key.get(), reloaded.get()) == 1);
    std::string public_pem = Must(key.PublicKeyPem());
    CHECK(public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    CHECK(Must(PublicOf(key).ToPem()) == public_pem);
    CHECK(Must(PublicKey::FromPem(public_pem)).Describe() == (ed25519 ? "Ed25519" : "EC P-256"));
  }
}

TEST_CASE("an encrypted or malformed private key is refused, never prompted for") {
  PrivateKey key = Must(PrivateKey::GenerateP256());
  BioPtr bio(BIO_new(BIO_s_mem()));
  char passphrase[] = "secret";
  REQUIRE(PEM_write_bio_PrivateKey(bio.get(), key.get(), EVP_aes_256_cbc(), nullptr, 0, nullptr, passphrase) == 1);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  Result<PrivateKey> encrypted = PrivateKey::FromPem(std::string(data, static_cast<std::size_t>(size)));
  CHECK(encrypted.status().code() == ErrorCode::kInvalidArgument);

  Result<PrivateKey> garbage = PrivateKey::FromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n");
  CHECK(garbage.status().code() == ErrorCode::kInvalidArgument);
  CHECK_FALSE(garbage.status().message().empty());
}

TEST_CASE("root, issuing CA and leaves form chains that OpenSSL verifies") {
  TestCa ca;
  PrivateKey server_key = Must(PrivateKey::GenerateP256());
  Certificate server = Must(IssueServerCert(ca.issuing, ca.issuing_key, PublicOf(server_key),
                                            {"localhost", "Coalition", ""}, {"localhost"}, {"127.0.0.1", "::1"}, kDay));
  Certificate client = NewClient(ca, "alpha-1", "alpha");

  CHECK(VerifyChain(server, {ca.issuing}, {ca.root}, X509_PURPOSE_SSL_SERVER) == X509_V_OK);
  CHECK(VerifyChain(client, {ca.issuing}, {ca.root}, X509_PURPOSE_SSL_CLIENT) == X509_V_OK);
  // The bundle the server ships (issuing + root) works as the trust store too.
  CHECK(VerifyChain(client, {}, {ca.issuing, ca.root}, X509_PURPOSE_SSL_CLIENT) == X509_V_OK);
  // Without the issuing CA there is no path to the root.
  CHECK(VerifyChain(client, {}, {ca.root}) == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  // A server certificate is not a client credential, and vice versa.
  CHECK(VerifyChain(server, {ca.issuing}, {ca.root}, X509_PURPOSE_SSL_CLIENT) == X509_V_ERR_INVALID_PURPOSE);
  CHECK(VerifyChain(client, {ca.issuing}, {ca.root}, X509_PURPOSE_SSL_SERVER) == X509_V_ERR_INVALID_PURPOSE);
}

TEST_CASE("a leaf from a foreign CA does not verify against our bundle") {
  TestCa ours;
  TestCa foreign;
  Certificate impostor = NewClient(foreign, "alpha-1", "alpha");
  CHECK(VerifyChain(impostor, {}, {ours.issuing, ours.root}) == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  // Even when the impostor also presents its own issuing CA.
  CHECK(VerifyChain(impostor, {foreign.issuing}, {ours.issuing, ours.root}) ==
        X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST_CASE("CA and leaf certificates carry the extensions their role needs") {
  TestCa ca;
  CHECK(ca.root.IsCa());
  CHECK(ca.issuing.IsCa());
  CHECK(X509_get_pathlen(ca.root.get()) == -1);
  CHECK(X509_get_pathlen(ca.issuing.get()) == 0);
  CHECK((X509_get_key_usage(ca.issuing.get()) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  CHECK(X509_get0_subject_key_id(ca.root.get()) != nullptr);
  CHECK(X509_get0_authority_key_id(ca.issuing.get()) != nullptr);
  CHECK(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(ca.issuing.get()), X509_get0_subject_key_id(ca.root.get())) ==
        0);
  CHECK(X509_check_issued(ca.root.get(), ca.issuing.get()) == X509_V_OK);

  PrivateKey server_key = Must(PrivateKey::GenerateP256());
  Certificate server =
      Must(IssueServerCert(ca.issuing, ca.issuing_key, PublicOf(server_key), {"exchange", "", ""},
                           {"exchange.example", "*.exchange.example"}, {"127.0.0.1", "::1", "10.1.2.3"}, kDay));
  CHECK_FALSE(server.IsCa());
  CHECK((X509_get_extended_key_usage(server.get()) & XKU_SSL_SERVER) != 0);
  CHECK((X509_get_extended_key_usage(server.get()) & XKU_SSL_CLIENT) == 0);
  CHECK((X509_get_key_usage(server.get()) & KU_DIGITAL_SIGNATURE) != 0);
  CHECK((X509_get_key_usage(server.get()) & KU_KEY_CERT_SIGN) == 0);
  CHECK(X509_check_host(server.get(), "exchange.example", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(server.get(), "api.exchange.example", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(server.get(), "other.example", 0, 0, nullptr) == 0);
  CHECK(X509_check_ip_asc(server.get(), "127.0.0.1", 0) == 1);
  CHECK(X509_check_ip_asc(server.get(), "::1", 0) == 1);
  CHECK(X509_check_ip_asc(server.get(), "10.1.2.3", 0) == 1);
  CHECK(X509_check_ip_asc(server.get(), "10.1.2.4", 0) == 0);

  Certificate client = NewClient(ca, "cred-7", "beta");
  CHECK_FALSE(client.IsCa());
  CHECK((X509_get_extended_key_usage(client.get()) & XKU_SSL_CLIENT) != 0);
  CHECK((X509_get_extended_key_usage(client.get()) & XKU_SSL_SERVER) == 0);
  CHECK(X509_get_ext_by_NID(client.get(), NID_subject_alt_name, -1) < 0);
}

TEST_CASE("certificate facts: fingerprint, subject, validity, serial") {
  TestCa ca;
  Certificate client = NewClient(ca, "cred-42", "alpha");

  std::string fingerprint = Must(client.Sha256Fingerprint());
  CHECK(fingerprint.size() == 64);
  CHECK(fingerprint == Sha256HexOfDer(client.get()));
  CHECK(
      std::all_of(fingerprint.begin(), fingerprint.end(), [](char c) { return std::isxdigit(c) && !std::isupper(c); }));
  CHECK(fingerprint != Must(ca.issuing.Sha256Fingerprint()));

  CHECK(Must(client.SubjectCommonName()) == "cred-42");
  CHECK(Must(client.SubjectOrganization()) == "alpha");
  CHECK(Must(ca.root.SubjectOrganization()) == "Coalition");

  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  std::int64_t not_before = ParseRfc3339(Must(client.NotBefore()));
  std::int64_t not_after = ParseRfc3339(Must(client.NotAfter()));
  CHECK(std::llabs(not_before - (now - 300)) <= 5);  // 5 minutes of clock skew allowed
  CHECK(std::llabs(not_after - (now + 86400)) <= 5);

  std::string serial = Must(client.SerialHex());
  CHECK(serial.size() == 32);  // 16 bytes
  CHECK(serial[0] >= '4');     // positive, top byte in use
  CHECK(serial[0] <= '7');
  CHECK(serial != Must(NewClient(ca, "cred-42", "alpha").SerialHex()));
  BigNumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(client.get()), nullptr));
  char* upper = BN_bn2hex(bn.get());
  std::string expected(upper);
  OPENSSL_free(upper);
  std::transform(expected.begin(), expected.end(), expected.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  CHECK(serial == expected);
}

TEST_CASE("certificates round-trip through PEM and DER; chains parse in order") {
  TestCa ca;
  Certificate client = NewClient(ca, "cred-1", "alpha");
  std::string pem = Must(client.ToPem());
  std::string der = Must(client.ToDer());
  CHECK(Must(Certificate::FromPem(pem).value().Sha256Fingerprint()) == Must(client.Sha256Fingerprint()));
  CHECK(Must(Certificate::FromDer(der).value().ToDer()) == der);
  CHECK(Certificate::FromDer(der + "x").status().code() == ErrorCode::kInvalidArgument);
  CHECK(Certificate::FromPem("not a certificate").status().code() == ErrorCode::kInvalidArgument);

  std::vector<Certificate> chain = Must(ParsePemChain(pem + Must(ca.issuing.ToPem()) + Must(ca.root.ToPem())));
  REQUIRE(chain.size() == 3);
  CHECK(Must(chain[0].SubjectCommonName()) == "cred-1");
  CHECK(Must(chain[1].SubjectCommonName()) == "Test Issuing CA");
  CHECK(Must(chain[2].SubjectCommonName()) == "Test Root");
  CHECK(ParsePemChain("").status().code() == ErrorCode::kInvalidArgument);
  std::string broken = pem + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  CHECK(ParsePemChain(broken).status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("issuance refuses a wrong key, a non-CA issuer and a too-deep chain") {
  TestCa ca;
  PrivateKey subject = Must(PrivateKey::GenerateP256());
  SubjectName name{"x", "alpha", ""};

  Result<Certificate> wrong_key = IssueClientCert(ca.issuing, ca.root_key, PublicOf(subject), name, kDay);
  CHECK(wrong_key.status().code() == ErrorCode::kInvalidArgument);

  PrivateKey leaf_key = Must(PrivateKey::GenerateP256());
  Certificate leaf = Must(IssueClientCert(ca.issuing, ca.issuing_key, PublicOf(leaf_key), name, kDay));
  CHECK(IssueClientCert(leaf, leaf_key, PublicOf(subject), name, kDay).status().code() ==
        ErrorCode::kFailedPrecondition);
  CHECK(IssueIntermediateCa(ca.issuing, ca.issuing_key, PublicOf(subject), name, kDay).status().code() ==
        ErrorCode::kFailedPrecondition);

  CHECK(IssueClientCert(ca.issuing, ca.issuing_key, PublicOf(subject), {"", "alpha", ""}, kDay).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(IssueClientCert(ca.issuing, ca.issuing_key, PublicOf(subject), name, std::chrono::seconds(0)).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(IssueServerCert(ca.issuing, ca.issuing_key, PublicOf(subject), name, {}, {}, kDay).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(IssueServerCert(ca.issuing, ca.issuing_key, PublicOf(subject), name, {}, {"300.1.1.1"}, kDay).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(IssueServerCert(ca.issuing, ca.issuing_key, PublicOf(subject), name, {"bad name,DNS:evil.example"}, {}, kDay)
            .status()
            .code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("a leaf never outlives its issuer") {
  TestCa ca;
  PrivateKey key = Must(PrivateKey::GenerateP256());
  Certificate leaf =
      Must(IssueClientCert(ca.issuing, ca.issuing_key, PublicOf(key), {"long", "alpha", ""}, kYear * 10));
  CHECK(Must(leaf.NotAfter()) == Must(ca.issuing.NotAfter()));
}

TEST_CASE("an Ed25519 CA signs certificates that verify") {
  PrivateKey root_key = Must(PrivateKey::GenerateEd25519());
  Certificate root = Must(MakeRootCa(root_key, {"Ed Root", "", ""}, kYear));
  PrivateKey key = Must(PrivateKey::GenerateP256());
  Certificate client = Must(IssueClientCert(root, root_key, PublicOf(key), {"ed-client", "alpha", ""}, kDay));
  CHECK(X509_get_signature_nid(client.get()) == NID_ED25519);
  CHECK(VerifyChain(client, {}, {root}, X509_PURPOSE_SSL_CLIENT) == X509_V_OK);
}

TEST_CASE("a CSR round-trips, and a tampered one fails its self-signature") {
  PrivateKey key = Must(PrivateKey::GenerateP256());
  CertificateRequest csr = Must(CertificateRequest::Create(key, {"applicant", "acme", ""}));
  std::string pem = Must(csr.ToPem());
  CHECK(pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));

  CertificateRequest parsed = Must(CertificateRequest::FromPem("\n" + pem + "\n\n"));
  CHECK(parsed.VerifySelfSignature().ok());
  CHECK(parsed.CheckKeyPolicy().ok());
  CHECK(Must(Must(parsed.GetPublicKey()).ToPem()) == Must(key.PublicKeyPem()));
  CHECK(Must(parsed.ToPem()) == pem);

  // Change one signed byte: the subject "applicant" becomes "applicaNt".
  std::string der = CsrDer(parsed);
  std::size_t at = der.find("applicant");
  REQUIRE(at != std::string::npos);
  der[at + 7] = 'N';
  CertificateRequest tampered = Must(CertificateRequest::FromPem(DerToPem(der, "CERTIFICATE REQUEST")));
  Status verified = tampered.VerifySelfSignature();
  CHECK(verified.code() == ErrorCode::kInvalidArgument);
  TestCa ca;
  CHECK(IssueClientCertFromCsr(ca.issuing, ca.issuing_key, tampered, {"cred-1", "acme", ""}, kDay).status().code() ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("CSR parsing is strict and bounded") {
  PrivateKey key = Must(PrivateKey::GenerateP256());
  std::string pem = Must(Must(CertificateRequest::Create(key, {"a", "", ""})).ToPem());
  CHECK(CertificateRequest::FromPem(pem + std::string(kMaxCsrPemBytes, '\n')).status().code() ==
        ErrorCode::kPayloadTooLarge);
  CHECK(CertificateRequest::FromPem("hello\n" + pem).status().code() == ErrorCode::kInvalidArgument);
  CHECK(CertificateRequest::FromPem(pem + "trailing text\n").status().code() == ErrorCode::kInvalidArgument);
  CHECK(CertificateRequest::FromPem(pem + pem).status().code() == ErrorCode::kInvalidArgument);
  CHECK(CertificateRequest::FromPem("").status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("the key policy accepts P-256, P-384, Ed25519, RSA-3072 and refuses weak keys") {
  auto policy = [](PrivateKey key) { return Must(CertificateRequest::Create(key, {"k", "", ""})).CheckKeyPolicy(); };
  CHECK(policy(Must(PrivateKey::GenerateP256())).ok());
  CHECK(policy(Must(PrivateKey::GenerateEd25519())).ok());
  CHECK(policy(KeyFrom(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"))).ok());
  CHECK(policy(KeyFrom(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{3072}))).ok());

  Status rsa1024 = policy(KeyFrom(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{1024})));
  CHECK(rsa1024.code() == ErrorCode::kInvalidArgument);
  CHECK(rsa1024.message().find("RSA-1024") != std::string::npos);

  Status p192 = policy(KeyFrom(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "prime192v1")));
  CHECK(p192.code() == ErrorCode::kInvalidArgument);
  CHECK(p192.message().find("P-192") != std::string::npos);

  // And no certificate is issued for such a key.
  TestCa ca;
  CertificateRequest weak = Must(CertificateRequest::Create(
      KeyFrom(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{1024})), {"k", "", ""}));
  CHECK(IssueClientCertFromCsr(ca.issuing, ca.issuing_key, weak, {"cred-1", "acme", ""}, kDay).status().code() ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("a certificate issued from a CSR carries the exchange's subject, not the CSR's") {
  TestCa ca;
  PrivateKey key = Must(PrivateKey::GenerateP256());
  CertificateRequest csr = Must(CertificateRequest::FromPem(
      Must(Must(CertificateRequest::Create(key, {"admin1", "coalition", "root"})).ToPem())));
  Certificate cert = Must(IssueClientCertFromCsr(ca.issuing, ca.issuing_key, csr, {"cred-0193", "acme", ""}, kDay));
  CHECK(Must(cert.SubjectCommonName()) == "cred-0193");
  CHECK(Must(cert.SubjectOrganization()) == "acme");
  X509_NAME* subject = X509_get_subject_name(cert.get());
  CHECK(X509_NAME_get_index_by_NID(subject, NID_organizationalUnitName, -1) < 0);
  CHECK(X509_NAME_entry_count(subject) == 2);
  // The certificate is for the applicant's key, and is a working credential.
  CHECK(X509_check_private_key(cert.get(), key.get()) == 1);
  CHECK(VerifyChain(cert, {ca.issuing}, {ca.root}, X509_PURPOSE_SSL_CLIENT) == X509_V_OK);
}

TEST_CASE("a CRL lists the revoked serials, is signed by the issuer and revokes in verification") {
  TestCa ca;
  Certificate revoked = NewClient(ca, "cred-1", "alpha");
  Certificate also_revoked = NewClient(ca, "cred-2", "alpha");
  Certificate good = NewClient(ca, "cred-3", "alpha");
  std::string revoked_serial = Must(revoked.SerialHex());
  std::string also_serial = Must(also_revoked.SerialHex());
  std::string upper = also_serial;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });

  std::string pem =
      Must(MakeCrlPem(ca.issuing, ca.issuing_key, {{revoked_serial, 1700000000}, {upper, 1700000100}}, kDay));
  CHECK(pem.starts_with("-----BEGIN X509 CRL-----\n"));

  CrlInfo info = Must(ParseCrl(pem));
  CHECK(info.issuer_common_name == "Test Issuing CA");
  CHECK(ParseRfc3339(info.next_update) - ParseRfc3339(info.this_update) == 86400);
  REQUIRE(info.revoked.size() == 2);
  std::vector<std::string> serials;
  for (const RevokedEntry& entry : info.revoked) {
    serials.push_back(entry.serial_hex);
    CHECK(entry.revoked_at == (entry.serial_hex == revoked_serial ? 1700000000 : 1700000100));
  }
  std::sort(serials.begin(), serials.end());
  std::vector<std::string> expected{revoked_serial, also_serial};
  std::sort(expected.begin(), expected.end());
  CHECK(serials == expected);

  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  REQUIRE(crl);
  CHECK(X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.issuing.get())) == 1);
  CHECK(X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.root.get())) != 1);

  CHECK(VerifyChain(good, {}, {ca.issuing, ca.root}, X509_PURPOSE_SSL_CLIENT, crl.get()) == X509_V_OK);
  CHECK(VerifyChain(revoked, {}, {ca.issuing, ca.root}, X509_PURPOSE_SSL_CLIENT, crl.get()) == X509_V_ERR_CERT_REVOKED);
  CHECK(VerifyChain(also_revoked, {}, {ca.issuing, ca.root}, X509_PURPOSE_SSL_CLIENT, crl.get()) ==
        X509_V_ERR_CERT_REVOKED);
}

TEST_CASE("CRL issuance refuses bad input") {
  TestCa ca;
  CHECK(Must(ParseCrl(Must(MakeCrlPem(ca.issuing, ca.issuing_key, {}, kDay)))).revoked.empty());
  CHECK(MakeCrlPem(ca.issuing, ca.issuing_key, {{"xyz", 0}}, kDay).status().code() == ErrorCode::kInvalidArgument);
  CHECK(MakeCrlPem(ca.issuing, ca.issuing_key, {{"0a", 0}, {"0A", 1}}, kDay).status().code() ==
        ErrorCode::kInvalidArgument);
  CHECK(MakeCrlPem(ca.issuing, ca.root_key, {}, kDay).status().code() == ErrorCode::kInvalidArgument);
  PrivateKey leaf_key = Must(PrivateKey::GenerateP256());
  Certificate leaf = Must(IssueClientCert(ca.issuing, ca.issuing_key, PublicOf(leaf_key), {"x", "", ""}, kDay));
  CHECK(MakeCrlPem(leaf, leaf_key, {}, kDay).status().code() == ErrorCode::kFailedPrecondition);
  CHECK(ParseCrl("nothing").status().code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("copies of a certificate or public key share it and outlive the original") {
  TestCa ca;
  const std::string pem = Must(ca.issuing.ToPem());
  std::optional<Certificate> original = Must(Certificate::FromPem(pem));
  Certificate copy = *original;
  CHECK(copy.get() == original->get());
  Certificate assigned = ca.root;
  assigned = *original;
  const Certificate& same = assigned;
  assigned = same;  // self-assignment keeps it
  CHECK(assigned.get() == original->get());
  Certificate moved = std::move(*original);
  CHECK(original->get() == nullptr);
  original.reset();
  CHECK(Must(copy.ToPem()) == pem);
  CHECK(Must(assigned.ToPem()) == pem);
  CHECK(Must(moved.ToPem()) == pem);

  std::optional<PublicKey> key = PublicOf(ca.issuing_key);
  const std::string key_pem = Must(key->ToPem());
  PublicKey key_copy = *key;
  CHECK(key_copy.get() == key->get());
  key.reset();
  CHECK(Must(key_copy.ToPem()) == key_pem);
}

TEST_CASE("private files are 0600 and public files 0644, whatever the umask") {
  TempDir dir;
  const fs::path key = dir.path() / "a.key";
  const fs::path cert = dir.path() / "a.pem";
  mode_t old_umask = ::umask(0);
  Status wrote_key = WritePrivateFile(key, "secret\n");
  Status wrote_cert = WritePublicFile(cert, "public\n");
  ::umask(old_umask);
  REQUIRE(wrote_key.ok());
  REQUIRE(wrote_cert.ok());
  CHECK(FileMode(key) == 0600);
  CHECK(FileMode(cert) == 0644);
  CHECK(Must(ReadFile(key, 100)) == "secret\n");

  // Replacing a world-readable file leaves it private.
  REQUIRE(::chmod(key.c_str(), 0644) == 0);
  REQUIRE(WritePrivateFile(key, "new secret\n").ok());
  CHECK(FileMode(key) == 0600);
  CHECK(Must(ReadFile(key, 100)) == "new secret\n");

  // No temporary files are left behind.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++entries;
  CHECK(entries == 2);

  CHECK(ReadFile(key, 5).status().code() == ErrorCode::kPayloadTooLarge);
  CHECK(ReadFile(dir.path() / "missing", 100).status().code() == ErrorCode::kNotFound);
  CHECK(WritePrivateFile(dir.path() / "no-such-dir" / "k", "x").code() == ErrorCode::kNotFound);
}

TEST_CASE("InitDevPki writes a working development PKI") {
  TempDir temp;
  const fs::path dir = temp.path() / "pki";
  REQUIRE(InitDevPki(dir, {}).ok());
  CHECK(FileMode(dir) == 0700);

  for (const char* name : {"root-ca", "issuing-ca", "server", "admin1", "admin2", "auditor", "alpha", "beta",
                           "foreign/root-ca", "foreign/client"}) {
    CAPTURE(name);
    const fs::path key_path = dir / (std::string(name) + ".key");
    const fs::path pem_path = dir / (std::string(name) + ".pem");
    CHECK(FileMode(key_path) == 0600);
    CHECK(FileMode(pem_path) == 0644);
    PrivateKey key = Must(PrivateKey::FromPem(Must(ReadFile(key_path, 1 << 16))));
    CHECK(EVP_PKEY_is_a(key.get(), "EC"));
    CHECK(Must(key.GetPublicKey()).Describe() == "EC P-256");
    std::vector<Certificate> chain = Must(ParsePemChain(Must(ReadFile(pem_path, 1 << 16))));
    CHECK(X509_check_private_key(chain.front().get(), key.get()) == 1);
  }

  std::vector<Certificate> bundle = Must(ParsePemChain(Must(ReadFile(dir / "ca-bundle.pem", 1 << 16))));
  REQUIRE(bundle.size() == 2);
  CHECK(Must(bundle[0].SubjectCommonName()) == "Coalition Hash Exchange Dev Issuing CA");
  CHECK(Must(bundle[1].SubjectCommonName()) == "Coalition Hash Exchange Dev Root CA");

  std::vector<Certificate> server = Must(ParsePemChain(Must(ReadFile(dir / "server.pem", 1 << 16))));
  REQUIRE(server.size() == 2);
  CHECK(Must(server[0].SubjectCommonName()) == "localhost");
  CHECK(X509_check_host(server[0].get(), "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(server[0].get(), "127.0.0.1", 0) == 1);
  CHECK(X509_check_ip_asc(server[0].get(), "::1", 0) == 1);
  CHECK(VerifyChain(server[0], {server[1]}, {bundle[1]}, X509_PURPOSE_SSL_SERVER) == X509_V_OK);

  struct Expected {
    const char* name;
    const char* org;
  };
  for (Expected who : {Expected{"admin1", "coalition"}, Expected{"auditor", "coalition"}, Expected{"alpha", "alpha"},
                       Expected{"beta", "beta"}}) {
    CAPTURE(who.name);
    std::vector<Certificate> chain =
        Must(ParsePemChain(Must(ReadFile(dir / (std::string(who.name) + ".pem"), 1 << 16))));
    REQUIRE(chain.size() == 2);
    CHECK(Must(chain[0].SubjectCommonName()) == who.name);
    CHECK(Must(chain[0].SubjectOrganization()) == who.org);
    CHECK(VerifyChain(chain[0], {chain[1]}, bundle, X509_PURPOSE_SSL_CLIENT) == X509_V_OK);
  }

  Certificate foreign = Must(Certificate::FromPem(Must(ReadFile(dir / "foreign" / "client.pem", 1 << 16))));
  CHECK(Must(foreign.SubjectCommonName()) == "admin1");  // an impostor of the first client
  CHECK(VerifyChain(foreign, {}, bundle) == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);

  // The openssl CLI agrees.
  const std::string verify = "openssl verify -CAfile " + Quote(dir / "ca-bundle.pem");
  CHECK(Run(verify + " " + Quote(dir / "alpha.pem")) == 0);
  CHECK(Run(verify + " -purpose sslclient " + Quote(dir / "admin2.pem")) == 0);
  CHECK(Run(verify + " -purpose sslserver " + Quote(dir / "server.pem")) == 0);
  CHECK(Run(verify + " " + Quote(dir / "foreign" / "client.pem")) != 0);

  // The fingerprint matches what `openssl x509 -fingerprint -sha256` prints.
  const fs::path fingerprint_out = temp.path() / "fingerprint.txt";
  REQUIRE(Run("openssl x509 -noout -fingerprint -sha256 -in " + Quote(dir / "alpha.pem") + " > " +
              Quote(fingerprint_out) + " 2>&1; test -s " + Quote(fingerprint_out)) == 0);
  std::string printed = Must(ReadFile(fingerprint_out, 1024));
  printed = printed.substr(printed.find('=') + 1);
  std::string normalized;
  for (char c : printed) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      normalized.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  Certificate alpha = Must(Certificate::FromPem(Must(ReadFile(dir / "alpha.pem", 1 << 16))));
  CHECK(normalized == Must(alpha.Sha256Fingerprint()));
}

TEST_CASE("InitDevPki refuses a non-empty directory unless forced, and bad client lists") {
  TempDir temp;
  REQUIRE(WritePublicFile(temp.path() / "notes.txt", "keep me\n").ok());
  CHECK(InitDevPki(temp.path(), {}).code() == ErrorCode::kAlreadyExists);
  CHECK_FALSE(fs::exists(temp.path() / "root-ca.key"));

  DevPkiOptions options;
  options.clients = {{"carol", "gamma"}};
  options.force = true;
  REQUIRE(InitDevPki(temp.path(), options).ok());
  CHECK(fs::exists(temp.path() / "carol.pem"));
  CHECK(fs::exists(temp.path() / "notes.txt"));
  CHECK_FALSE(fs::exists(temp.path() / "alpha.pem"));

  TempDir other;
  DevPkiOptions bad;
  bad.clients = {{"../escape", "alpha"}};
  CHECK(InitDevPki(other.path() / "a", bad).code() == ErrorCode::kInvalidArgument);
  bad.clients = {{"server", "alpha"}};
  CHECK(InitDevPki(other.path() / "b", bad).code() == ErrorCode::kInvalidArgument);
  bad.clients = {{"dana", "Not A Slug"}};
  CHECK(InitDevPki(other.path() / "c", bad).code() == ErrorCode::kInvalidArgument);
  bad.clients = {{"dana", "delta"}, {"dana", "delta"}};
  CHECK(InitDevPki(other.path() / "d", bad).code() == ErrorCode::kInvalidArgument);
  CHECK_FALSE(fs::exists(other.path() / "a"));
}
