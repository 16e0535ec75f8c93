// SPDX-License-Identifier: Apache-2.0
// exchangectl collections list | create NAME | grant NAME ORG read|write|none
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
  in.flags.String("reason", "", &reason, "why (kept in the audit log)");
  in.Parse();
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
         v1::Collection created;
         if (Status s = api.Call("POST", "/v1/collections", &request, &created); !s.ok()) return Fail(s);
         if (in.cli.json()) {
           PrintJson(created);
         } else {
           std::printf("created collection %s\n", created.name().c_str());
         }
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
    "collections", "list, create and grant access to collections",
    "usage: exchangectl collections list\n"
    "       exchangectl collections create NAME [--description D] [--kinds md5,pdq,...] [--require category,...]\n"
    "                                   [--attribution named|anonymous] [--dispute-min-orgs N]\n"
    "       exchangectl collections grant NAME ORG read|write|none [--reason R]\n\n"
    "Collections are sharing scopes; creating them and granting access is for coalition admins.",
    Command::Flags::kConnection, RunCollections};

}  // namespace exchange::client
