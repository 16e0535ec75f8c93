// SPDX-License-Identifier: Apache-2.0
// Vetting over mTLS: invitations, enrollment, the two-admin rule, issuance,
// suspension and revocation on the very next request, and every refusal a
// careful operator expects, each with a clear error.
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "common/files.h"
#include "exchange/v1/identity.pb.h"
#include "exchange/v1/vetting.pb.h"
#include "pki/certificate.h"
#include "pki/crl.h"
#include "pki/csr.h"
#include "pki/issue.h"
#include "pki/key.h"
#include "test_exchange.h"

using namespace exchange;
using exchange::testing::RunCommand;
using exchange::testing::TestExchange;

namespace {

std::string Invite(client::ApiClient& admin, const std::string& name, const std::string& slug = "") {
  v1::CreateInvitationRequest request;
  request.set_org_name(name);
  request.set_slug(slug);
  request.set_contact("trust@applicant.example");
  v1::Invitation invitation;
  Status s = admin.Call("POST", "/v1/admin/invitations", &request, &invitation);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return invitation.token();
}

std::string Csr(const pki::PrivateKey& key) {
  auto csr = pki::CertificateRequest::Create(key, pki::SubjectName{"applicant", "", ""});
  REQUIRE(csr.ok());
  return *csr->ToPem();
}

v1::EnrollRequest Application(const std::string& token, const std::string& csr_pem) {
  v1::EnrollRequest r;
  r.set_token(token);
  r.set_legal_name("Applicant Ltd");
  r.set_domain("applicant.example");
  r.set_contact("trust@applicant.example");
  r.set_legal_basis("a provider under 18 U.S.C. 2258A");
  r.set_accept_principles(true);
  r.set_csr_pem(csr_pem);
  return r;
}

std::unique_ptr<client::ApiClient> Enroller(const TestExchange& ex) {
  auto o = ex.ClientOptionsFor("");
  o.server = ex.enroll_url();
  return std::make_unique<client::ApiClient>(std::move(client::HttpsClient::Create(o)).value());
}

Status Enroll(const TestExchange& ex, const v1::EnrollRequest& request, v1::Application* out = nullptr) {
  v1::Application app;
  Status s = Enroller(ex)->Call("POST", "/v1/enroll", &request, &app);
  if (out) *out = app;
  return s;
}

Status Decide(client::ApiClient& admin, const std::string& id, const std::string& verb,
              v1::Application* out = nullptr) {
  v1::ReasonRequest reason;
  reason.set_reason("checked the application");
  v1::Application app;
  Status s = admin.Call("POST", "/v1/admin/applications/" + id + "/" + verb, &reason, &app);
  if (out) *out = app;
  return s;
}

void Psql(const TestExchange& ex, const std::string& sql) {
  auto r = RunCommand("psql -q -v ON_ERROR_STOP=1 '" + ex.database_url() + "' -c \"" + sql + "\" 2>&1");
  REQUIRE_MESSAGE(r.exit_code == 0, r.output);
}

// A client for the newly issued credential.
std::unique_ptr<client::ApiClient> AsMember(const TestExchange& ex, const pki::PrivateKey& key,
                                            const std::string& cert_pem, const std::string& dir) {
  const std::string cert_file = dir + "/member.pem", key_file = dir + "/member.key";
  std::FILE* f = std::fopen(cert_file.c_str(), "w");
  std::fputs(cert_pem.c_str(), f);
  std::fclose(f);
  f = std::fopen(key_file.c_str(), "w");
  std::fputs(key.ToPem()->c_str(), f);
  std::fclose(f);
  auto o = ex.ClientOptionsFor("");
  o.cert_file = cert_file;
  o.key_file = key_file;
  return std::make_unique<client::ApiClient>(std::move(client::HttpsClient::Create(o)).value());
}

}  // namespace

TEST_CASE("invite, enroll, two approvals, certificate, suspension, reinstatement, revocation, CRL") {
  TestExchange ex;
  auto [admin1, admin2] = ex.Clients("admin1", "admin2");
  auto key = std::move(pki::PrivateKey::GenerateP256()).value();
  const std::string token = Invite(*admin1, "Acme Social");

  v1::Application app;
  REQUIRE(Enroll(ex, Application(token, Csr(key)), &app).ok());
  CHECK(app.status() == "pending");
  CHECK(app.org() == "acme-social");

  SUBCASE("the token works once") {
    CHECK(Enroll(ex, Application(token, Csr(key))).code() == ErrorCode::kUnauthenticated);
  }
  SUBCASE("one approval is not enough, the same admin twice counts once, then a second admin issues") {
    v1::Application after;
    REQUIRE(Decide(*admin1, app.application_id(), "approve", &after).ok());
    CHECK(after.status() == "pending");
    CHECK(Decide(*admin1, app.application_id(), "approve").code() == ErrorCode::kAlreadyExists);
    v1::Application fetched;
    REQUIRE(Enroller(ex)->Call("GET", "/v1/enroll/" + app.application_id(), nullptr, &fetched).ok());
    CHECK(fetched.status() == "pending");
    CHECK(fetched.certificate_pem().empty());

    REQUIRE(Decide(*admin2, app.application_id(), "approve", &after).ok());
    CHECK(after.status() == "approved");
    REQUIRE(Enroller(ex)->Call("GET", "/v1/enroll/" + app.application_id(), nullptr, &fetched).ok());
    REQUIRE(fetched.status() == "approved");
    CHECK(fetched.certificate_pem().find("BEGIN CERTIFICATE") != std::string::npos);
    CHECK(Decide(*admin2, app.application_id(), "reject").code() == ErrorCode::kFailedPrecondition);

    auto member = AsMember(ex, key, fetched.certificate_pem(), ex.dir());
    v1::WhoAmIResponse me;
    REQUIRE(member->Call("GET", "/v1/whoami", nullptr, &me).ok());
    CHECK(me.org() == "acme-social");
    CHECK(me.role() == "member");

    v1::ReasonRequest reason;
    reason.set_reason("under investigation");
    REQUIRE(admin1->Call("POST", "/v1/admin/orgs/acme-social/suspend", &reason, nullptr).ok());
    CHECK(member->Call("GET", "/v1/whoami", nullptr, &me).code() ==
          ErrorCode::kPermissionDenied);  // the very next request
    REQUIRE(admin2->Call("POST", "/v1/admin/orgs/acme-social/reinstate", &reason, nullptr).ok());
    CHECK(member->Call("GET", "/v1/whoami", nullptr, &me).ok());
    REQUIRE(admin1->Call("POST", "/v1/admin/orgs/acme-social/revoke", &reason, nullptr).ok());
    CHECK(member->Call("GET", "/v1/whoami", nullptr, &me).code() == ErrorCode::kPermissionDenied);
    CHECK(admin1->Call("POST", "/v1/admin/orgs/acme-social/reinstate", &reason, nullptr).code() ==
          ErrorCode::kFailedPrecondition);

    auto crl = ex.Client("auditor")->GetText("/v1/crl");
    REQUIRE(crl.ok());
    auto parsed = pki::ParseCrl(*crl);
    REQUIRE(parsed.ok());
    auto cert = pki::Certificate::FromPem(fetched.certificate_pem());
    std::string serial = *cert->SerialHex();
    bool listed = false;
    for (const auto& r : parsed->revoked) listed = listed || r.serial_hex == serial;
    CHECK(listed);
  }
  SUBCASE("any admin may reject") {
    v1::Application after;
    REQUIRE(Decide(*admin2, app.application_id(), "reject", &after).ok());
    CHECK(after.status() == "rejected");
    CHECK(Decide(*admin1, app.application_id(), "approve").code() == ErrorCode::kFailedPrecondition);
  }
}

TEST_CASE("refusals, each with a clear error") {
  TestExchange ex;
  auto admin1 = ex.Client("admin1");
  auto key = std::move(pki::PrivateKey::GenerateP256()).value();

  SUBCASE("unknown and expired tokens") {
    CHECK(Enroll(ex, Application("not-a-token", Csr(key))).code() == ErrorCode::kUnauthenticated);
    const std::string token = Invite(*admin1, "Late Corp");
    Psql(ex, "UPDATE invitations SET expires_at = now() - interval '1 second'");
    CHECK(Enroll(ex, Application(token, Csr(key))).code() == ErrorCode::kUnauthenticated);
  }
  SUBCASE("CSRs that are forged, of a weak key, huge or malformed") {
    const std::string token = Invite(*admin1, "Csr Corp");
    std::string forged = Csr(key);
    forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
    for (const std::string& csr :
         {forged, std::string(20000, 'A'),
          std::string("-----BEGIN CERTIFICATE REQUEST-----\nnot base64\n-----END CERTIFICATE REQUEST-----\n"),
          std::string()}) {
      Status s = Enroll(ex, Application(token, csr));
      CHECK(s.code() == ErrorCode::kInvalidArgument);
      CHECK_MESSAGE(s.message().find("csr_pem") != std::string::npos, s.message());
    }
    Status huge = Enroll(ex, Application(token, std::string(100000, 'A')));
    CHECK(huge.code() == ErrorCode::kPayloadTooLarge);
    EVP_PKEY* weak = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024});
    REQUIRE(weak);
    auto weak_pem = [&] {
      auto k = pki::PrivateKey::FromPem([&] {
        BIO* bio = BIO_new(BIO_s_mem());
        PEM_write_bio_PrivateKey(bio, weak, nullptr, nullptr, 0, nullptr, nullptr);
        char* data = nullptr;
        long n = BIO_get_mem_data(bio, &data);
        std::string pem(data, static_cast<std::size_t>(n));
        BIO_free(bio);
        return pem;
      }());
      return Csr(*k);
    }();
    EVP_PKEY_free(weak);
    Status s = Enroll(ex, Application(token, weak_pem));
    CHECK(s.code() == ErrorCode::kInvalidArgument);
    CHECK(s.message().find("RSA") != std::string::npos);
    // The token survives refused attempts: a corrected application still works.
    CHECK(Enroll(ex, Application(token, Csr(key))).ok());
  }
  SUBCASE("principles not accepted, missing fields") {
    const std::string token = Invite(*admin1, "Careless Corp");
    auto request = Application(token, Csr(key));
    request.set_accept_principles(false);
    CHECK(Enroll(ex, request).message().find("principles") != std::string::npos);
    request = Application(token, Csr(key));
    request.set_legal_basis("");
    CHECK(Enroll(ex, request).message().find("legal_basis") != std::string::npos);
  }
  SUBCASE("members and auditors cannot call admin endpoints") {
    for (const std::string& who : {std::string("alpha"), std::string("auditor")}) {
      v1::CreateInvitationRequest request;
      request.set_org_name("Sneaky");
      request.set_contact("a@b.example");
      CHECK(ex.Client(who)->Call("POST", "/v1/admin/invitations", &request, nullptr).code() ==
            ErrorCode::kPermissionDenied);
      v1::ReasonRequest reason;
      reason.set_reason("because");
      CHECK(ex.Client(who)->Call("POST", "/v1/admin/orgs/beta/suspend", &reason, nullptr).code() ==
            ErrorCode::kPermissionDenied);
    }
  }
  SUBCASE("an admin cannot approve its own organisation, nor suspend it") {
    // The coalition's own slug is taken, so smuggle an application for it into the table.
    const std::string token = Invite(*admin1, "Own Corp", "own-corp");
    v1::Application app;
    REQUIRE(Enroll(ex, Application(token, Csr(key)), &app).ok());
    Psql(ex, "UPDATE applications SET org_slug = 'coalition'");
    Status s = Decide(*admin1, app.application_id(), "approve");
    CHECK(s.code() == ErrorCode::kPermissionDenied);
    CHECK(s.message().find("own organisation") != std::string::npos);
    v1::ReasonRequest reason;
    reason.set_reason("oops");
    CHECK(admin1->Call("POST", "/v1/admin/orgs/coalition/suspend", &reason, nullptr).code() ==
          ErrorCode::kPermissionDenied);
  }
  SUBCASE("names with quotes, SQL fragments and non-Latin scripts round-trip") {
    for (const auto& [name, slug] :
         std::vector<std::pair<std::string, std::string>>{{"O'Brien \"Safety\"; DROP TABLE organisations; --", ""},
                                                          {"Безопасность детей", "bezopasnost"},
                                                          {"子供の安全 🛡", "kodomo"}}) {
      const std::string token = Invite(*admin1, name, slug);
      auto request = Application(token, Csr(key));
      request.set_legal_name(name + " Ltd");
      v1::Application app;
      REQUIRE(Enroll(ex, request, &app).ok());
      CHECK(app.org_name() == name);
      v1::ListApplicationsResponse list;
      REQUIRE(admin1->Call("GET", "/v1/admin/applications?status=pending", nullptr, &list).ok());
      bool found = false;
      for (const auto& a : list.applications()) found = found || (a.legal_name() == name + " Ltd");
      CHECK(found);
    }
    v1::CreateInvitationRequest request;
    request.set_org_name("Только кириллица");
    request.set_contact("a@b.example");
    Status s = admin1->Call("POST", "/v1/admin/invitations", &request, nullptr);
    CHECK(s.code() == ErrorCode::kInvalidArgument);
    CHECK(s.message().find("give one") != std::string::npos);
  }
  SUBCASE("a member rotates its key; the old credential works until revoked") {
    auto alpha = ex.Client("alpha");
    v1::RotateCredentialRequest request;
    request.set_csr_pem(Csr(key));
    v1::RotateCredentialResponse rotated;
    REQUIRE(alpha->Call("POST", "/v1/credentials", &request, &rotated).ok());
    auto fresh = AsMember(ex, key, rotated.certificate_pem(), ex.dir());
    v1::WhoAmIResponse me;
    REQUIRE(fresh->Call("GET", "/v1/whoami", nullptr, &me).ok());
    CHECK(me.org() == "alpha");
    CHECK(me.credential_id() == rotated.credential().credential_id());
    v1::ListCredentialsResponse list;
    REQUIRE(fresh->Call("GET", "/v1/credentials", nullptr, &list).ok());
    CHECK(list.credentials_size() == 2);
    std::string old_id;
    for (const auto& c : list.credentials()) {
      if (!c.current()) old_id = c.credential_id();
    }
    v1::ReasonRequest reason;
    reason.set_reason("rotated");
    REQUIRE(fresh->Call("POST", "/v1/credentials/" + old_id + "/revoke", &reason, nullptr).ok());
    CHECK(alpha->Call("GET", "/v1/whoami", nullptr, &me).code() == ErrorCode::kPermissionDenied);
    CHECK(fresh->Call("GET", "/v1/whoami", nullptr, &me).ok());
    // Another organisation's credential is not yours to revoke.
    CHECK(fresh->Call("POST", "/v1/credentials/1/revoke", &reason, nullptr).code() == ErrorCode::kNotFound);
  }
}

namespace {

// "é" n times: n characters, 2n bytes.
std::string Accented(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += "\xc3\xa9";
  return out;
}

// Another certificate for the admin organisation, issued by the test CA and
// registered with `--holder` (its CN is `cn`).
client::ClientOptions AddAdminCertificate(const TestExchange& ex, const std::string& cn, const std::string& holder) {
  auto ca = pki::Certificate::FromPem(*ReadFile(ex.pki() + "/issuing-ca.pem", 64 * 1024));
  auto ca_key = pki::PrivateKey::FromPem(*ReadFile(ex.pki() + "/issuing-ca.key", 64 * 1024));
  REQUIRE(ca.ok());
  REQUIRE(ca_key.ok());
  auto key = pki::PrivateKey::GenerateP256();
  REQUIRE(key.ok());
  auto cert =
      pki::IssueClientCert(*ca, *ca_key, *key->GetPublicKey(), {cn, "coalition", "admin"}, std::chrono::hours(24));
  REQUIRE_MESSAGE(cert.ok(), cert.status().ToString());
  const std::string cert_file = ex.dir() + "/" + cn + ".pem", key_file = ex.dir() + "/" + cn + ".key";
  REQUIRE(WritePublicFile(cert_file, *cert->ToPem() + *ReadFile(ex.pki() + "/issuing-ca.pem", 64 * 1024)).ok());
  REQUIRE(WritePrivateFile(key_file, *key->ToPem()).ok());
  auto added = RunCommand(testing::BinDir() + "/exchanged credentials add --database '" + ex.database_url() +
                          "' --org coalition --role admin --cert '" + cert_file + "' --holder '" + holder + "' 2>&1");
  REQUIRE_MESSAGE(added.exit_code == 0, added.output);
  auto o = ex.ClientOptionsFor("");
  o.cert_file = cert_file;
  o.key_file = key_file;
  return o;
}

}  // namespace

TEST_CASE("two certificates of one admin are one approver") {
  TestExchange ex;
  auto admin1 = ex.Client("admin1");
  auto laptop = std::make_unique<client::ApiClient>(
      std::move(client::HttpsClient::Create(AddAdminCertificate(ex, "admin1-laptop", "admin1"))).value());
  auto key = std::move(pki::PrivateKey::GenerateP256()).value();
  v1::Application app;
  REQUIRE(Enroll(ex, Application(Invite(*admin1, "Two Keys Inc"), Csr(key)), &app).ok());

  v1::Application after;
  REQUIRE(Decide(*admin1, app.application_id(), "approve", &after).ok());
  // The same person with another certificate (another CN): refused, still pending.
  Status second = Decide(*laptop, app.application_id(), "approve", &after);
  CHECK(second.code() == ErrorCode::kAlreadyExists);
  CHECK(second.message().find("admin1 has already decided") != std::string::npos);
  v1::ListApplicationsResponse list;
  REQUIRE(admin1->Call("GET", "/v1/admin/applications?status=pending", nullptr, &list).ok());
  REQUIRE(list.applications_size() == 1);
  CHECK(list.applications(0).approved_by_size() == 1);
  // A different person approves: issued.
  REQUIRE(Decide(*ex.Client("admin2"), app.application_id(), "approve", &after).ok());
  CHECK(after.status() == "approved");
}

TEST_CASE("organisation names: the schema's bound at invitation and enrollment; the invited name stands") {
  TestExchange ex;
  auto [admin1, admin2] = ex.Clients("admin1", "admin2");
  auto key = std::move(pki::PrivateKey::GenerateP256()).value();

  // 300 characters (600 bytes) passed enrollment before and could never be approved.
  v1::CreateInvitationRequest invite;
  invite.set_org_name(Accented(300));
  invite.set_slug("long-name");
  invite.set_contact("trust@long.example");
  Status s = admin1->Call("POST", "/v1/admin/invitations", &invite, nullptr);
  CHECK(s.code() == ErrorCode::kInvalidArgument);
  CHECK(s.message().find("longer than 200 characters") != std::string::npos);

  auto request = Application(Invite(*admin1, "Invited Name", "invited"), Csr(key));
  request.set_org_name(std::string(300, 'n'));
  s = Enroll(ex, request);
  CHECK(s.code() == ErrorCode::kInvalidArgument);
  CHECK(s.message().find("org_name is longer than 200 characters") != std::string::npos);

  // 200 characters is the limit, and it can be approved; the applicant's
  // different name does not replace the one the admin invited.
  v1::Application app;
  request = Application(Invite(*admin1, Accented(200), "at-limit"), Csr(key));
  request.set_org_name("Applicant's Own Name");
  REQUIRE(Enroll(ex, request, &app).ok());
  CHECK(app.org_name() == Accented(200));
  REQUIRE(Decide(*admin1, app.application_id(), "approve").ok());
  v1::Application approved;
  REQUIRE(Decide(*admin2, app.application_id(), "approve", &approved).ok());
  CHECK(approved.status() == "approved");
  v1::ListOrganisationsResponse orgs;
  REQUIRE(admin1->Call("GET", "/v1/admin/orgs", nullptr, &orgs).ok());
  bool found = false;
  for (const auto& o : orgs.organisations()) found = found || (o.slug() == "at-limit" && o.name() == Accented(200));
  CHECK(found);
}

TEST_CASE("members mint credentials up to a cap; each issuance is audited") {
  TestExchange ex(testing::PgCluster::Shared(), {{"--max-member-credentials=3"}});
  auto alpha = ex.Client("alpha");
  auto rotate = [&] {
    auto key = std::move(pki::PrivateKey::GenerateP256()).value();
    v1::RotateCredentialRequest request;
    request.set_csr_pem(Csr(key));
    v1::RotateCredentialResponse response;
    return alpha->Call("POST", "/v1/credentials", &request, &response);
  };
  REQUIRE(rotate().ok());  // alpha now holds 2
  REQUIRE(rotate().ok());  // 3
  Status over = rotate();
  CHECK(over.code() == ErrorCode::kConflict);
  CHECK(over.message().find("revoke one first") != std::string::npos);
  v1::ListCredentialsResponse mine;
  REQUIRE(alpha->Call("GET", "/v1/credentials", nullptr, &mine).ok());
  CHECK(mine.credentials_size() == 3);
  // Revoking one makes room.
  v1::ReasonRequest reason;
  reason.set_reason("lost laptop");
  std::string other;
  for (const auto& c : mine.credentials()) {
    if (!c.current()) other = c.credential_id();
  }
  REQUIRE(alpha->Call("POST", "/v1/credentials/" + other + "/revoke", &reason, nullptr).ok());
  CHECK(rotate().ok());
  // Each issuance is in the audit log.
  auto count =
      RunCommand("psql -At '" + ex.database_url() +
                 "' -c \"SELECT count(*) FROM log_entries e JOIN logs l ON l.id = e.log_id "
                 "WHERE l.name = 'audit' AND position('credential.rotate' in encode(e.entry, 'escape')) > 0\"");
  CHECK(std::stoi(count.output) == 3);
}
