// SPDX-License-Identifier: Apache-2.0
// exchangectl collections list | create NAME | update NAME | grant NAME ORG read|write|none
#include <cstdio>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "common/split.h"
#include "exchange/v1/collections.pb.h"

namespace exchange::client {
namespace {

void PrintTable(const v1::ListCollectionsResponse& list) {
  std::printf("%-24s %10s  %-9s  %s\n", "COLLECTION", "LOG SIZE", "ATTRIB.", "GRANTS");
  for (const auto& c : list.collections()) {
    std::string grants;
    for (const auto& g : c.grants()) grants += (grants.empty() ? "" : " ") + g.org() + ":" + g.access();
    std::printf("%-24s %10llu  %-9s  %s\n", c.name().c_str(), static_cast<unsigned long long>(c.log_size()),
                c.attribution().c_str(), grants.c_str());
  }
}

}  // namespace

int RunCollections(Invocation& in) {
  std::string description, kinds, required, attribution, reason, categories, labels;
  int64_t dispute_min_orgs = 0;
  in.flags.String("description", "", &description, "what the collection holds");
  in.flags.String("kinds", "", &kinds, "signal kinds it accepts, comma-separated (default: all)");
  in.flags.String("require", "", &required, "fields every submission must carry, comma-separated");
  in.flags.String("categories", "", &categories, "the taxonomy: allowed categories, comma-separated (default: any)");
  in.flags.String("labels", "", &labels, "the allowed labels, comma-separated (default: any)");
  in.flags.String("attribution", "", &attribution, "named (default) or anonymous");
  in.flags.Int("dispute-min-orgs", "", &dispute_min_orgs,
               "organisations that must dispute before a signal is disputed");
  // -1: not given (create: the exchange's defaults; update: unchanged).
  int64_t vpdq_stored_percent = -1, vpdq_query_percent = -1;
  in.flags.Int("vpdq-stored-percent", "", &vpdq_stored_percent,
               "videos: share of a stored video's frames a vPDQ match needs, 1-100 (default 80)");
  in.flags.Int("vpdq-query-percent", "", &vpdq_query_percent,
               "videos: share of the queried video's frames a vPDQ match needs, 0-100 (default 0)");
  in.flags.String("reason", "", &reason, "why (kept in the audit log)");
  in.Parse();
  if (vpdq_stored_percent != -1 && (vpdq_stored_percent < 1 || vpdq_stored_percent > 100)) {
    return in.UsageError("--vpdq-stored-percent must be 1-100");
  }
  if (vpdq_query_percent != -1 && (vpdq_query_percent < 0 || vpdq_query_percent > 100)) {
    return in.UsageError("--vpdq-query-percent must be 0-100");
  }
  auto print_collection = [&](const v1::Collection& c, const char* verb) {
    if (in.cli.json()) {
      PrintJson(c);
    } else {
      std::printf("%s collection %s (vPDQ thresholds: stored %u %%, query %u %%)\n", verb, c.name().c_str(),
                  c.vpdq_stored_percent(), c.vpdq_query_percent());
    }
  };
  return in.RunVerb({
      {"list", 1,
       [&](ApiClient& api, const std::vector<std::string>&) {
         return GetAndPrint<v1::ListCollectionsResponse>(api, in.cli, "/v1/collections", PrintTable);
       }},
      {"create", 2,
       [&](ApiClient& api, const std::vector<std::string>& pos) {
         v1::CreateCollectionRequest request;
         auto* c = request.mutable_collection();
         c->set_name(pos[1]);
         c->set_description(description);
         for (const auto& k : SplitNonEmpty(kinds, ',')) c->add_allowed_kinds(k);
         for (const auto& f : SplitNonEmpty(required, ',')) c->add_required_fields(f);
         for (const auto& v : SplitNonEmpty(categories, ',')) c->add_allowed_categories(v);
         for (const auto& v : SplitNonEmpty(labels, ',')) c->add_label_vocabulary(v);
         c->set_attribution(attribution);
         if (dispute_min_orgs > 0) {
           c->set_dispute_min_orgs(static_cast<uint32_t>(dispute_min_orgs));
           c->set_dispute_needs_majority(true);
         }
         if (vpdq_stored_percent != -1) c->set_vpdq_stored_percent(static_cast<uint32_t>(vpdq_stored_percent));
         if (vpdq_query_percent != -1) c->set_vpdq_query_percent(static_cast<uint32_t>(vpdq_query_percent));
         v1::Collection created;
         if (Status s = api.Call("POST", "/v1/collections", &request, &created); !s.ok()) return Fail(s);
         print_collection(created, "created");
         return 0;
       }},
      {"update", 2,
       [&](ApiClient& api, const std::vector<std::string>& pos) {
         v1::UpdateCollectionRequest request;
         if (vpdq_stored_percent != -1) request.set_vpdq_stored_percent(static_cast<uint32_t>(vpdq_stored_percent));
         if (vpdq_query_percent != -1) request.set_vpdq_query_percent(static_cast<uint32_t>(vpdq_query_percent));
         request.set_reason(reason);
         v1::Collection updated;
         if (Status s = api.Call("PATCH", "/v1/collections/" + pos[1], &request, &updated); !s.ok()) return Fail(s);
         print_collection(updated, "updated");
         return 0;
       }},
      {"grant", 4,
       [&](ApiClient& api, const std::vector<std::string>& pos) {
         v1::SetGrantRequest request;
         request.set_access(pos[3]);
         request.set_reason(reason);
         v1::Grant grant;
         if (Status s = api.Call("PUT", "/v1/collections/" + pos[1] + "/grants/" + pos[2], &request, &grant); !s.ok()) {
           return Fail(s);
         }
         if (in.cli.json()) {
           PrintJson(grant);
         } else {
           std::printf("%s now has %s access to %s\n", grant.org().c_str(), grant.access().c_str(), pos[1].c_str());
         }
         return 0;
       }},
  });
}

extern const Command kCollectionsCommand = {
    "collections", "list, create, update and grant access to collections",
    "usage: exchangectl collections list\n"
    "       exchangectl collections create NAME [--description D] [--kinds md5,pdq,...] [--require category,...]\n"
    "                                   [--attribution named|anonymous] [--dispute-min-orgs N]\n"
    "                                   [--vpdq-stored-percent P] [--vpdq-query-percent P]\n"
    "       exchangectl collections update NAME [--vpdq-stored-percent P] [--vpdq-query-percent P] [--reason R]\n"
    "       exchangectl collections grant NAME ORG read|write|none [--reason R]\n\n"
    "Collections are sharing scopes; creating and changing them and granting access is for coalition admins.\n"
    "The vPDQ thresholds are what lookups and mirrors (after their next sync) match videos with when a\n"
    "request names none: a stored video matches when the query matches P % of its usable frames (default 80)\n"
    "and it matches P % of the query's (default 0).",
    Command::Flags::kConnection, RunCollections};

}  // namespace exchange::client
