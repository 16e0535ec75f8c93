// SPDX-License-Identifier: Apache-2.0
// Near-duplicate lookup on the server: a resized copy of a submitted image is
// found by its PDQ hash, a retraction takes effect within a second, bad
// queries are answered per item, and a server started on existing signals
// (its index loaded at once from the log) answers as the running one.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "collections.h"
#include "common/hex.h"
#include "exchange/v1/collections.pb.h"
#include "exchange/v1/signals.pb.h"
#include "pdq/hasher.h"
#include "pdq/image.h"
#include "test_exchange.h"
#include "vector_files.h"

using namespace exchange;
using exchange::testing::TestExchange;

namespace {

std::string Hex(const pdq::PdqHash& h) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

// The image at half its size, each pixel the mean of four: a resized copy.
pdq::PdqHash HalfSizeHash(const pdq::LumaImage& image) {
  pdq::LumaImage half;
  half.width = image.width / 2;
  half.height = image.height / 2;
  half.pixels.resize(static_cast<std::size_t>(half.width) * half.height);
  for (int y = 0; y < half.height; ++y) {
    for (int x = 0; x < half.width; ++x) {
      auto at = [&](int xx, int yy) { return image.pixels[static_cast<std::size_t>(yy) * image.width + xx]; };
      half.pixels[static_cast<std::size_t>(y) * half.width + x] =
          (at(2 * x, 2 * y) + at(2 * x + 1, 2 * y) + at(2 * x, 2 * y + 1) + at(2 * x + 1, 2 * y + 1)) / 4;
    }
  }
  auto hashed = pdq::HashLuma(half.view());
  REQUIRE(hashed.ok());
  return hashed->hash;
}

v1::LookupResponse Lookup(client::ApiClient& api, const std::vector<std::string>& queries, uint32_t max_distance = 0) {
  v1::LookupRequest request;
  for (const auto& q : queries) request.add_pdq(q);
  request.set_max_distance(max_distance);
  v1::LookupResponse response;
  Status s = api.Call("POST", "/v1/collections/images/lookup", &request, &response);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return response;
}

}  // namespace

TEST_CASE("PDQ lookup: a resized copy is found; a retraction applies within a second") {
  TestExchange ex;
  auto alpha = testing::CreateCollectionFor(ex, "images", "alpha");

  std::vector<uint8_t> bytes = testing::ReadTestBytes(testing::VectorDir("pdq") / "images" / "bridge-1-original.jpg");
  REQUIRE(!bytes.empty());
  auto image = pdq::DecodeLuma(bytes);
  REQUIRE(image.ok());
  auto original = pdq::HashLuma(image->view());
  REQUIRE(original.ok());
  const std::string submitted = Hex(original->hash);
  const std::string resized = Hex(HalfSizeHash(*image));
  REQUIRE(submitted != resized);

  v1::SubmitSignalsRequest submit;
  auto* s = submit.add_signals();
  s->set_kind("pdq");
  s->set_value(submitted);
  s->set_pdq_quality(static_cast<uint32_t>(original->quality));
  auto* other = submit.add_signals();
  other->set_kind("pdq");
  other->set_value(std::string(64, 'f'));
  REQUIRE(alpha->Call("POST", "/v1/collections/images/signals", &submit, nullptr).ok());

  // Within a second the index has it.
  const v1::LookupResponse found = testing::LookupUntilFound([&] { return Lookup(*alpha, {resized}); });
  REQUIRE(found.results(0).matches_size() == 1);
  const auto& match = found.results(0).matches(0);
  CHECK(match.value() == submitted);
  CHECK(match.distance() > 0);
  CHECK(match.distance() <= 31);
  CHECK(match.state().status() == "active");
  CHECK(match.state().pdq_quality() == static_cast<uint32_t>(original->quality));
  MESSAGE("a half-size copy is at distance " << match.distance());

  // exchangectl finds it offline too: an exact mirror, then a near match of a rotated copy.
  {
    const auto o = ex.ClientOptionsFor("alpha");
    const std::string conn =
        " --server " + o.server + " --ca " + o.ca_file + " --cert " + o.cert_file + " --key " + o.key_file;
    const std::string ctl = testing::BinDir() + "/exchangectl";
    auto vkeys =
        testing::RunCommand("cat " + ex.dir() + "/feed.key.vkey " + ex.dir() + "/freshness.key.vkey | paste -sd,");
    auto sync = testing::RunCommand(ctl + " sync --collection images --mirror " + ex.dir() + "/mirror --feed-vkey " +
                                    vkeys.output.substr(0, vkeys.output.find('\n')) + conn + " 2>&1");
    REQUIRE_MESSAGE(sync.exit_code == 0, sync.output);
    const std::string rotated = testing::VectorDir("pdq") / "images" / "bridge-2-rotate-90.jpg";
    auto plain = testing::RunCommand(ctl + " match --mirror " + ex.dir() + "/mirror --file " + rotated + " 2>&1");
    auto turned =
        testing::RunCommand(ctl + " match --dihedral --mirror " + ex.dir() + "/mirror --file " + rotated + " 2>&1");
    CHECK(plain.exit_code == 1);
    CHECK_MESSAGE(turned.exit_code == 0, turned.output);
    CHECK(turned.output.find("MATCH pdq " + submitted + " at distance") != std::string::npos);
  }

  // Exact lookups of any kind, for members without a mirror; results come first, in order.
  {
    v1::LookupRequest request;
    for (auto [kind, value] :
         {std::pair{"pdq", submitted}, std::pair{"md5", std::string(32, 'a')}, std::pair{"bogus", std::string("x")}}) {
      auto* ref = request.add_values();
      ref->set_kind(kind);
      ref->set_value(value);
    }
    request.add_pdq(resized);
    v1::LookupResponse response;
    REQUIRE(alpha->Call("POST", "/v1/collections/images/lookup", &request, &response).ok());
    REQUIRE(response.results_size() == 4);
    REQUIRE(response.results(0).matches_size() == 1);
    CHECK(response.results(0).matches(0).state().status() == "active");
    CHECK(response.results(1).matches_size() == 0);
    CHECK(response.results(1).error().empty());
    CHECK(response.results(2).error().find("unknown kind") != std::string::npos);
    CHECK(response.results(3).matches_size() == 1);
  }

  auto strict = Lookup(*alpha, {resized}, 1);
  CHECK(strict.results(0).matches_size() == 0);

  auto bad = Lookup(*alpha, {"not-a-hash", submitted});
  CHECK(!bad.results(0).error().empty());
  CHECK(bad.results(1).matches_size() == 1);
  CHECK(bad.results(1).matches(0).distance() == 0);

  testing::Retract(*alpha, "images", "pdq", {submitted});
  std::chrono::steady_clock::duration waited{};
  CHECK(testing::WaitForNoMatches([&] { return Lookup(*alpha, {resized}).results(0).matches_size(); }, &waited) == 0);
  CHECK(waited < std::chrono::seconds(1) + std::chrono::milliseconds(500));

  // A server started now loads the log at once: the retracted hash is absent, the other found.
  // Until it has, it answers 503: its first answer is already the whole log's.
  {
    testing::SecondServer restarted(ex, "restarted.log");
    client::ApiClient api(std::move(client::HttpsClient::Create(restarted.ClientOptionsFor("alpha"))).value());
    v1::LookupRequest request;
    request.add_pdq(std::string(64, 'f'));
    request.add_pdq(resized);
    request.set_max_distance(31);
    const v1::LookupResponse loaded = testing::LookupOnceLoaded(api, "images", request);
    REQUIRE(loaded.results(0).matches_size() == 1);
    CHECK(loaded.results(0).matches(0).value() == std::string(64, 'f'));
    CHECK(loaded.results(1).matches_size() == 0);
    CHECK(loaded.indexed_through() > 0);
  }

  v1::LookupRequest none;
  none.add_pdq(submitted);
  CHECK(ex.Client("beta")->Call("POST", "/v1/collections/images/lookup", &none, nullptr).code() ==
        ErrorCode::kPermissionDenied);
}
