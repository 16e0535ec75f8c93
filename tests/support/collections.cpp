// SPDX-License-Identifier: Apache-2.0
#include "collections.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <thread>

#include "common/hex.h"
#include "exchange/v1/feed.pb.h"
#include "exchange/v1/signals.pb.h"
#include "test_exchange.h"

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

std::unique_ptr<client::ApiClient> CreateCollectionFor(const TestExchange& exchange, const std::string& collection,
                                                       const std::string& writer) {
  CreateCollection(*exchange.Client("admin1"), collection, {writer});
  return exchange.Client(writer);
}

std::vector<std::string> FetchEntries(client::ApiClient& api, const std::string& log_path, uint64_t size, int page) {
  std::vector<std::string> entries;
  while (entries.size() < size) {
    v1::EntryBundle bundle;
    const std::string target =
        log_path + "/entries?start=" + std::to_string(entries.size()) + "&limit=" + std::to_string(page);
    Status s = api.Call("GET", target, nullptr, &bundle);
    REQUIRE_MESSAGE(s.ok(), target << ": " << s.ToString());
    REQUIRE(bundle.start() == entries.size());
    REQUIRE(bundle.entries_size() > 0);
    entries.insert(entries.end(), bundle.entries().begin(), bundle.entries().end());
  }
  return entries;
}

v1::SignalSubmission* AddSignal(v1::SubmitSignalsRequest& submit, const std::string& kind, const std::string& value,
                                const std::string& category) {
  auto* s = submit.add_signals();
  s->set_kind(kind);
  s->set_value(value);
  s->set_category(category);
  return s;
}

void Retract(client::ApiClient& member, const std::string& collection, const std::string& kind,
             const std::vector<std::string>& values) {
  v1::RetractionsRequest retract;
  for (const std::string& value : values) {
    auto* r = retract.add_signals();
    r->set_kind(kind);
    r->set_value(value);
  }
  Status retracted = member.Call("POST", "/v1/collections/" + collection + "/retractions", &retract, nullptr);
  REQUIRE_MESSAGE(retracted.ok(), "retract from " << collection << ": " << retracted.ToString());
}

v1::LookupResponse LookupUntilFound(const std::function<v1::LookupResponse()>& lookup) {
  v1::LookupResponse found;
  for (int i = 0; i < 20; ++i) {
    found = lookup();
    if (found.results(0).matches_size() > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return found;
}

v1::LookupResponse LookupOnceLoaded(client::ApiClient& api, const std::string& collection,
                                    const v1::LookupRequest& request) {
  v1::LookupResponse response;
  Status s;
  for (int i = 0; i < 50; ++i) {
    response.Clear();
    s = api.Call("POST", "/v1/collections/" + collection + "/lookup", &request, &response);
    if (s.code() != ErrorCode::kUnavailable) break;
    CHECK_MESSAGE(s.message().find("still loading") != std::string::npos, s.ToString());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return response;
}

int WaitForNoMatches(const std::function<int()>& matches, std::chrono::steady_clock::duration* waited) {
  const auto start = std::chrono::steady_clock::now();
  int remaining = 1;
  while (remaining > 0 && std::chrono::steady_clock::now() - start < std::chrono::seconds(3)) {
    remaining = matches();
    if (remaining) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  *waited = std::chrono::steady_clock::now() - start;
  return remaining;
}

}  // namespace exchange::testing
