// SPDX-License-Identifier: Apache-2.0
// The verifiable feed under measurement, through the real API over mTLS:
//   append   entries/s when members submit batches of --batch signals
//   hash     SHA-256 leaf hashing of the same entry bytes, in this process
//   page     entries/s served by GET .../entries (pages of 10,000)
//   proofs   inclusion and consistency proof latency at the final tree size
// Prints one JSON object. Bounded: it appends --entries and stops.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "common/flags.h"
#include "common/hex.h"
#include "exchange/v1/feed.pb.h"
#include "exchange/v1/signals.pb.h"
#include "log/hash.h"
#include "transport/api_client.h"

using namespace exchange;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

int Die(const Status& s) {
  std::fprintf(stderr, "feed_bench: %s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  client::ClientOptions options;
  std::string collection = "bench", page_file;
  int64_t entries = 100000, batch = 10000, proofs = 2000, seed = 1;
  FlagSet flags("usage: feed_bench --server URL --ca F --cert F --key F [--collection C] [--entries N] [--batch B]");
  options.timeout = std::chrono::minutes(5);
  client::AddConnectionFlags(flags, options);  // --cert: a member certificate with write access
  flags.String("collection", "", &collection, "collection to append to");
  flags.Int("entries", "", &entries, "entries to append");
  flags.Int("batch", "", &batch, "signals per submitted batch");
  flags.Int("proofs", "", &proofs, "proof requests of each kind");
  flags.Int("seed", "", &seed, "distinguishes the values of separate runs");
  flags.String("page-file", "", &page_file, "write one page's bytes here (for the nginx comparison)");
  flags.ParseOrExit({argv + 1, argv + argc}, [](const Status& s) { Die(s); });
  auto http = client::HttpsClient::Create(options);
  if (!http.ok()) return Die(http.status());
  client::ApiClient api(std::move(http).value());
  const std::string base = "/v1/collections/" + collection;

  // Append.
  uint64_t start_size = 0;
  {
    v1::EntryBundle probe;
    if (Status s = api.Call("GET", base + "/entries?start=0&limit=1", nullptr, &probe); !s.ok()) return Die(s);
    start_size = probe.tree_size();
  }
  const auto append_start = Clock::now();
  for (int64_t done = 0; done < entries; done += batch) {
    v1::SubmitSignalsRequest request;
    for (int64_t i = done; i < std::min(entries, done + batch); ++i) {
      auto* s = request.add_signals();
      s->set_kind("sha256");
      s->set_value(HexEncode(log::Sha256("run" + std::to_string(seed) + "-" + std::to_string(i))));
      s->set_category("A1");
    }
    if (Status s = api.Call("POST", base + "/signals", &request, nullptr); !s.ok()) return Die(s);
  }
  const double append_seconds = Seconds(Clock::now() - append_start);

  // Page through everything, keeping the bytes for the hashing comparison.
  std::vector<std::string> all;
  uint64_t bytes = 0, pages = 0, size = 0;
  const auto page_start = Clock::now();
  for (;;) {
    v1::EntryBundle bundle;
    if (Status s =
            api.Call("GET", base + "/entries?start=" + std::to_string(all.size()) + "&limit=10000", nullptr, &bundle);
        !s.ok()) {
      return Die(s);
    }
    size = bundle.tree_size();
    if (bundle.entries_size() == 0) break;
    if (pages == 0 && !page_file.empty()) std::ofstream(page_file, std::ios::binary) << bundle.SerializeAsString();
    ++pages;
    for (auto& e : *bundle.mutable_entries()) {
      bytes += e.size();
      all.push_back(std::move(e));
    }
    if (all.size() >= size) break;
  }
  const double page_seconds = Seconds(Clock::now() - page_start);

  // Again: what a second member syncing the same log gets (pages from memory).
  const auto warm_start = Clock::now();
  uint64_t warm_entries = 0, warm_bytes = 0;
  while (warm_entries < all.size()) {
    auto page = api.http().Send("GET", base + "/entries?start=" + std::to_string(warm_entries) + "&limit=10000", "",
                                {{"Accept", "application/x-protobuf"}});
    if (!page.ok()) return Die(page.status());
    warm_bytes += page->body.size();
    warm_entries += 10000;
  }
  const double warm_seconds = Seconds(Clock::now() - warm_start);

  const auto hash_start = Clock::now();
  log::Hash acc{};
  for (const auto& e : all) {
    auto h = log::LeafHash(e);
    acc[0] ^= h[0];
  }
  const double hash_seconds = Seconds(Clock::now() - hash_start);

  // Proofs at the final size.
  std::mt19937_64 rng(static_cast<uint64_t>(seed));
  std::vector<double> inclusion_ms, consistency_ms;
  for (int64_t i = 0; i < proofs; ++i) {
    v1::ProofResponse proof;
    auto t0 = Clock::now();
    if (Status s = api.Call(
            "GET", base + "/proof/inclusion?index=" + std::to_string(rng() % size) + "&size=" + std::to_string(size),
            nullptr, &proof);
        !s.ok()) {
      return Die(s);
    }
    inclusion_ms.push_back(Seconds(Clock::now() - t0) * 1000);
    t0 = Clock::now();
    if (Status s = api.Call(
            "GET", base + "/proof/consistency?old=" + std::to_string(1 + rng() % size) + "&new=" + std::to_string(size),
            nullptr, &proof);
        !s.ok()) {
      return Die(s);
    }
    consistency_ms.push_back(Seconds(Clock::now() - t0) * 1000);
  }
  std::printf(
      "{\"start_size\":%llu,\"tree_size\":%llu,\"appended\":%lld,\"batch\":%lld,\"append_seconds\":%.3f,"
      "\"append_entries_per_s\":%.0f,\"hash_entries_per_s\":%.0f,\"entry_bytes\":%llu,\"pages\":%llu,"
      "\"page_seconds\":%.3f,\"page_entries_per_s\":%.0f,\"page_bytes_per_s\":%.0f,"
      "\"warm_entries_per_s\":%.0f,\"warm_bytes_per_s\":%.0f,"
      "\"inclusion_p50_ms\":%.3f,\"inclusion_p99_ms\":%.3f,\"consistency_p50_ms\":%.3f,\"consistency_p99_ms\":%.3f,"
      "\"check\":%u}\n",
      static_cast<unsigned long long>(start_size), static_cast<unsigned long long>(size),
      static_cast<long long>(entries), static_cast<long long>(batch), append_seconds,
      static_cast<double>(entries) / append_seconds, static_cast<double>(all.size()) / hash_seconds,
      static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(pages), page_seconds,
      static_cast<double>(all.size()) / page_seconds, static_cast<double>(bytes) / page_seconds,
      static_cast<double>(all.size()) / warm_seconds, static_cast<double>(warm_bytes) / warm_seconds,
      Percentile(inclusion_ms, 0.5), Percentile(inclusion_ms, 0.99), Percentile(consistency_ms, 0.5),
      Percentile(consistency_ms, 0.99), acc[0]);
  return 0;
}
