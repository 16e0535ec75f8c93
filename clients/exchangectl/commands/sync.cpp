// SPDX-License-Identifier: Apache-2.0
// exchangectl sync: keep a verified local mirror of a collection's feed.
// exchangectl mirror verify: re-check a mirror offline.
//
// Exit codes beyond cli.h's: 4 the feed failed verification (sync refused
// it; the evidence is in DIR/evidence/), 5 the mirror failed `mirror verify`.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "common/time_format.h"
#include "exchange/v1/collections.pb.h"
#include "formats/json_text.h"
#include "formats/lists.h"
#include "formats/progress.h"
#include "log/checkpoint_note.h"
#include "log/encoding.h"
#include "mirror/feed_reader.h"
#include "mirror/mirror.h"
#include "mirror/mirror_sync.h"

namespace exchange::client {
namespace {

std::atomic<bool> g_interrupted{false};

void OnInterrupt(int) { g_interrupted.store(true); }

std::string B64(const log::Hash& h) { return log::Base64Encode(std::span<const uint8_t>(h)); }

// " in 2.10 s (47619 entries/s; 1.20 s of it applying to the mirror)"
std::string DescribeRate(uint64_t entries, double seconds, double apply_seconds) {
  if (seconds <= 0 || entries == 0) return "";
  char buffer[128];
  std::snprintf(buffer, sizeof buffer, " in %.2f s (%.0f entries/s; %.2f s of it applying to the mirror)", seconds,
                static_cast<double>(entries) / seconds, apply_seconds);
  return buffer;
}

// ", witnessed by A, B" when a witness policy applied.
std::string Witnessed(const SyncReport& r) {
  return r.witness_policy && !r.witnessed_by.empty() ? ", witnessed by " + JoinList(r.witnessed_by) : "";
}

void PrintSynced(const Cli& cli, const std::string& dir, const std::string& collection, const SyncReport& r) {
  const uint64_t added = r.new_size - r.old_size;
  if (cli.json()) {
    std::printf(
        "{\"collection\": %s, \"mirror\": %s, \"old_size\": %llu, \"new_size\": %llu, \"new_entries\": %llu, "
        "\"root\": %s, \"signed_by\": %s, \"witnessed_by\": %s, \"timestamp\": %llu, \"seconds\": %.3f, "
        "\"apply_seconds\": %.3f}\n",
        JsonString(collection).c_str(), JsonString(dir).c_str(), static_cast<unsigned long long>(r.old_size),
        static_cast<unsigned long long>(r.new_size), static_cast<unsigned long long>(added),
        JsonString(B64(r.root)).c_str(), JsonStringArray(r.signed_by).c_str(),
        r.witness_policy ? JsonStringArray(r.witnessed_by).c_str() : "null",
        static_cast<unsigned long long>(r.timestamp), r.seconds, r.apply_seconds);
  } else if (added == 0) {
    std::printf("%s: up to date, %s, root %s, signed by %s%s%s\n", collection.c_str(),
                CountOf(r.new_size, "entry", "entries").c_str(), B64(r.root).c_str(), JoinList(r.signed_by).c_str(),
                Witnessed(r).c_str(),
                r.timestamp ? (", fresh as of " + FormatRfc3339(static_cast<int64_t>(r.timestamp))).c_str() : "");
  } else {
    std::printf("%s: %s verified and applied (%llu -> %llu)%s, root %s, signed by %s%s%s\n", collection.c_str(),
                CountOf(added, "new entry", "new entries").c_str(), static_cast<unsigned long long>(r.old_size),
                static_cast<unsigned long long>(r.new_size), DescribeRate(added, r.seconds, r.apply_seconds).c_str(),
                B64(r.root).c_str(), JoinList(r.signed_by).c_str(), Witnessed(r).c_str(),
                r.timestamp ? (", fresh as of " + FormatRfc3339(static_cast<int64_t>(r.timestamp))).c_str() : "");
  }
  std::fflush(stdout);
  if (!r.witness_policy) {
    std::fprintf(stderr,
                 "exchangectl: warning: the checkpoint of %s is unwitnessed: without --witness-policy nothing shows "
                 "that other members see the same log (a split view would go unnoticed; docs/feed.md#witnesses)\n",
                 collection.c_str());
  }
}

void PrintRefused(const Cli& cli, const SyncResult& r) {
  if (cli.json()) {
    std::printf("{\"refused\": true, \"reason\": %s, \"message\": %s, \"evidence\": %s}\n",
                JsonString(r.reason).c_str(), JsonString(r.status.message()).c_str(),
                JsonString(r.evidence_dir).c_str());
    std::fflush(stdout);
  }
  std::fprintf(stderr, "exchangectl: %s\n", r.status.message().c_str());
}

// Records the collection's matching settings (its vPDQ thresholds) in the
// mirror, as GET /v1/collections describes them. They are not part of the
// signed log, so nothing verifies them; a failure keeps the mirror's last
// ones and is only a warning, since the verified entries were applied.
void RecordCollectionSettings(ApiClient& api, Mirror& mirror, const std::string& collection) {
  v1::ListCollectionsResponse list;
  Status s = api.Call("GET", "/v1/collections", nullptr, &list);
  const v1::Collection* found = nullptr;
  for (const auto& c : list.collections()) {
    if (c.name() == collection) found = &c;
  }
  if (s.ok() && found == nullptr) s = Status::NotFound("the exchange does not list collection " + collection);
  if (s.ok() && found->vpdq_stored_percent() == 0)
    s = Status::FailedPrecondition("the exchange names no vPDQ thresholds (an older exchanged)");
  if (s.ok()) {
    MirrorSettings settings;
    settings.vpdq_stored_percent = static_cast<int>(std::min<uint32_t>(found->vpdq_stored_percent(), 100));
    settings.vpdq_query_percent = static_cast<int>(std::min<uint32_t>(found->vpdq_query_percent(), 100));
    s = mirror.RecordSettings(settings);
  }
  if (!s.ok()) {
    std::fprintf(stderr, "exchangectl: warning: the settings of collection %s were not recorded (%s); match keeps %s\n",
                 collection.c_str(), s.message().c_str(),
                 mirror.settings().recorded ? "the last ones recorded" : "the defaults");
  }
}

}  // namespace

int RunSync(Invocation& in) {
  std::string collection, dir, vkeys, origin, witness_policy;
  int64_t max_age = 300, follow = 0, page = 10'000, in_flight = 4;
  bool tiles = false;
  in.flags.String("collection", "", &collection, "the collection to mirror");
  in.flags.String("mirror", "", &dir, "the mirror's directory (created on first sync)");
  AddFeedVkeyFlag(in.flags, &vkeys);
  AddWitnessPolicyFlag(in.flags, &witness_policy);
  in.flags.String("origin", "", &origin, "expected checkpoint origin (default: <feed key name>/<collection>)");
  in.flags.Int("max-age", "", &max_age, "oldest acceptable freshness cosignature, in seconds");
  in.flags.Int("follow", "", &follow, "keep syncing every this many seconds (0: sync once)");
  in.flags.Int("page", "", &page, "entries per request (1-10000)");
  in.flags.Bool("tiles", "", &tiles, "read the feed as C2SP tlog-tiles (entry bundles and hash tiles)");
  in.flags.Int("in-flight", "", &in_flight, "with --tiles: entry bundle requests in flight (1-32)");
  in.Parse({{&collection, "--collection C"}, {&dir, "--mirror DIR"}}, Invocation::Arguments::kNone);
  if (page < 1 || page > 10'000) return Fail(Status::InvalidArgument("--page must be between 1 and 10000"));
  if (in_flight < 1 || in_flight > 32) return Fail(Status::InvalidArgument("--in-flight must be between 1 and 32"));
  if (max_age < 0 || follow < 0) return Fail(Status::InvalidArgument("--max-age and --follow must not be negative"));
  auto trust = ParseTrust(vkeys, witness_policy);
  if (!trust.ok()) return Fail(trust.status());
  SyncOptions options;
  options.collection = collection;
  options.origin = origin.empty() ? trust->feed.front().name() + "/" + collection : origin;
  options.trust = *trust;
  options.max_age = std::chrono::seconds(max_age);
  options.page = static_cast<uint64_t>(page);
  options.server = in.cli.connection.server;
  options.interrupted = &g_interrupted;
  if (tiles) options.tiles = TileReading{in.cli.connection, static_cast<int>(in_flight)};

  auto mirror = Mirror::Open(dir, Mirror::Mode::kWrite);
  if (!mirror.ok()) return Fail(mirror.status());
  auto api = in.Connect();
  if (!api.ok()) return Fail(api.status());

  if (follow > 0) {
    struct sigaction action {};
    action.sa_handler = OnInterrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
  }
  Progress progress = Progress::ForTerminal(in.cli.json());
  for (int round = 0;; ++round) {
    SyncResult result = SyncMirror(**api, **mirror, options, progress);
    switch (result.failure) {
      case SyncFailure::kNone:
        RecordCollectionSettings(**api, **mirror, collection);
        // While following, a round that found nothing new says nothing.
        if (round == 0 || result.report.new_size != result.report.old_size) {
          PrintSynced(in.cli, dir, collection, result.report);
        }
        break;
      case SyncFailure::kRefused: PrintRefused(in.cli, result); return kExitVerifyFailed;
      case SyncFailure::kInterrupted: return 0;
      case SyncFailure::kOther:
        // While following, a server that is away for a while is retried at the next round.
        if (follow == 0 || result.status.code() != ErrorCode::kUnavailable) return Fail(result.status);
        std::fprintf(stderr, "exchangectl: %s (retrying in %lld s)\n", result.status.ToString().c_str(),
                     static_cast<long long>(follow));
    }
    if (follow == 0) return 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(follow);
    while (std::chrono::steady_clock::now() < until) {
      if (g_interrupted.load()) return 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (g_interrupted.load()) return 0;
  }
}

int RunMirror(Invocation& in) {
  std::string vkeys;
  AddFeedVkeyFlag(in.flags, &vkeys);
  in.Parse();
  const auto& pos = in.positionals();
  if (pos.size() != 2 || pos[0] != "verify") return in.UsageError("usage: exchangectl mirror verify DIR");
  auto trust = ParseTrust(vkeys);
  if (!trust.ok()) return Fail(trust.status());
  auto opened = Mirror::Open(pos[1], Mirror::Mode::kVerify);
  if (!opened.ok()) return Fail(opened.status());
  Mirror& mirror = **opened;
  const MirrorHead& head = mirror.head();
  auto damaged = [&](const std::string& why) {
    if (in.cli.json()) {
      std::printf("{\"verified\": false, \"mirror\": %s, \"error\": %s}\n", JsonString(pos[1]).c_str(),
                  JsonString(why).c_str());
    }
    std::fprintf(stderr, "exchangectl: mirror %s failed verification: %s\n", pos[1].c_str(), why.c_str());
    return kExitMirrorDamaged;
  };
  if (head.checkpoint.empty()) return damaged("no sync has completed into it yet");

  // The stored checkpoint: signed by a trusted key, and saying what meta says.
  auto checkpoint = log::VerifyCheckpointNote(head.checkpoint, trust->feed, trust->freshness, head.origin);
  if (!checkpoint.ok()) return damaged("the stored checkpoint does not verify: " + checkpoint.status().message());
  if (checkpoint->checkpoint.size != head.size || checkpoint->checkpoint.root != head.root) {
    return damaged("the stored checkpoint is for another tree than the one recorded in state.sqlite");
  }

  // entries.log: every committed entry, hashing to the signed root.
  Progress progress = Progress::ForTerminal(in.cli.json());
  progress.Start("verify " + head.collection, head.size);
  log::CompactRange tree;
  Status read = mirror.ForEachEntry([&](uint64_t index, std::string_view entry) {
    tree.Append(log::LeafHash(entry));
    progress.Update(index + 1);
    return Status::Ok();
  });
  progress.Finish();
  if (!read.ok()) return damaged(read.message());
  if (tree.size() != head.size) {
    return damaged("entries.log holds " + std::to_string(tree.size()) + " committed entries, not " +
                   std::to_string(head.size));
  }
  if (tree.Root() != head.root) return damaged("the entries in entries.log do not hash to the signed root");
  if (tree.hashes() != head.compact_range) return damaged("the stored compact range does not match entries.log");

  // state.sqlite: exactly the replay of the entries.
  auto signals = mirror.CompareWithReplay();
  if (!signals.ok()) return damaged(signals.status().message());

  const uint64_t uncommitted = mirror.UncommittedBytes();
  if (in.cli.json()) {
    std::printf(
        "{\"verified\": true, \"mirror\": %s, \"collection\": %s, \"origin\": %s, \"size\": %llu, "
        "\"root\": %s, \"signals\": %llu, \"signed_by\": %s, \"uncommitted_bytes\": %llu}\n",
        JsonString(pos[1]).c_str(), JsonString(head.collection).c_str(), JsonString(head.origin).c_str(),
        static_cast<unsigned long long>(head.size), JsonString(B64(head.root)).c_str(),
        static_cast<unsigned long long>(*signals), JsonStringArray(checkpoint->feed_keys).c_str(),
        static_cast<unsigned long long>(uncommitted));
  } else {
    std::printf(
        "mirror %s verified: %llu entries of %s hash to the root %s signed by %s; replaying them gives "
        "exactly the %llu signals in state.sqlite\n",
        pos[1].c_str(), static_cast<unsigned long long>(head.size), head.origin.c_str(), B64(head.root).c_str(),
        JoinList(checkpoint->feed_keys).c_str(), static_cast<unsigned long long>(*signals));
    if (uncommitted) {
      std::printf(
          "(%llu bytes after the committed end of entries.log belong to a sync that never committed; the "
          "next sync drops them)\n",
          static_cast<unsigned long long>(uncommitted));
    }
  }
  return 0;
}

extern const Command kSyncCommand = {
    "sync", "keep a verified local mirror of a collection's feed",
    "usage: exchangectl sync --collection C --mirror DIR [--feed-vkey VKEYS] [--witness-policy FILE] [--max-age S]\n"
    "                        [--follow S] [--page N] [--tiles [--in-flight N]]\n\n"
    "Brings the mirror in DIR up to the exchange's signed checkpoint of collection C. Everything is verified\n"
    "before the mirror changes: the signature, the freshness cosignature (when a freshness key is trusted),\n"
    "the witness cosignatures the policy asks for (--witness-policy; without one a warning says the\n"
    "checkpoint is unwitnessed),\n"
    "no rollback, consistency with the checkpoint verified last time, and that the new entries hash to the\n"
    "signed root. A feed that fails is refused (exit 4), the mirror left as it was and the evidence saved in\n"
    "DIR/evidence/. --follow S keeps syncing every S seconds until interrupted (Ctrl-C exits 0), printing a\n"
    "line for each round that brought new entries. --tiles reads the same feed as C2SP tlog-tiles: entry\n"
    "bundles, --in-flight of them at a time on connections of their own, and consistency proofs computed\n"
    "from hash tiles; the checks are the same.",
    Command::Flags::kConnection, RunSync};

extern const Command kMirrorCommand = {
    "mirror", "mirror verify DIR: re-check a mirror offline",
    "usage: exchangectl mirror verify DIR [--feed-vkey VKEYS]\n\n"
    "Re-checks a mirror offline: the entries in entries.log hash to the stored root, the stored checkpoint is\n"
    "signed by a trusted key for that root, and replaying the entries gives exactly the state in state.sqlite.\n"
    "Exit 0 when all holds, 5 when something does not.",
    Command::Flags::kConnection, RunMirror};

}  // namespace exchange::client
