// SPDX-License-Identifier: Apache-2.0
// The authorization matrix of docs/security.md ("Authorization matrix"),
// read from the document at run time and checked cell by cell against a real
// exchanged: every endpoint of both listeners, asked by every kind of caller
// with a request the endpoint accepts, must answer the status in the table
// (or refuse the TLS handshake where the table says "refused").
//
// The fixture is built once: collection "granted" with a write grant for
// alpha, beta with no grant anywhere, organisations "suspended-org" and
// "revoked-org" (write on "granted", then suspended / revoked through the
// admin API), signals in "granted", pending applications, spare credentials
// and target organisations for the admin verbs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "collections.h"
#include "common/files.h"
#include "common/time_format.h"
#include "exchange/v1/collections.pb.h"
#include "exchange/v1/identity.pb.h"
#include "exchange/v1/signals.pb.h"
#include "exchange/v1/vetting.pb.h"
#include "pki/certificate.h"
#include "pki/csr.h"
#include "pki/issue.h"
#include "pki/key.h"
#include "signals/stix.h"
#include "test_exchange.h"
#include "zlib.h"

using namespace exchange;
using exchange::testing::RunCommand;
using exchange::testing::TestExchange;

namespace {

// --- The table ---------------------------------------------------------------

const std::vector<std::string> kCallers = {"no certificate",
                                           "unknown certificate",
                                           "member with grant",
                                           "member without grant",
                                           "suspended",
                                           "revoked",
                                           "admin",
                                           "auditor"};

struct MatrixRow {
  int line = 0;  // in docs/security.md
  std::string listener, method, path;
  std::vector<std::pair<std::string, std::string>> cells;  // (caller, "403" or "refused"), well-formed ones only
};

struct Matrix {
  std::vector<MatrixRow> rows;
  std::size_t columns = 0;          // caller columns in the header
  std::vector<std::string> errors;  // anything malformed, with its line
};

std::string Trim(const std::string& s) {
  auto begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

// "| a | `b` |" -> {"a", "b"}
std::vector<std::string> Cells(const std::string& line) {
  std::string inner = Trim(line);
  if (!inner.empty() && inner.front() == '|') inner.erase(0, 1);
  if (!inner.empty() && inner.back() == '|') inner.pop_back();
  std::vector<std::string> out;
  std::stringstream in(inner);
  for (std::string cell; std::getline(in, cell, '|');) {
    cell = Trim(cell);
    if (cell.size() >= 2 && cell.front() == '`' && cell.back() == '`') cell = cell.substr(1, cell.size() - 2);
    out.push_back(cell);
  }
  return out;
}

Matrix ReadMatrix(const std::string& file) {
  Matrix m;
  std::ifstream in(file);
  if (!in) {
    m.errors.push_back("cannot read " + file);
    return m;
  }
  std::vector<std::pair<int, std::string>> section;  // the section's lines
  bool inside = false;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.rfind("## ", 0) == 0) {
      if (inside) break;
      inside = Trim(line) == "## Authorization matrix";
      continue;
    }
    if (inside) section.emplace_back(number, line);
  }
  if (section.empty()) {
    m.errors.push_back(file + " has no section '## Authorization matrix'");
    return m;
  }

  // The section's tables: runs of lines that start with '|'.
  std::vector<std::vector<std::pair<int, std::string>>> tables;
  bool in_table = false;
  for (const auto& [n, line] : section) {
    const bool row = Trim(line).rfind('|', 0) == 0;
    if (row && !in_table) tables.emplace_back();
    if (row) tables.back().emplace_back(n, line);
    in_table = row;
  }
  if (tables.size() != 1) {
    m.errors.push_back("the section must hold exactly one table, found " + std::to_string(tables.size()));
    if (tables.empty()) return m;
  }
  const auto& table = tables.front();
  const auto header = Cells(table[0].second);
  if (header.size() < 3 || header[0] != "listener" || header[1] != "method" || header[2] != "path") {
    m.errors.push_back("line " + std::to_string(table[0].first) +
                       ": the header must start with listener | method | path");
    return m;
  }
  std::vector<std::string> callers(header.begin() + 3, header.end());
  m.columns = callers.size();
  const std::set<std::string> wanted(kCallers.begin(), kCallers.end());
  if (std::set<std::string>(callers.begin(), callers.end()) != wanted || callers.size() != kCallers.size()) {
    m.errors.push_back("line " + std::to_string(table[0].first) +
                       ": the caller columns must be exactly: no certificate, unknown certificate, member with "
                       "grant, member without grant, suspended, revoked, admin, auditor");
  }
  static const std::regex kSeparator("^:?-+:?$");
  const auto separator = table.size() > 1 ? Cells(table[1].second) : std::vector<std::string>{};
  bool separator_ok = separator.size() == header.size();
  for (const auto& cell : separator) separator_ok = separator_ok && std::regex_match(cell, kSeparator);
  if (!separator_ok) m.errors.push_back("line " + std::to_string(table[0].first + 1) + ": expected the |---| row");

  static const std::regex kStatus("^[1-5][0-9][0-9]$");
  for (std::size_t i = 2; i < table.size(); ++i) {
    const auto& [n, line] = table[i];
    const auto cells = Cells(line);
    MatrixRow row;
    row.line = n;
    if (cells.size() >= 3) {
      row.listener = cells[0];
      row.method = cells[1];
      row.path = cells[2];
    }
    const std::string where =
        "line " + std::to_string(n) + " (" + row.listener + " " + row.method + " " + row.path + ")";
    if (cells.size() != header.size()) {
      m.errors.push_back(where + ": " + std::to_string(cells.size()) + " cells, the header has " +
                         std::to_string(header.size()));
    }
    if (row.listener != "api" && row.listener != "enroll") {
      m.errors.push_back(where + ": listener must be api or enroll");
    }
    for (std::size_t k = 3; k < cells.size() && k < header.size(); ++k) {
      if (cells[k] != "refused" && !std::regex_match(cells[k], kStatus)) {
        m.errors.push_back(where + ": cell '" + cells[k] + "' for " + header[k] + " is neither a status nor 'refused'");
        continue;
      }
      row.cells.emplace_back(header[k], cells[k]);
    }
    m.rows.push_back(std::move(row));
  }
  return m;
}

// --- The fixture -------------------------------------------------------------

const std::string kCollection = "granted";
const std::string kLookupMd5 = "0cc175b9c0f1b6a831c399e269772661";
const std::string kRetractMd5 = "92eb5ffee6ae2fec3ad71c777531578f";
const std::string kOtherMd5 = "4a8a08f09d37b73795649038408b5f33";

struct Credential {
  std::string cert_file, key_file;
};

// A member credential for `org` (created if new), issued with the test PKI's
// issuing CA and registered with `exchanged credentials add`.
Credential AddMember(const TestExchange& ex, const std::string& name, const std::string& org) {
  auto ca_pem = ReadFile(ex.pki() + "/issuing-ca.pem", 64 * 1024);
  auto ca_key_pem = ReadFile(ex.pki() + "/issuing-ca.key", 64 * 1024);
  REQUIRE(ca_pem.ok());
  REQUIRE(ca_key_pem.ok());
  auto ca = pki::Certificate::FromPem(*ca_pem);
  auto ca_key = pki::PrivateKey::FromPem(*ca_key_pem);
  auto key = pki::PrivateKey::GenerateP256();
  REQUIRE(ca.ok());
  REQUIRE(ca_key.ok());
  REQUIRE(key.ok());
  auto public_key = key->GetPublicKey();
  REQUIRE(public_key.ok());
  auto cert = pki::IssueClientCert(*ca, *ca_key, *public_key, {name, org, ""}, std::chrono::hours(24));
  REQUIRE_MESSAGE(cert.ok(), cert.status().ToString());
  auto cert_pem = cert->ToPem();
  auto key_pem = key->ToPem();
  REQUIRE(cert_pem.ok());
  REQUIRE(key_pem.ok());
  Credential c{ex.dir() + "/" + name + ".pem", ex.dir() + "/" + name + ".key"};
  REQUIRE(WritePublicFile(c.cert_file, *cert_pem + *ca_pem).ok());
  REQUIRE(WritePrivateFile(c.key_file, *key_pem).ok());
  auto added = RunCommand(testing::BinDir() + "/exchanged credentials add --database '" + ex.database_url() +
                          "' --org " + org + " --role member --cert '" + c.cert_file + "' 2>&1");
  REQUIRE_MESSAGE(added.exit_code == 0, added.output);
  return c;
}

client::ClientOptions OptionsWith(const TestExchange& ex, const Credential& c) {
  auto o = ex.ClientOptionsFor("");
  o.cert_file = c.cert_file;
  o.key_file = c.key_file;
  return o;
}

std::unique_ptr<client::ApiClient> ClientFor(const client::ClientOptions& o) {
  auto http = client::HttpsClient::Create(o);
  REQUIRE_MESSAGE(http.ok(), http.status().ToString());
  return std::make_unique<client::ApiClient>(std::move(http).value());
}

void Must(const Status& s, const std::string& what) {
  const std::string message = what + ": " + s.ToString();
  REQUIRE_MESSAGE(s.ok(), message);
}

std::string Csr() {
  auto key = pki::PrivateKey::GenerateP256();
  REQUIRE(key.ok());
  auto csr = pki::CertificateRequest::Create(*key, pki::SubjectName{"matrix", "", ""});
  REQUIRE(csr.ok());
  auto pem = csr->ToPem();
  REQUIRE(pem.ok());
  return *pem;
}

std::string Invite(client::ApiClient& admin, const std::string& slug) {
  v1::CreateInvitationRequest request;
  request.set_org_name("Matrix " + slug);
  request.set_slug(slug);
  request.set_contact("trust@" + slug + ".example");
  v1::Invitation invitation;
  Must(admin.Call("POST", "/v1/admin/invitations", &request, &invitation), "invitation for " + slug);
  return invitation.token();
}

v1::EnrollRequest Application(const std::string& token) {
  v1::EnrollRequest r;
  r.set_token(token);
  r.set_legal_name("Matrix Applicant Ltd");
  r.set_domain("applicant.example");
  r.set_contact("trust@applicant.example");
  r.set_legal_basis("a provider under 18 U.S.C. 2258A");
  r.set_accept_principles(true);
  r.set_csr_pem(Csr());
  return r;
}

v1::ReasonRequest Reason() {
  v1::ReasonRequest r;
  r.set_reason("authorization matrix");
  return r;
}

std::string Serialize(const google::protobuf::Message& m) { return m.SerializeAsString(); }

// A 16×16 greyscale PNG with a gradient, for POST /v1/images/pdq.
std::string GradientPng() {
  std::string rows;
  for (int y = 0; y < 16; ++y) {
    rows += '\0';  // no filter
    for (int x = 0; x < 16; ++x) rows += static_cast<char>((x * 16 + y * 3) % 256);
  }
  uLongf size = compressBound(rows.size());
  std::string packed(size, '\0');
  REQUIRE(compress(reinterpret_cast<Bytef*>(packed.data()), &size, reinterpret_cast<const Bytef*>(rows.data()),
                   rows.size()) == Z_OK);
  packed.resize(size);
  auto be32 = [](uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
  };
  auto chunk = [&](const std::string& type, const std::string& data) {
    const std::string typed = type + data;
    return be32(data.size()) + typed +
           be32(crc32(0, reinterpret_cast<const Bytef*>(typed.data()), static_cast<uInt>(typed.size())));
  };
  // 16 × 16, bit depth 8, colour type 0 (grey), default compression, filter, no interlace.
  const std::string header = be32(16) + be32(16) + std::string{8, 0, 0, 0, 0};
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", header) + chunk("IDAT", packed) + chunk("IEND", "");
}

// One request for a row: the target (path with its parameters filled in and
// any query) and, for endpoints that take one, a Protobuf body.
struct Probe {
  std::string target;
  std::optional<std::string> body;
  std::string accept = "application/json";
};

int CurrentYear() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  return utc.tm_year + 1900;
}

// "refused" for a failed TLS handshake (the server's alert, or no handshake
// at all); anything else that kept an HTTP answer from coming is not that.
std::string Refusal(const Status& transport) {
  std::string m = transport.message();
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  for (const char* sign : {"alert", "handshake", "certificate"}) {
    if (m.find(sign) != std::string::npos) return "refused";
  }
  return "transport error";
}

// The route templates exchanged registers, from the labels it pre-creates in /metrics.
std::set<std::string> ServedRoutes(const TestExchange& ex) {
  std::string metrics;
  REQUIRE(testing::HttpGet(ex.ops_host_port(), "/metrics", &metrics) == 200);
  std::set<std::string> routes;
  static const std::regex kRoute("route=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(metrics.begin(), metrics.end(), kRoute); it != std::sregex_iterator(); ++it) {
    if ((*it)[1].str() != "unmatched") routes.insert((*it)[1].str());
  }
  return routes;
}

}  // namespace

TEST_CASE("the authorization matrix in docs/security.md holds for every endpoint and caller") {
  const std::string doc = std::string(EXCHANGE_SOURCE_DIR) + "/docs/security.md";
  const Matrix matrix = ReadMatrix(doc);
  for (const auto& e : matrix.errors) FAIL_CHECK("docs/security.md: " << e);
  REQUIRE_MESSAGE(!matrix.rows.empty(), "no rows in the authorization matrix of " << doc);

  // Rate limits are not what is checked here.
  TestExchange ex(testing::PgCluster::Shared(), {{"--org-rate-limit=0", "--enroll-rate-limit=100000"}});
  auto [admin, alpha] = ex.Clients("admin1", "alpha");

  // Organisations and credentials beyond the sandbox cast.
  const Credential suspended = AddMember(ex, "suspended-member", "suspended-org");
  const Credential revoked = AddMember(ex, "revoked-member", "revoked-org");
  AddMember(ex, "suspend-target-member", "suspend-target");
  AddMember(ex, "reinstate-target-member", "reinstate-target");
  AddMember(ex, "revoke-target-member", "revoke-target");
  const Credential alpha_spare = AddMember(ex, "alpha-spare", "alpha");     // alpha revokes it itself
  const Credential admin_target = AddMember(ex, "alpha-spare-2", "alpha");  // an admin revokes it
  auto credential_id = [&](const Credential& c) {
    v1::WhoAmIResponse me;
    Must(ClientFor(OptionsWith(ex, c))->Call("GET", "/v1/whoami", nullptr, &me), "whoami of " + c.cert_file);
    return me.credential_id();
  };
  const std::string alpha_spare_id = credential_id(alpha_spare);
  const std::string admin_target_id = credential_id(admin_target);
  // Both worked before their organisations were stopped.
  credential_id(suspended);
  credential_id(revoked);

  // The collection, its grants and its signals.
  testing::CreateCollection(*admin, kCollection, {"alpha", "suspended-org", "revoked-org"});
  {
    v1::SubmitSignalsRequest submit;
    for (const auto& md5 : {kLookupMd5, kRetractMd5, kOtherMd5}) {
      auto* s = submit.add_signals();
      s->set_kind("md5");
      s->set_value(md5);
      s->set_category("A1");
    }
    v1::SubmitSignalsResponse submitted;
    Must(alpha->Call("POST", "/v1/collections/" + kCollection + "/signals", &submit, &submitted), "submit");
    REQUIRE(submitted.results_size() == 3);
    for (const auto& r : submitted.results()) REQUIRE_MESSAGE(r.status() == "created", r.error());
    REQUIRE(submitted.log_size() >= 2);
  }

  // Suspensions and the revocation, through the admin API.
  const v1::ReasonRequest reason = Reason();
  Must(admin->Call("POST", "/v1/admin/orgs/suspended-org/suspend", &reason, nullptr), "suspend suspended-org");
  Must(admin->Call("POST", "/v1/admin/orgs/revoked-org/revoke", &reason, nullptr), "revoke revoked-org");
  Must(admin->Call("POST", "/v1/admin/orgs/reinstate-target/suspend", &reason, nullptr), "suspend reinstate-target");

  // Pending applications: one to approve, one to reject (and fetch).
  auto enroll_options = ex.ClientOptionsFor("");
  enroll_options.server = ex.enroll_url();
  auto enroll = [&](const std::string& slug) {
    v1::EnrollRequest request = Application(Invite(*admin, slug));
    v1::Application app;
    Must(ClientFor(enroll_options)->Call("POST", "/v1/enroll", &request, &app), "enroll " + slug);
    return app.application_id();
  };
  const std::string approve_id = enroll("approve-me");
  const std::string reject_id = enroll("reject-me");

  // A request each endpoint accepts, by "listener METHOD path".
  int serial = 0;
  auto next = [&serial] { return std::to_string(++serial); };
  const std::string c = "/v1/collections/" + kCollection;
  std::map<std::string, std::function<Probe()>> probes;
  auto get = [&](const std::string& listener, const std::string& path, const std::string& target) {
    probes[listener + " GET " + path] = [target] { return Probe{target, std::nullopt}; };
  };
  auto post = [&](const std::string& key, const std::string& target, std::function<std::string()> body) {
    probes[key] = [target, body] { return Probe{target, body()}; };
  };
  get("api", "/v1/whoami", "/v1/whoami");
  get("api", "/v1/keys", "/v1/keys");
  get("api", "/v1/logs", "/v1/logs");
  get("api", "/v1/collections", "/v1/collections");
  post("api POST /v1/collections", "/v1/collections", [&] {
    v1::CreateCollectionRequest r;
    r.mutable_collection()->set_name("matrix-created-" + next());
    return Serialize(r);
  });
  post("api PATCH /v1/collections/{c}", c, [] {
    v1::UpdateCollectionRequest r;
    r.set_vpdq_stored_percent(80);  // the default: the fixture stays as it was
    r.set_reason("authorization matrix");
    return Serialize(r);
  });
  post("api PUT /v1/collections/{c}/grants/{org}", c + "/grants/alpha", [] {
    v1::SetGrantRequest r;
    r.set_access("write");
    r.set_reason("authorization matrix");
    return Serialize(r);
  });
  post("api POST /v1/collections/{c}/signals", c + "/signals", [&] {
    v1::SubmitSignalsRequest r;
    auto* s = r.add_signals();
    s->set_kind("md5");
    char value[33];
    std::snprintf(value, sizeof value, "%032x", static_cast<unsigned>(0xabc000 + ++serial));
    s->set_value(value);
    s->set_category("A1");
    return Serialize(r);
  });
  get("api", "/v1/collections/{c}/signals/{kind}/{value}", c + "/signals/md5/" + kLookupMd5);
  get("api", "/v1/collections/{c}/contributions", c + "/contributions?limit=5");
  const std::string png = GradientPng();
  post("api POST /v1/images/pdq", "/v1/images/pdq", [png] {
    v1::HashImageRequest r;
    r.set_image(png);
    return Serialize(r);
  });
  // The web console's files: served without a caller lookup.
  get("api", "/console", "/console");
  get("api", "/console/", "/console/");
  get("api", "/console/{file}", "/console/app.js");
  post("api POST /v1/collections/{c}/opinions", c + "/opinions", [] {
    v1::OpinionsRequest r;
    auto* o = r.add_opinions();
    o->set_kind("md5");
    o->set_value(kLookupMd5);
    o->set_opinion("confirm");
    return Serialize(r);
  });
  post("api POST /v1/collections/{c}/retractions", c + "/retractions", [] {
    v1::RetractionsRequest r;
    auto* s = r.add_signals();
    s->set_kind("md5");
    s->set_value(kRetractMd5);
    return Serialize(r);
  });
  post("api POST /v1/collections/{c}/lookup", c + "/lookup", [] {
    v1::LookupRequest r;
    r.add_pdq(std::string(64, '0'));
    return Serialize(r);
  });
  post("api POST /v1/sightings", "/v1/sightings", [] {
    v1::SightingsRequest r;
    auto* s = r.add_sightings();
    s->set_collection(kCollection);
    s->set_kind("md5");
    s->set_value(kLookupMd5);
    s->set_observed_at(FormatRfc3339(std::time(nullptr) - 60));
    s->set_action("removed");
    return Serialize(r);
  });
  for (const auto& [prefix, target] : {std::pair{std::string("/v1/collections/{c}"), c},
                                       std::pair{std::string("/v1/audit"), std::string("/v1/audit")}}) {
    get("api", prefix + "/checkpoint", target + "/checkpoint");
    get("api", prefix + "/entries", target + "/entries?start=0&limit=10");
    get("api", prefix + "/proof/inclusion", target + "/proof/inclusion?index=0&size=1");
    get("api", prefix + "/proof/consistency", target + "/proof/consistency?old=1&new=2");
    get("api", prefix + "/tlog/checkpoint", target + "/tlog/checkpoint");
    get("api", prefix + "/tlog/tile/{tile...}", target + "/tlog/tile/0/000.p/1");
    get("api", prefix + "/tlog/access", target + "/tlog/access");
  }
  // TAXII answers its own media type only; {id} is the collection's TAXII id.
  const std::string taxii_collection = "/taxii2/exchange/collections/" + signals::stix::CollectionId(kCollection) + "/";
  const std::string taxii_object = signals::stix::IndicatorId(kCollection, "md5", kLookupMd5);
  for (const auto& [path, target] : std::vector<std::pair<std::string, std::string>>{
           {"/taxii2/", "/taxii2/"},
           {"/taxii2/exchange/", "/taxii2/exchange/"},
           {"/taxii2/exchange/collections/", "/taxii2/exchange/collections/"},
           {"/taxii2/exchange/collections/{id}/", taxii_collection},
           {"/taxii2/exchange/collections/{id}/objects/", taxii_collection + "objects/?limit=2"},
           {"/taxii2/exchange/collections/{id}/manifest/", taxii_collection + "manifest/"},
           {"/taxii2/exchange/collections/{id}/objects/{object}/", taxii_collection + "objects/" + taxii_object + "/"},
           {"/taxii2/exchange/collections/{id}/objects/{object}/versions/",
            taxii_collection + "objects/" + taxii_object + "/versions/"}}) {
    probes["api GET " + path] = [target] { return Probe{target, std::nullopt, "application/taxii+json;version=2.1"}; };
  }
  post("api POST /v1/admin/invitations", "/v1/admin/invitations", [&] {
    v1::CreateInvitationRequest r;
    const std::string n = next();
    r.set_org_name("Matrix Invitee " + n);
    r.set_slug("matrix-invitee-" + n);
    r.set_contact("trust@invitee.example");
    return Serialize(r);
  });
  get("api", "/v1/admin/applications", "/v1/admin/applications");
  post("api POST /v1/admin/applications/{id}/approve", "/v1/admin/applications/" + approve_id + "/approve",
       [] { return Serialize(Reason()); });
  post("api POST /v1/admin/applications/{id}/reject", "/v1/admin/applications/" + reject_id + "/reject",
       [] { return Serialize(Reason()); });
  get("api", "/v1/admin/orgs", "/v1/admin/orgs");
  for (const std::string verb : {"suspend", "reinstate", "revoke"}) {
    post("api POST /v1/admin/orgs/{org}/" + verb, "/v1/admin/orgs/" + verb + "-target/" + verb,
         [] { return Serialize(Reason()); });
  }
  post("api POST /v1/admin/credentials/{id}/revoke", "/v1/admin/credentials/" + admin_target_id + "/revoke",
       [] { return Serialize(Reason()); });
  get("api", "/v1/credentials", "/v1/credentials");
  post("api POST /v1/credentials", "/v1/credentials", [] {
    v1::RotateCredentialRequest r;
    r.set_csr_pem(Csr());
    return Serialize(r);
  });
  post("api POST /v1/credentials/{id}/revoke", "/v1/credentials/" + alpha_spare_id + "/revoke",
       [] { return Serialize(Reason()); });
  get("api", "/v1/crl", "/v1/crl");
  get("api", "/v1/reports/annual/{year}", "/v1/reports/annual/" + std::to_string(CurrentYear()));
  post("enroll POST /v1/enroll", "/v1/enroll",
       [&] { return Serialize(Application(Invite(*admin, "enrollee-" + next()))); });
  get("enroll", "/v1/enroll/{id}", "/v1/enroll/" + approve_id);
  get("enroll", "/v1/crl", "/v1/crl");

  // Who asks, for each caller column (on the api listener).
  const std::map<std::string, client::ClientOptions> callers = {
      {"no certificate", ex.ClientOptionsFor("")},
      {"unknown certificate", ex.ClientOptionsFor("stranger")},
      {"member with grant", ex.ClientOptionsFor("alpha")},
      {"member without grant", ex.ClientOptionsFor("beta")},
      {"suspended", OptionsWith(ex, suspended)},
      {"revoked", OptionsWith(ex, revoked)},
      {"admin", ex.ClientOptionsFor("admin1")},
      {"auditor", ex.ClientOptionsFor("auditor")},
  };

  // Every route template the server has must be in the table.
  std::set<std::string> documented;
  for (const auto& row : matrix.rows) documented.insert(row.path);
  for (const auto& route : ServedRoutes(ex)) {
    CHECK_MESSAGE(documented.count(route), "exchanged serves " << route << " but the matrix has no row for it");
  }

  std::size_t checked = 0;
  for (const auto& row : matrix.rows) {
    const std::string endpoint = row.listener + " " + row.method + " " + row.path;
    auto probe = probes.find(endpoint);
    if (probe == probes.end()) {
      FAIL_CHECK("docs/security.md line " << row.line << ": the test has no request for " << endpoint);
      continue;
    }
    for (const auto& [caller, expected] : row.cells) {
      auto who = callers.find(caller);
      if (who == callers.end()) continue;  // reported with the header
      client::ClientOptions options = who->second;
      if (row.listener == "enroll") options.server = ex.enroll_url();
      auto http = client::HttpsClient::Create(options);
      REQUIRE_MESSAGE(http.ok(), http.status().ToString());
      const Probe p = probe->second();
      std::vector<std::pair<std::string, std::string>> headers = {{"Accept", p.accept}};
      if (p.body) headers.emplace_back("Content-Type", "application/x-protobuf");
      auto result = (*http)->Send(row.method, p.target, p.body.value_or(""), headers);
      const std::string got = result.ok() ? std::to_string(result->status) : Refusal(result.status());
      const std::string detail = result.ok() ? result->body.substr(0, 300) : result.status().ToString();
      CHECK_MESSAGE(got == expected, "cell " << endpoint << " × " << caller << ": expected " << expected << ", got "
                                             << got << " (" << row.method << " " << p.target << ": " << detail << ")");
      ++checked;
    }
  }
  CHECK(matrix.columns == kCallers.size());
  CHECK_MESSAGE(checked == matrix.rows.size() * kCallers.size(), "checked " << checked << " cells of "
                                                                            << matrix.rows.size() << " rows × "
                                                                            << kCallers.size() << " callers");
  MESSAGE("authorization matrix: " << checked << " cells checked (" << matrix.rows.size() << " endpoints × "
                                   << kCallers.size() << " callers)");
  CHECK(ex.server().Running());
}
