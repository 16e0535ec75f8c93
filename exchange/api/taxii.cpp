// SPDX-License-Identifier: Apache-2.0
// TAXII 2.1, read-only, over the collections' logs (docs/api.md "TAXII 2.1",
// docs/interop.md for a member's walk-through):
//   GET /taxii2/                                         discovery
//   GET /taxii2/exchange/                                the one API root
//   GET /taxii2/exchange/collections/[{id}/]
//   GET /taxii2/exchange/collections/{id}/objects/       envelope
//   GET /taxii2/exchange/collections/{id}/manifest/
//   GET /taxii2/exchange/collections/{id}/objects/{object}/[versions/]
//
// One TAXII collection per collection the caller may read (a grant, or the
// admin and auditor roles); any other id is 404, whether or not it exists.
// Every entry of a collection's log is one version of one STIX indicator
// (signals/stix.h), so `next` is a log index: a client that follows it gets
// every version once, in log order, whatever is appended meanwhile. The
// members' opinions of a signal are an `opinion` its indicator names
// (x_exchange_opinion_ref), served by id like the extension definition.
#include <algorithm>
#include <charconv>
#include <functional>
#include <optional>
#include <set>
#include <utility>

#include "api/access.h"
#include "api/params.h"
#include "api/routes.h"
#include "common/json.h"
#include "exchange/v1/feed.pb.h"
#include "http/message.h"
#include "http/wire.h"
#include "services/checkpoints.h"
#include "signals/stix.h"

namespace exchange::api {
namespace {

namespace stix = signals::stix;

constexpr std::string_view kTaxiiType = "application/taxii+json;version=2.1";
constexpr std::string_view kStixType = "application/stix+json;version=2.1";
constexpr const char* kRoot = "/taxii2/exchange/";
constexpr uint64_t kDefaultLimit = 100;
constexpr uint64_t kMaxLimit = 1000;
// A page stops early (more: true) once its objects hold this many bytes, or
// after this many entries were read for filters that skip them.
constexpr std::size_t kMaxPageBytes = 8 * 1024 * 1024;
constexpr uint64_t kMaxScannedEntries = 20000;

// A TAXII error message resource (TAXII 2.1 §3.6.1). Internal errors keep
// the exchange's own answer, which logs the detail for the operator only.
http::Response TaxiiError(int code, std::string_view title, const std::string& description) {
  http::Response response;
  response.status = code;
  response.content_type = std::string(kTaxiiType);
  response.body = "{\"title\":" + JsonQuote(title) + ",\"description\":" + JsonQuote(description) +
                  ",\"http_status\":\"" + std::to_string(code) + "\"}";
  return response;
}

http::Response Fail(const http::Request& request, const Status& status) {
  if (status.code() == ErrorCode::kInternal) return http::ErrorResponse(&request, status);
  return TaxiiError(http::HttpStatus(status.code()), ErrorCodeName(status.code()), status.message());
}

http::Response Taxii(std::string body) {
  http::Response response;
  response.content_type = std::string(kTaxiiType);
  response.body = std::move(body);
  return response;
}

// Accept negotiation (TAXII 2.1 §1.6.8.1): the TAXII 2.1 type, the TAXII type
// without a version (the newest one), application/* or */*; no Accept is
// anything. Else 406.
bool Acceptable(const http::Request& request) {
  if (http::TrimOws(request.accept).empty()) return true;
  std::string_view rest = request.accept;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view range = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    auto semicolon = range.find(';');
    const std::string type = http::AsciiLower(http::TrimOws(range.substr(0, semicolon)));
    if (type == "*/*" || type == "application/*") return true;
    if (type != "application/taxii+json") continue;
    bool version_ok = true;
    std::string_view params = semicolon == std::string_view::npos ? std::string_view() : range.substr(semicolon + 1);
    while (!params.empty()) {
      auto next = params.find(';');
      std::string_view param = http::TrimOws(params.substr(0, next));
      params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
      auto eq = param.find('=');
      if (eq == std::string_view::npos) continue;
      if (http::AsciiLower(http::TrimOws(param.substr(0, eq))) == "version")
        version_ok = http::TrimOws(param.substr(eq + 1)) == "2.1";
    }
    if (version_ok) return true;
  }
  return false;
}

http::Response NotAcceptable(const http::Request& request) {
  return TaxiiError(406, "not_acceptable",
                    "this server answers only " + std::string(kTaxiiType) + "; Accept was '" + request.accept + "'");
}

// The collections the caller may read, by TAXII id.
Result<std::vector<store::CollectionRow>> VisibleCollections(http::CallContext& context) {
  std::optional<int64_t> org;
  if (!IsStaff(*context.caller)) org = context.caller->org_id;
  return store::ListCollections(*context.db, org);
}

Result<store::CollectionRow> VisibleCollection(const http::Request& request, http::CallContext& context) {
  const std::string& id = request.params.at("id");
  auto all = VisibleCollections(context);
  if (!all.ok()) return all.status();
  for (auto& c : *all) {
    if (stix::CollectionId(c.name) == id) return std::move(c);
  }
  return Status::NotFound("no collection " + id + " in this API root");
}

std::string CollectionJson(const store::CollectionRow& c) {
  return "{\"id\":" + JsonQuote(stix::CollectionId(c.name)) + ",\"title\":" + JsonQuote(c.name) +
         ",\"description\":" + JsonQuote(c.description) + ",\"alias\":" + JsonQuote(c.name) +
         ",\"can_read\":true,\"can_write\":false,\"media_types\":[" + JsonQuote(kStixType) + "]}";
}

http::Response Discovery(const services::CheckpointPublisher& publisher, const http::Request& request,
                         http::CallContext&) {
  if (!Acceptable(request)) return NotAcceptable(request);
  const std::string name = publisher.Origin("");
  return Taxii("{\"title\":" + JsonQuote("Coalition Hash Exchange " + name.substr(0, name.size() - 1)) +
               ",\"description\":\"The exchange's collections as STIX 2.1 indicators, read-only\""
               ",\"default\":" +
               JsonQuote(kRoot) + ",\"api_roots\":[" + JsonQuote(kRoot) + "]}");
}

http::Response ApiRoot(const http::Request& request, http::CallContext&) {
  if (!Acceptable(request)) return NotAcceptable(request);
  return Taxii("{\"title\":\"Coalition Hash Exchange collections\",\"versions\":[" + JsonQuote(kTaxiiType) +
               "],\"max_content_length\":0}");
}

http::Response Collections(const http::Request& request, http::CallContext& context) {
  if (!Acceptable(request)) return NotAcceptable(request);
  auto all = VisibleCollections(context);
  if (!all.ok()) return Fail(request, all.status());
  if (all->empty()) return Taxii("{}");
  std::string body = "{\"collections\":[";
  for (std::size_t i = 0; i < all->size(); ++i) body += (i ? "," : "") + CollectionJson((*all)[i]);
  return Taxii(body + "]}");
}

http::Response OneCollection(const http::Request& request, http::CallContext& context) {
  if (!Acceptable(request)) return NotAcceptable(request);
  auto c = VisibleCollection(request, context);
  if (!c.ok()) return Fail(request, c.status());
  return Taxii(CollectionJson(*c));
}

// The filters of an objects, manifest or versions request (TAXII 2.1 §3.4).
struct Filters {
  uint64_t limit = kDefaultLimit;
  uint64_t next = 0;                      // the log index to read from
  std::optional<int64_t> added_after_ms;  // date_added strictly after
  std::set<std::string> ids;              // match[id]; empty: any
  bool types_exclude_indicator = false;   // match[type] names no indicator
  bool spec_excludes_21 = false;          // match[spec_version] without 2.1
  std::string version = "all";            // match[version]: all, last, first
};

std::set<std::string> CommaList(const std::string& text) {
  std::set<std::string> out;
  std::string_view rest = text;
  while (true) {
    auto comma = rest.find(',');
    auto item = http::TrimOws(rest.substr(0, comma));
    if (!item.empty()) out.emplace(item);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return out;
}

// `one_object`: match[version] may be last or first too (objects/{id}/).
Result<Filters> ReadFilters(const http::Request& request, std::string default_version, bool one_object) {
  Filters f;
  f.version = std::move(default_version);
  auto limit = QueryUint(request, "limit", kDefaultLimit);
  if (!limit.ok()) return limit.status();
  if (*limit == 0) return Status::InvalidArgument("limit must be a positive number");
  f.limit = std::min(*limit, kMaxLimit);
  auto next = QueryUint(request, "next", 0);
  if (!next.ok()) return next.status();
  f.next = *next;
  if (auto it = request.query.find("added_after"); it != request.query.end()) {
    auto ms = stix::ParseTimestampMs(it->second);
    if (!ms.ok()) return Status::InvalidArgument("added_after: " + ms.status().message());
    f.added_after_ms = *ms;
  }
  if (auto it = request.query.find("match[id]"); it != request.query.end()) f.ids = CommaList(it->second);
  if (auto it = request.query.find("match[type]"); it != request.query.end()) {
    f.types_exclude_indicator = CommaList(it->second).count("indicator") == 0;
  }
  if (auto it = request.query.find("match[spec_version]"); it != request.query.end()) {
    f.spec_excludes_21 = CommaList(it->second).count("2.1") == 0;
  }
  if (auto it = request.query.find("match[version]"); it != request.query.end()) {
    auto versions = CommaList(it->second);
    const bool known = versions.size() == 1 &&
                       (versions.count("all") || (one_object && (versions.count("last") || versions.count("first"))));
    if (!known) {
      return Status::InvalidArgument(one_object ? "match[version] must be all, last or first; got '" + it->second + "'"
                                                : "match[version] must be all here (every entry of the log is a "
                                                  "version; ask objects/{id}/ for one object's last or first); got '" +
                                                      it->second + "'");
    }
    f.version = *versions.begin();
  }
  return f;
}

// One version of one object as an entry of the log gives it.
struct Version {
  uint64_t index = 0;
  int64_t date_added_ms = 0;
  stix::IndicatorVersion object;
};

Result<Version> VersionAt(const std::string& bytes, uint64_t index) {
  v1::FeedEntry entry;
  if (!entry.ParseFromString(bytes)) return Status::Internal("log entry " + std::to_string(index) + " does not parse");
  auto object = stix::IndicatorFromEntry(entry, index);
  if (!object.ok()) return object.status();
  return Version{index, entry.appended_at_ms(), std::move(object).value()};
}

bool Passes(const Filters& f, const Version& v) {
  if (f.added_after_ms && v.date_added_ms <= *f.added_after_ms) return false;
  return f.ids.empty() || f.ids.count(v.object.id) > 0;
}

// A page: the versions and where the next page starts (`more` when below the head).
struct Page {
  std::vector<Version> versions;
  uint64_t next = 0;
  bool more = false;
};

// Reads the log from `f.next` on: up to `f.limit` versions that pass the
// filters, stopping early at kMaxPageBytes or kMaxScannedEntries.
Result<Page> ReadPage(http::CallContext& context, const store::LogHead& head, const Filters& f) {
  Page page;
  uint64_t pos = std::min(f.next, head.size);
  if (f.types_exclude_indicator || f.spec_excludes_21) pos = head.size;
  const bool filtered = f.added_after_ms.has_value() || !f.ids.empty();
  std::size_t bytes = 0;
  uint64_t scanned = 0;
  bool full = false;
  while (!full && pos < head.size && scanned < kMaxScannedEntries && page.versions.size() < f.limit) {
    // Filters may skip entries: read ahead in larger chunks then.
    const uint64_t left = f.limit - page.versions.size();
    const uint64_t want = filtered ? std::min(kMaxScannedEntries - scanned, std::max<uint64_t>(left, 256)) : left;
    const uint64_t chunk = std::min({want, head.size - pos, store::kMaxEntriesPerRead});
    auto entries = store::ReadEntries(*context.db, head.log_id, pos, chunk, head.size);
    if (!entries.ok()) return entries.status();
    if (entries->empty()) break;
    for (const std::string& bytes_of_entry : *entries) {
      if (page.versions.size() == f.limit || bytes >= kMaxPageBytes) {
        full = true;
        break;
      }
      v1::FeedEntry entry;
      if (!entry.ParseFromString(bytes_of_entry)) {
        return Status::Internal("log entry " + std::to_string(pos) + " does not parse");
      }
      const uint64_t index = pos++;
      ++scanned;
      // The filters first, so that skipped entries cost no JSON.
      if (f.added_after_ms && entry.appended_at_ms() <= *f.added_after_ms) continue;
      const auto& s = entry.signal();
      if (!f.ids.empty() && f.ids.count(stix::IndicatorId(entry.collection(), s.kind(), s.value())) == 0) continue;
      auto object = stix::IndicatorFromEntry(entry, index);
      if (!object.ok()) return object.status();
      bytes += object->json.size();
      page.versions.push_back(Version{index, entry.appended_at_ms(), std::move(object).value()});
    }
  }
  page.next = pos;
  page.more = pos < head.size;
  return page;
}

http::Response WithDateHeaders(http::Response response, const std::vector<Version>& versions) {
  if (!versions.empty()) {
    response.headers.emplace_back("X-TAXII-Date-Added-First", stix::FormatTimestampMs(versions.front().date_added_ms));
    response.headers.emplace_back("X-TAXII-Date-Added-Last", stix::FormatTimestampMs(versions.back().date_added_ms));
  }
  return response;
}

std::string MoreAndNext(const Page& page) {
  std::string out = page.more ? "\"more\":true" : "\"more\":false";
  if (page.more) out += ",\"next\":\"" + std::to_string(page.next) + "\"";
  return out;
}

// The collection, its log head and the filters of a request for its objects.
struct CollectionRead {
  store::CollectionRow collection;
  store::LogHead head;
  Filters filters;
};

Result<CollectionRead> ReadCollectionRequest(const http::Request& request, http::CallContext& context,
                                             std::string default_version, bool one_object) {
  auto filters = ReadFilters(request, std::move(default_version), one_object);
  if (!filters.ok()) return filters.status();
  auto c = VisibleCollection(request, context);
  if (!c.ok()) return c.status();
  auto head = store::FindLog(*context.db, c->name);
  if (!head.ok()) return head.status();
  return CollectionRead{std::move(c).value(), std::move(head).value(), std::move(filters).value()};
}

// A page as TAXII answers it: more and next, the page's versions as objects
// (each as `json_of` writes it) and the date headers.
http::Response PageEnvelope(const Page& page, const std::function<std::string(const Version&)>& json_of) {
  std::string body = "{" + MoreAndNext(page);
  if (!page.versions.empty()) {
    body += ",\"objects\":[";
    for (std::size_t i = 0; i < page.versions.size(); ++i) body += (i ? "," : "") + json_of(page.versions[i]);
    body += "]";
  }
  return WithDateHeaders(Taxii(body + "}"), page.versions);
}

std::string ManifestRecord(const std::string& id, int64_t date_added_ms, const std::string& version) {
  return "{\"id\":" + JsonQuote(id) + ",\"date_added\":\"" + stix::FormatTimestampMs(date_added_ms) +
         "\",\"version\":" + JsonQuote(version) + ",\"media_type\":" + JsonQuote(kStixType) + "}";
}

// GET .../objects/: every version, in log order (match[version] defaults to
// all here: the log is a list of versions; docs/api.md); GET .../manifest/:
// the same versions' manifest records.
http::Response Objects(bool manifest, const http::Request& request, http::CallContext& context) {
  if (!Acceptable(request)) return NotAcceptable(request);
  auto read = ReadCollectionRequest(request, context, "all", false);
  if (!read.ok()) return Fail(request, read.status());
  auto page = ReadPage(context, read->head, read->filters);
  if (!page.ok()) return Fail(request, page.status());
  if (manifest) {
    return PageEnvelope(
        *page, [](const Version& v) { return ManifestRecord(v.object.id, v.date_added_ms, v.object.modified); });
  }
  NoteSyncProgress(request, context, read->head, page->next);
  return PageEnvelope(*page, [](const Version& v) { return v.object.json; });
}

// Calls visit(index, bytes, entry) on every entry of the log in order, read
// kMaxEntriesPerRead entries at a time, until it returns false (found) or an
// error. Serving an object by id reads the whole log: an object's id does not
// name its log indexes.
using EntryVisitor = std::function<Result<bool>(uint64_t index, const std::string& bytes, const v1::FeedEntry& entry)>;
Status ScanLog(http::CallContext& context, const store::LogHead& head, const EntryVisitor& visit) {
  for (uint64_t pos = 0; pos < head.size;) {
    auto entries = store::ReadEntries(*context.db, head.log_id, pos, store::kMaxEntriesPerRead, head.size);
    if (!entries.ok()) return entries.status();
    if (entries->empty()) break;
    for (const std::string& bytes : *entries) {
      v1::FeedEntry entry;
      if (!entry.ParseFromString(bytes))
        return Status::Internal("log entry " + std::to_string(pos) + " does not parse");
      auto more = visit(pos, bytes, entry);
      if (!more.ok()) return more.status();
      if (!*more) return Status::Ok();
      ++pos;
    }
  }
  return Status::Ok();
}

// Every version of one object, an indicator or an opinion.
Result<std::vector<Version>> VersionsOf(http::CallContext& context, const store::LogHead& head,
                                        const std::string& object_id) {
  const bool opinion = object_id.rfind("opinion--", 0) == 0;
  std::vector<Version> out;
  Status scanned =
      ScanLog(context, head, [&](uint64_t pos, const std::string& bytes, const v1::FeedEntry& entry) -> Result<bool> {
        const auto& s = entry.signal();
        const std::string id = opinion ? stix::OpinionId(entry.collection(), s.kind(), s.value())
                                       : stix::IndicatorId(entry.collection(), s.kind(), s.value());
        if (id == object_id && !opinion) {
          auto v = VersionAt(bytes, pos);
          if (!v.ok()) return v.status();
          out.push_back(std::move(v).value());
        } else if (id == object_id) {
          auto v = stix::OpinionFromEntry(entry, pos);
          if (!v.ok()) return v.status();
          if (v->has_value()) out.push_back(Version{pos, entry.appended_at_ms(), std::move(**v)});
        }
        return true;
      });
  if (!scanned.ok()) return scanned;
  return out;
}

// The identity of an organisation some entry of the log names as a
// contributor (named collections only); NotFound for any other id.
Result<std::string> ContributorIdentity(http::CallContext& context, const store::LogHead& head,
                                        const std::string& object_id) {
  std::set<std::string> checked;
  std::optional<std::string> found;
  Status scanned =
      ScanLog(context, head, [&](uint64_t, const std::string&, const v1::FeedEntry& entry) -> Result<bool> {
        for (const auto& slug : entry.signal().contributor_orgs()) {
          if (checked.insert(slug).second && stix::OrganisationIdentityId(slug) == object_id) {
            found = stix::OrganisationIdentityJson(slug);
            return false;
          }
        }
        return true;
      });
  if (!scanned.ok()) return scanned;
  if (found) return *found;
  return Status::NotFound("no object " + object_id + " in this collection");
}

// The published definitions answer in every collection, as one version each.
std::optional<std::string> Definition(const services::CheckpointPublisher& publisher, const std::string& id) {
  if (id == stix::ExtensionDefinitionId()) return stix::ExtensionDefinitionJson();
  if (id == stix::ExchangeIdentityId()) {
    const std::string name = publisher.Origin("");
    return stix::ExchangeIdentityJson(name.substr(0, name.size() - 1));
  }
  return std::nullopt;
}

// GET .../objects/{object}/ (match[version] defaults to last, as TAXII says)
// and .../objects/{object}/versions/.
http::Response Object(const services::CheckpointPublisher& publisher, bool versions_only, const http::Request& request,
                      http::CallContext& context) {
  if (!Acceptable(request)) return NotAcceptable(request);
  auto read = ReadCollectionRequest(request, context, versions_only ? "all" : "last", !versions_only);
  if (!read.ok()) return Fail(request, read.status());
  const std::string& object_id = request.params.at("object");
  const Filters& f = read->filters;
  if (auto definition = Definition(publisher, object_id)) {
    const std::string time(stix::kDefinitionsTime);
    auto ms = stix::ParseTimestampMs(time);
    http::Response response = Taxii(versions_only ? "{\"more\":false,\"versions\":[\"" + time + "\"]}"
                                                  : "{\"more\":false,\"objects\":[" + *definition + "]}");
    response.headers.emplace_back("X-TAXII-Date-Added-First", time);
    response.headers.emplace_back("X-TAXII-Date-Added-Last", time);
    if (f.added_after_ms && *ms <= *f.added_after_ms) return Taxii("{\"more\":false}");
    return response;
  }
  if (object_id.rfind("identity--", 0) == 0) {
    auto identity = ContributorIdentity(context, read->head, object_id);
    if (!identity.ok()) return Fail(request, identity.status());
    const std::string time(stix::kDefinitionsTime);
    http::Response response = Taxii(versions_only ? "{\"more\":false,\"versions\":[\"" + time + "\"]}"
                                                  : "{\"more\":false,\"objects\":[" + *identity + "]}");
    response.headers.emplace_back("X-TAXII-Date-Added-First", time);
    response.headers.emplace_back("X-TAXII-Date-Added-Last", time);
    return response;
  }
  auto all = VersionsOf(context, read->head, object_id);
  if (!all.ok()) return Fail(request, all.status());
  if (all->empty()) return Fail(request, Status::NotFound("no object " + object_id + " in this collection"));
  if (!versions_only && f.version != "all") {
    Version keep = f.version == "last" ? all->back() : all->front();
    all->assign(1, std::move(keep));
  }
  Page page;
  page.next = f.next;
  for (const Version& v : *all) {
    if (v.index < f.next || !Passes(f, v)) continue;
    if (page.versions.size() == f.limit) {
      page.more = true;
      page.next = v.index;
      break;
    }
    page.versions.push_back(v);
  }
  if (!versions_only) return PageEnvelope(page, [](const Version& v) { return v.object.json; });
  std::string body = std::string("{\"more\":") + (page.more ? "true" : "false");
  if (!page.versions.empty()) {
    body += ",\"versions\":[";
    for (std::size_t i = 0; i < page.versions.size(); ++i) {
      body += (i ? ",\"" : "\"") + page.versions[i].object.modified + "\"";
    }
    body += "]";
  }
  return WithDateHeaders(Taxii(body + "}"), page.versions);
}

}  // namespace

void AddTaxiiRoutes(http::Router& router, const services::CheckpointPublisher& publisher) {
  auto object = [&publisher](bool versions) {
    return [&publisher, versions](const http::Request& r, http::CallContext& c) {
      return Object(publisher, versions, r, c);
    };
  };
  // Every TAXII endpoint is a GET without a body.
  const std::pair<const char*, http::Handler> routes[] = {
      {"/taxii2/", [&publisher](const http::Request& r, http::CallContext& c) { return Discovery(publisher, r, c); }},
      {"/taxii2/exchange/", ApiRoot},
      {"/taxii2/exchange/collections/", Collections},
      {"/taxii2/exchange/collections/{id}/", OneCollection},
      {"/taxii2/exchange/collections/{id}/objects/",
       [](const http::Request& r, http::CallContext& c) { return Objects(false, r, c); }},
      {"/taxii2/exchange/collections/{id}/manifest/",
       [](const http::Request& r, http::CallContext& c) { return Objects(true, r, c); }},
      {"/taxii2/exchange/collections/{id}/objects/{object}/", object(false)},
      {"/taxii2/exchange/collections/{id}/objects/{object}/versions/", object(true)},
  };
  for (const auto& [pattern, handler] : routes) {
    router.Add({.method = "GET", .pattern = pattern, .max_body_bytes = kSmallBodyLimit, .handler = handler});
  }
}

}  // namespace exchange::api
