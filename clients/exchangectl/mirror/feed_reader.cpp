// SPDX-License-Identifier: Apache-2.0
#include "mirror/feed_reader.h"

#include <algorithm>
#include <sstream>
#include <thread>

#include "common/files.h"

#include "exchange/v1/feed.pb.h"
#include "log/checkpoint.h"
#include "log/merkle.h"
#include "log/tiles.h"

namespace exchange::client {
namespace {

constexpr size_t kMaxPolicyBytes = 64 * 1024;

}  // namespace

Result<Trust> ParseTrust(const std::string& vkeys, const std::string& witness_policy) {
  Trust trust;
  if (!witness_policy.empty()) {
    auto text = ReadFile(witness_policy, kMaxPolicyBytes);
    if (!text.ok())
      return Status::InvalidArgument("--witness-policy " + witness_policy + ": " + text.status().message());
    auto policy = log::WitnessPolicy::Parse(*text);
    if (!policy.ok()) return Status::InvalidArgument(witness_policy + ": " + policy.status().message());
    trust.feed = policy->log_keys();
    trust.witnesses = std::move(policy).value();
  }
  std::stringstream in(vkeys);
  std::string vkey;
  while (std::getline(in, vkey, ',')) {
    while (!vkey.empty() && (vkey.back() == '\n' || vkey.back() == ' ')) vkey.pop_back();
    if (vkey.empty()) continue;
    auto v = log::Verifier::Parse(vkey);
    if (!v.ok()) return Status::InvalidArgument("verifier key '" + vkey + "': " + v.status().message());
    (v->type() == log::KeyType::kCosignatureV1 ? trust.freshness : trust.feed).push_back(*v);
  }
  if (trust.feed.empty()) {
    return Status::InvalidArgument(
        "no trusted feed key: give --feed-vkey (or EXCHANGECTL_FEED_VKEYS), e.g. $FEED_VKEY");
  }
  return trust;
}

namespace {

// The tree size a note's text states; 0 when it is no checkpoint.
uint64_t NoteSize(const std::string& note) {
  auto checkpoint = log::Checkpoint::Parse(std::string_view(note).substr(0, note.find("\n\n") + 1));
  return checkpoint.ok() ? checkpoint->size : 0;
}

}  // namespace

std::string FeedReader::WitnessedNote(const std::string& newest, uint64_t quorum, bool* none_witnessed) {
  // The newest tree may carry its cosignatures already.
  if (auto w = log::CheckWitnesses(newest, *trust_.witnesses); !w.ok() || w->satisfied) return newest;
  Result<std::string> witnessed = Status::NotFound("");
  for (int attempt = 0; attempt < kWitnessWaitAttempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(kWitnessWaitStep);
    witnessed = api_.GetText(path_ + "/checkpoint?witnessed=" + std::to_string(quorum));
    if (witnessed.ok() && NoteSize(*witnessed) >= NoteSize(newest)) return *witnessed;
    if (!witnessed.ok() && witnessed.status().code() != ErrorCode::kNotFound) break;
  }
  if (witnessed.ok()) return *witnessed;  // the newest tree the witnesses got to
  *none_witnessed = true;                 // no tree has enough cosignatures: the unwitnessed one is the evidence
  return newest;
}

Result<log::VerifiedCheckpoint> FeedReader::Checkpoint(const std::string& origin, std::string* raw_note,
                                                       std::set<std::string>* witnessed_by) {
  auto note = api_.GetText(path_ + "/checkpoint");
  if (!note.ok()) return note.status();
  const uint64_t quorum = trust_.witnesses ? trust_.witnesses->MinimumWitnesses() : 0;
  bool none_witnessed = false;
  if (quorum > 0) note = WitnessedNote(*note, quorum, &none_witnessed);
  if (raw_note) *raw_note = *note;
  auto verified = log::VerifyCheckpointNote(*note, trust_.feed, trust_.freshness, origin);
  if (!verified.ok() || !trust_.witnesses) return verified;
  auto witnessed = log::CheckWitnesses(*note, *trust_.witnesses);
  if (!witnessed.ok()) {
    return Status::FailedPrecondition("a witness cosignature on the checkpoint does not verify: " +
                                      witnessed.status().message());
  }
  if (witnessed_by) *witnessed_by = witnessed->cosigned;
  if (!witnessed->satisfied) {
    std::string names;
    for (const auto& name : witnessed->cosigned) names += (names.empty() ? "" : ", ") + name;
    return Status::FailedPrecondition(
        std::string("the checkpoint lacks the witness policy's quorum: ") +
        (none_witnessed ? "the exchange holds no checkpoint with enough witness cosignatures"
                        : "cosigned by " + (names.empty() ? std::string("no witness of the policy") : names)) +
        " (a witness that refuses to cosign may have seen another view of this log)");
  }
  return verified;
}

namespace {

// Bundle requests each connection makes per round; a round's bundles are
// handed on in order once all have arrived.
constexpr uint64_t kBundlesPerConnectionRound = 4;

// The body of GET `target`, or the server's error as a Status.
Result<std::string> GetBytes(ApiClient& api, const std::string& target) {
  auto r = api.http().Send("GET", target);
  if (!r.ok()) return r.status();
  if (r->status != 200) return StatusFromErrorResponse(*r);
  return std::move(r->body);
}

}  // namespace

Status FeedReader::Entries(uint64_t start, uint64_t end, uint64_t page,
                           const std::function<Status(uint64_t, const std::string&)>& each) {
  if (tiles_) return EntriesFromBundles(start, end, page, each);
  uint64_t next = start;
  while (next < end) {
    v1::EntryBundle bundle;
    const uint64_t limit = std::min(page, end - next);
    Status s = api_.Call("GET", path_ + "/entries?start=" + std::to_string(next) + "&limit=" + std::to_string(limit),
                         nullptr, &bundle);
    if (!s.ok()) return s;
    if (bundle.start() != next) return Status::Unauthenticated("the server answered entries from the wrong index");
    if (bundle.entries_size() == 0) {
      return Status::Unauthenticated("the server has no entry " + std::to_string(next) + " below the size it signed (" +
                                     std::to_string(end) + ")");
    }
    for (const auto& entry : bundle.entries()) {
      if (next >= end) break;
      if (Status e = each(next, entry); !e.ok()) return e;
      ++next;
    }
  }
  return Status::Ok();
}

Status FeedReader::EntriesFromBundles(uint64_t start, uint64_t end, uint64_t page,
                                      const std::function<Status(uint64_t, const std::string&)>& each) {
  if (start >= end) return Status::Ok();
  const int in_flight = std::clamp(tiles_->in_flight, 1, 32);
  while (connections_.size() < static_cast<std::size_t>(in_flight)) {
    auto http = HttpsClient::Create(tiles_->connection);
    if (!http.ok()) return http.status();
    connections_.push_back(std::make_unique<ApiClient>(std::move(http).value()));
  }
  const uint64_t first = start / log::kTileWidth;
  const uint64_t last = (end + log::kTileWidth - 1) / log::kTileWidth;  // bundles [first, last)
  const uint64_t round = static_cast<uint64_t>(in_flight) * kBundlesPerConnectionRound;
  auto bundle_of = [&](uint64_t n) {
    const uint64_t width = std::min<uint64_t>(log::kTileWidth, end - n * log::kTileWidth);
    return log::Tile{log::TileKind::kEntries, 0, n, static_cast<uint32_t>(width)};
  };
  // Round k+1 is fetched while round k is checked and handed on, so the
  // connections never wait for the caller.
  struct Round {
    uint64_t from = 0, to = 0;
    std::vector<Result<std::string>> bodies;
    std::vector<std::thread> workers;
    void Join() {
      for (auto& w : workers) w.join();
      workers.clear();
    }
  };
  auto start_round = [&](Round& r, uint64_t from) {
    r.from = from;
    r.to = std::min(last, from + round);
    r.bodies.assign(r.to - r.from, Status::Unavailable("not fetched"));
    for (int t = 0; t < in_flight; ++t) {
      r.workers.emplace_back([&, t, from = r.from, to = r.to, bodies = r.bodies.data()] {
        for (uint64_t n = from + static_cast<uint64_t>(t); n < to; n += static_cast<uint64_t>(in_flight)) {
          bodies[n - from] =
              GetBytes(*connections_[static_cast<std::size_t>(t)], path_ + "/tlog/" + log::TilePath(bundle_of(n)));
        }
      });
    }
  };
  Round rounds[2];
  // Whatever happens below, no fetch outlives this call.
  struct JoinAll {
    Round* rounds;
    ~JoinAll() {
      rounds[0].Join();
      rounds[1].Join();
    }
  } join_all{rounds};
  start_round(rounds[0], first);
  for (uint64_t k = 0;; ++k) {
    Round& current = rounds[k % 2];
    current.Join();
    const uint64_t from = current.from, to = current.to;
    if (to < last) start_round(rounds[(k + 1) % 2], to);
    std::vector<Result<std::string>>& bodies = current.bodies;
    for (uint64_t n = from; n < to; ++n) {
      const log::Tile bundle = bundle_of(n);
      const uint64_t bundle_start = n * log::kTileWidth;
      const uint64_t skip = start > bundle_start ? start - bundle_start : 0;
      Result<std::string>& body = bodies[n - from];
      if (!body.ok() && body.status().code() == ErrorCode::kFailedPrecondition) {
        // An entry too long for a bundle: this range through the entries endpoint.
        std::unique_ptr<TileReading> tiles = std::move(tiles_);
        Status s = Entries(bundle_start + skip, bundle_start + bundle.width, page, each);
        tiles_ = std::move(tiles);
        if (!s.ok()) return s;
        continue;
      }
      if (!body.ok()) return body.status();
      auto entries = log::DecodeEntryBundle(*body, bundle.width);
      if (!entries.ok()) {
        return Status::Unauthenticated("the server's " + log::TilePath(bundle) +
                                       " is malformed: " + entries.status().message());
      }
      for (uint64_t i = skip; i < entries->size(); ++i) {
        if (Status e = each(bundle_start + i, (*entries)[i]); !e.ok()) return e;
      }
    }
    if (to >= last) break;
  }
  return Status::Ok();
}

Result<std::vector<log::Hash>> FeedReader::ConsistencyFromTiles(uint64_t old_size, uint64_t new_size) {
  auto plan = log::PlanConsistencyProof(old_size, new_size);
  if (!plan.ok()) return plan.status();
  const auto addresses = plan->AllNodes();
  log::TileHashes tiles;
  for (const log::Tile& tile : log::TilesForNodes(addresses, new_size)) {
    auto body = GetBytes(api_, path_ + "/tlog/" + log::TilePath(tile));
    if (!body.ok()) return body.status();
    auto hashes = log::DecodeHashTile(*body, tile.width);
    if (!hashes.ok()) {
      return Status::Unauthenticated("the server's " + log::TilePath(tile) +
                                     " is malformed: " + hashes.status().message());
    }
    tiles[tile] = std::move(hashes).value();
  }
  auto nodes = log::NodesFromTiles(addresses, tiles);
  if (!nodes.ok())
    return Status::Unauthenticated("the server's tiles do not hold the proof: " + nodes.status().message());
  auto proof = plan->Assemble(*nodes);
  if (!proof.ok()) return Status::Unauthenticated(proof.status().message());
  return proof;
}

Status FeedReader::CheckConsistency(uint64_t old_size, const log::Hash& old_root, uint64_t new_size,
                                    const log::Hash& new_root, std::vector<log::Hash>* proof_out) {
  if (new_size < old_size) {
    return Status::Unauthenticated("rollback: the server's tree (" + std::to_string(new_size) +
                                   ") is smaller than one it signed before (" + std::to_string(old_size) + ")");
  }
  if (old_size == 0) return Status::Ok();  // nothing to be consistent with
  std::vector<log::Hash> hashes;
  if (tiles_) {
    auto from_tiles = ConsistencyFromTiles(old_size, new_size);
    if (!from_tiles.ok()) return from_tiles.status();
    hashes = std::move(from_tiles).value();
  } else {
    v1::ProofResponse proof;
    Status s = api_.Call(
        "GET", path_ + "/proof/consistency?old=" + std::to_string(old_size) + "&new=" + std::to_string(new_size),
        nullptr, &proof);
    if (!s.ok()) return s;
    for (const auto& h : proof.hashes()) {
      auto hash = log::HashFromBytes(h);
      if (!hash.ok()) return Status::Unauthenticated("the consistency proof holds a hash that is not 32 bytes");
      hashes.push_back(*hash);
    }
  }
  if (proof_out) *proof_out = hashes;
  if (Status v = log::VerifyConsistency(old_size, new_size, hashes, old_root, new_root); !v.ok()) {
    return Status::Unauthenticated("fork: the server's tree of " + std::to_string(new_size) +
                                   " entries is not an extension of the one of " + std::to_string(old_size) +
                                   " it signed before (" + v.message() + ")");
  }
  return Status::Ok();
}

}  // namespace exchange::client
