// SPDX-License-Identifier: Apache-2.0
#include "collections.h"

#include <doctest/doctest.h>

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

}  // namespace exchange::testing
