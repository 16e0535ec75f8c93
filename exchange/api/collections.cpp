// SPDX-License-Identifier: Apache-2.0
// Collections and grants (admins):
//   POST /v1/collections
//   GET  /v1/collections
//   PATCH /v1/collections/{c}
//   PUT  /v1/collections/{c}/grants/{org}
#include <algorithm>

#include "api/access.h"
#include "api/audit_event.h"
#include "api/routes.h"
#include "common/limits.h"
#include "common/slug.h"
#include "exchange/v1/collections.pb.h"
#include "http/wire.h"
#include "signals/kind.h"

namespace exchange::api {
namespace {

const std::vector<std::string> kRequirableFields = {"category",   "labels",     "reviewed",
                                                    "source_ref", "principles", "expires_at"};

// A stored share of 0 would make every video match every other, so it starts at 1.
Status ValidateVpdqThresholds(std::optional<uint32_t> stored_percent, std::optional<uint32_t> query_percent) {
  if (stored_percent && (*stored_percent < 1 || *stored_percent > 100)) {
    return Status::InvalidArgument(
        "vpdq_stored_percent must be 1-100 (the share of a stored video's frames a match needs)");
  }
  if (query_percent && *query_percent > 100) {
    return Status::InvalidArgument("vpdq_query_percent must be 0-100 (the share of the query's frames a match needs)");
  }
  return Status::Ok();
}

Status ValidateSpec(const v1::Collection& c) {
  if (!IsValidSlug(c.name()) || IsReservedSlug(c.name())) {
    return Status::InvalidArgument("collection name '" + c.name() +
                                   "' must be 1-63 lowercase letters, digits or '-' (and not all, audit or operator)");
  }
  // In bytes, which bounds the schema's count of characters too.
  if (c.description().size() > limits::kMaxCollectionDescriptionChars) {
    return Status::InvalidArgument("description is longer than " +
                                   std::to_string(limits::kMaxCollectionDescriptionChars) + " bytes");
  }
  for (const auto& kind : c.allowed_kinds()) {
    if (!signals::ParseKind(kind)) return Status::InvalidArgument(signals::UnknownKindMessage(kind));
  }
  for (const auto& field : c.required_fields()) {
    if (std::find(kRequirableFields.begin(), kRequirableFields.end(), field) == kRequirableFields.end()) {
      return Status::InvalidArgument("field '" + field +
                                     "' cannot be required; choose from category, labels, "
                                     "reviewed, source_ref, principles, expires_at");
    }
  }
  for (const auto* list : {&c.allowed_categories(), &c.label_vocabulary()}) {
    for (const auto& token : *list) {
      bool ok = !token.empty() && token.size() <= 64 && std::all_of(token.begin(), token.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.' || ch == ':';
      });
      if (!ok) {
        return Status::InvalidArgument("taxonomy value '" + token.substr(0, 64) +
                                       "' must be 1-64 letters, digits or _ - . :");
      }
    }
  }
  if (!c.attribution().empty() && c.attribution() != "named" && c.attribution() != "anonymous") {
    return Status::InvalidArgument("attribution must be 'named' or 'anonymous'");
  }
  if (c.dispute_min_orgs() > 1000) return Status::InvalidArgument("dispute_min_orgs is at most 1000");
  // 0 is proto3's "not given": the default, 80.
  return ValidateVpdqThresholds(c.vpdq_stored_percent() == 0 ? std::nullopt : std::optional(c.vpdq_stored_percent()),
                                c.vpdq_query_percent());
}

void ToWire(const store::CollectionRow& row, bool with_grants, v1::Collection& out) {
  out.set_name(row.name);
  out.set_description(row.description);
  for (auto k : row.allowed_kinds) out.add_allowed_kinds(std::string(signals::KindName(k)));
  for (const auto& f : row.required_fields) out.add_required_fields(f);
  for (const auto& v : row.allowed_categories) out.add_allowed_categories(v);
  for (const auto& v : row.label_vocabulary) out.add_label_vocabulary(v);
  out.set_attribution(row.attribution);
  out.set_dispute_min_orgs(static_cast<uint32_t>(row.dispute_min_orgs));
  out.set_dispute_needs_majority(row.dispute_needs_majority);
  out.set_vpdq_stored_percent(static_cast<uint32_t>(row.vpdq_stored_percent));
  out.set_vpdq_query_percent(static_cast<uint32_t>(row.vpdq_query_percent));
  out.set_log_size(row.log_size);
  if (!with_grants) return;
  for (const auto& [org, access] : row.grants) {
    auto* g = out.add_grants();
    g->set_org(org);
    g->set_access(std::string(store::GrantAccessName(access)));
  }
}

http::Response Create(const http::Request& request, http::CallContext& context) {
  if (Status s = RequireAdmin(*context.caller); !s.ok()) return http::ErrorResponse(&request, s);
  v1::CreateCollectionRequest body;
  if (Status s = http::DecodeBody(request, body); !s.ok()) return http::ErrorResponse(&request, s);
  const v1::Collection& c = body.collection();
  if (Status s = ValidateSpec(c); !s.ok()) return http::ErrorResponse(&request, s);

  store::CollectionRow spec;
  spec.name = c.name();
  spec.description = c.description();
  for (const auto& k : c.allowed_kinds()) spec.allowed_kinds.push_back(*signals::ParseKind(k));  // checked above
  spec.required_fields.assign(c.required_fields().begin(), c.required_fields().end());
  spec.allowed_categories.assign(c.allowed_categories().begin(), c.allowed_categories().end());
  spec.label_vocabulary.assign(c.label_vocabulary().begin(), c.label_vocabulary().end());
  spec.attribution = c.attribution().empty() ? "named" : c.attribution();
  spec.dispute_min_orgs = c.dispute_min_orgs() == 0 ? 2 : static_cast<int>(c.dispute_min_orgs());
  spec.dispute_needs_majority = c.dispute_min_orgs() == 0 ? true : c.dispute_needs_majority();
  if (c.vpdq_stored_percent() != 0) spec.vpdq_stored_percent = static_cast<int>(c.vpdq_stored_percent());
  spec.vpdq_query_percent = static_cast<int>(c.vpdq_query_percent());
  auto event = MakeAuditEvent(*context.caller, "collection.create", "collection:" + spec.name, c.description());
  auto created = store::CreateCollection(*context.db, spec, event);
  if (!created.ok()) return http::ErrorResponse(&request, created.status());
  v1::Collection out;
  ToWire(*created, true, out);
  return http::Encode(request, out, 201);
}

http::Response List(const http::Request& request, http::CallContext& context) {
  const bool staff = IsStaff(*context.caller);
  auto rows = store::ListCollections(*context.db, staff ? std::nullopt : std::optional(context.caller->org_id));
  if (!rows.ok()) return http::ErrorResponse(&request, rows.status());
  v1::ListCollectionsResponse out;
  for (const auto& row : *rows) ToWire(row, staff, *out.add_collections());
  return http::Encode(request, out);
}

http::Response Update(const http::Request& request, http::CallContext& context) {
  if (Status s = RequireAdmin(*context.caller); !s.ok()) return http::ErrorResponse(&request, s);
  v1::UpdateCollectionRequest body;
  if (Status s = http::DecodeBody(request, body); !s.ok()) return http::ErrorResponse(&request, s);
  if (body.reason().size() > 2000) return http::ErrorResponse(&request, Status::InvalidArgument("reason is too long"));
  const std::optional<uint32_t> stored =
      body.has_vpdq_stored_percent() ? std::optional(body.vpdq_stored_percent()) : std::nullopt;
  const std::optional<uint32_t> query =
      body.has_vpdq_query_percent() ? std::optional(body.vpdq_query_percent()) : std::nullopt;
  if (!stored && !query) {
    return http::ErrorResponse(
        &request, Status::InvalidArgument("nothing to change: give vpdq_stored_percent or vpdq_query_percent"));
  }
  if (Status s = ValidateVpdqThresholds(stored, query); !s.ok()) return http::ErrorResponse(&request, s);
  const std::string& name = request.params.at("c");
  store::CollectionUpdate update;
  auto event = MakeAuditEvent(*context.caller, "collection.update", "collection:" + name, body.reason());
  if (stored) {
    update.vpdq_stored_percent = static_cast<int>(*stored);
    (*event.mutable_details())["vpdq_stored_percent"] = std::to_string(*stored);
  }
  if (query) {
    update.vpdq_query_percent = static_cast<int>(*query);
    (*event.mutable_details())["vpdq_query_percent"] = std::to_string(*query);
  }
  auto updated = store::UpdateCollection(*context.db, name, update, event);
  if (!updated.ok()) return http::ErrorResponse(&request, updated.status());
  v1::Collection out;
  ToWire(*updated, true, out);
  return http::Encode(request, out);
}

http::Response SetGrant(const http::Request& request, http::CallContext& context) {
  if (Status s = RequireAdmin(*context.caller); !s.ok()) return http::ErrorResponse(&request, s);
  v1::SetGrantRequest body;
  if (Status s = http::DecodeBody(request, body); !s.ok()) return http::ErrorResponse(&request, s);
  auto access = store::ParseGrantAccess(body.access());
  if (!access) return http::ErrorResponse(&request, Status::InvalidArgument("access must be read, write or none"));
  if (body.reason().size() > 2000) return http::ErrorResponse(&request, Status::InvalidArgument("reason is too long"));
  const std::string& collection = request.params.at("c");
  const std::string& org = request.params.at("org");
  auto event = MakeAuditEvent(*context.caller, "grant.set", "collection:" + collection + "/org:" + org, body.reason());
  (*event.mutable_details())["access"] = body.access();
  if (Status s = store::SetGrant(*context.db, collection, org, *access, event); !s.ok()) {
    return http::ErrorResponse(&request, s);
  }
  v1::Grant out;
  out.set_org(org);
  out.set_access(body.access());
  return http::Encode(request, out);
}

}  // namespace

void AddCollectionRoutes(http::Router& router) {
  router.Add({.method = "POST", .pattern = "/v1/collections", .max_body_bytes = kSmallBodyLimit, .handler = Create});
  router.Add({.method = "GET", .pattern = "/v1/collections", .max_body_bytes = kSmallBodyLimit, .handler = List});
  router.Add(
      {.method = "PATCH", .pattern = "/v1/collections/{c}", .max_body_bytes = kSmallBodyLimit, .handler = Update});
  router.Add({.method = "PUT",
              .pattern = "/v1/collections/{c}/grants/{org}",
              .max_body_bytes = kSmallBodyLimit,
              .handler = SetGrant});
}

}  // namespace exchange::api
