// SPDX-License-Identifier: Apache-2.0
// GET /v1/reports/annual/{year}[?format=json|csv|html][&variant=public&k=N]
// Auditors and admins see every organisation; a member sees its own and the
// coalition totals, both over the collections it may read. Every answer carries an Ed25519 signature over its exact
// bytes (X-Exchange-Signature, base64), verifiable with the key in /v1/keys.
#include <chrono>
#include <ctime>
#include <set>
#include <span>

#include "api/access.h"
#include "api/params.h"
#include "api/reports.h"
#include "api/routes.h"
#include "common/hex.h"
#include "common/time_format.h"
#include "http/wire.h"
#include "log/encoding.h"
#include "log/hash.h"
#include "pki/signature.h"
#include "report/render.h"
#include "report/views.h"
#include "store/collections.h"
#include "store/reports.h"

namespace exchange::api {
namespace {

inline constexpr uint64_t kDefaultK = 5;

// The SHA-256 of a PEM public key's DER bytes, in hex (what
// `openssl pkey -pubin -outform DER | sha256sum` prints); empty if it is not PEM.
std::string PublicKeyFingerprint(const std::string& pem) {
  const auto begin = pem.find("-----\n"), end = pem.find("-----END");
  if (begin == std::string::npos || end == std::string::npos || end < begin) return "";
  std::string body;
  for (char c : pem.substr(begin + 6, end - begin - 6)) {
    if (c != '\n' && c != '\r') body += c;
  }
  auto der = log::Base64Decode(body);
  if (!der.ok()) return "";
  auto digest = log::Sha256(*der);
  return HexEncode(std::span<const uint8_t>(digest));
}

int64_t YearStart(int year) {
  using namespace std::chrono;
  return sys_days(std::chrono::year(year) / January / 1).time_since_epoch().count() * 86400;
}

http::Response Annual(const ReportKey& key, const http::Request& request, http::CallContext& context) {
  auto fail = [&](const Status& s) { return http::ErrorResponse(&request, s); };
  const std::string& year_text = request.params.at("year");
  int year = 0;
  if (year_text.size() != 4 || year_text.find_first_not_of("0123456789") != std::string::npos ||
      (year = std::stoi(year_text)) < 2000) {
    return fail(Status::InvalidArgument("year must be four digits, 2000 or later"));
  }
  const int64_t now = std::time(nullptr);
  const int64_t start = YearStart(year), end = YearStart(year + 1);
  if (start > now) return fail(Status::InvalidArgument("the year " + year_text + " has not begun"));
  auto format_it = request.query.find("format");
  const std::string format = format_it == request.query.end() ? "" : format_it->second;
  if (!format.empty() && format != "json" && format != "csv" && format != "html") {
    return fail(Status::InvalidArgument("format must be json, csv or html"));
  }
  auto variant_it = request.query.find("variant");
  const std::string variant = variant_it == request.query.end() ? "full" : variant_it->second;
  if (variant != "full" && variant != "public") return fail(Status::InvalidArgument("variant must be full or public"));
  auto k = QueryUint(request, "k", kDefaultK);
  if (!k.ok()) return fail(k.status());
  if (*k < 2 || *k > 1000) return fail(Status::InvalidArgument("k must be between 2 and 1000"));

  // Nothing is recorded in the future, so the year's window is also "up to now".
  const bool closed = end <= now;
  const int64_t as_of = closed ? end : now;
  // A member's figures, its own and the coalition's, are computed over the
  // collections it may read: nothing it sees counts what it cannot read.
  std::optional<std::vector<store::CollectionRow>> readable;
  std::optional<std::vector<int64_t>> readable_ids;
  if (!IsStaff(*context.caller)) {
    auto mine = store::ListCollections(*context.db, context.caller->org_id);
    if (!mine.ok()) return fail(mine.status());
    readable = std::move(mine).value();
    readable_ids.emplace();
    for (const auto& c : *readable) readable_ids->push_back(c.id);
  }
  auto figures = store::AnnualFigures(*context.db, start, end, readable_ids);
  if (!figures.ok()) return fail(figures.status());
  auto logs = store::LogPositionsAt(*context.db, end);
  if (!logs.ok()) return fail(logs.status());

  v1::AnnualReport report;
  report.set_exchange(key.exchange_name);
  report.set_year(static_cast<uint32_t>(year));
  report.set_as_of(FormatRfc3339(as_of));
  report.set_closed(closed);
  report.set_scope("coalition");
  for (const auto& p : *logs) {
    auto* w = report.add_logs();
    w->set_log(p.log);
    w->set_size(p.size);
    w->set_root(std::string(p.root.begin(), p.root.end()));
  }
  for (const auto& f : *figures) {
    auto* w = report.add_figures();
    w->set_section(f.section);
    w->set_org(f.org);
    w->set_dimension(f.dimension);
    w->set_key(f.key);
    w->set_value(f.value);
    w->set_samples(f.samples);
  }
  if (readable) {
    report::RestrictToOrganisation(report, context.caller->org_slug);
    std::set<std::string> names;
    for (const auto& c : *readable) names.insert(c.name);
    report::KeepLogs(report, names);
  }
  if (variant == "public") report::SuppressBelow(report, static_cast<uint32_t>(*k));

  http::Response response;
  if (format == "csv") {
    response = http::TextResponse(report::RenderCsv(report), "text/csv; charset=utf-8");
  } else if (format == "html") {
    response = http::TextResponse(report::RenderHtml(report, PublicKeyFingerprint(key.public_key_pem)),
                                  "text/html; charset=utf-8");
  } else {
    http::Request as_asked = request;
    if (format == "json") as_asked.accept = std::string(http::kJsonType);
    response = http::Encode(as_asked, report);
  }
  auto signature = pki::SignEd25519(key.key, response.body);
  if (!signature.ok()) return fail(signature.status());
  response.headers.emplace_back("X-Exchange-Signature", log::Base64Encode(*signature));
  return response;
}

}  // namespace

void AddReportRoutes(http::Router& router, const ReportKey& key) {
  router.Add({.method = "GET",
              .pattern = "/v1/reports/annual/{year}",
              .max_body_bytes = kSmallBodyLimit,
              .handler = [&key](const http::Request& r, http::CallContext& c) { return Annual(key, r, c); }});
}

}  // namespace exchange::api
