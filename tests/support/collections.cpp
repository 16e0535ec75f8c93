// SPDX-License-Identifier: Apache-2.0
#include "collections.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "common/hex.h"
#include "exchange/v1/signals.pb.h"

namespace exchange::testing {

void CreateCollection(client::ApiClient& admin, const v1::Collection& collection,
                      const std::vector<std::string>& writers) {
  v1::CreateCollectionRequest create;
  *create.mutable_collection() = collection;
  Status created = admin.Call("POST", "/v1/collections", &create, nullptr);
  REQUIRE_MESSAGE(created.ok(), "create " << collection.name() << ": " << created.ToString());
  for (const std::string& org : writers) {
    v1::SetGrantRequest grant;
    grant.set_access("write");
    Status granted = admin.Call("PUT", "/v1/collections/" + collection.name() + "/grants/" + org, &grant, nullptr);
    REQUIRE_MESSAGE(granted.ok(), "grant " << org << " on " << collection.name() << ": " << granted.ToString());
  }
}

void CreateCollection(client::ApiClient& admin, const std::string& name, const std::vector<std::string>& writers) {
  v1::Collection collection;
  collection.set_name(name);
  CreateCollection(admin, collection, writers);
}

std::vector<std::string> SubmitRandomSha256(client::ApiClient& member, const std::string& collection, int count,
                                            std::mt19937_64& rng) {
  std::vector<std::string> values;
  for (int done = 0; done < count;) {
    v1::SubmitSignalsRequest request;
    const int n = std::min(10'000, count - done);
    for (int i = 0; i < n; ++i) {
      std::string raw(32, '\0');
      for (auto& b : raw) b = static_cast<char>(rng());
      auto* s = request.add_signals();
      s->set_kind("sha256");
      s->set_value(HexEncode(raw));
      s->set_category("A1");
      values.push_back(s->value());
    }
    v1::SubmitSignalsResponse response;
    Status s = member.Call("POST", "/v1/collections/" + collection + "/signals", &request, &response);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    done += n;
  }
  return values;
}

}  // namespace exchange::testing
