// SPDX-License-Identifier: Apache-2.0
// exchangectl proof: write a C2SP tlog-proof file for the mirror entry that
// listed a signal, and verify such a file offline (log/tlog_proof.h).
//
// The proof is computed from the mirror alone: entries.log holds every leaf
// of the tree the mirror's stored checkpoint signs, so the inclusion proof is
// RFC 9162's audit path over their hashes and no request is made.
//
// Exit codes beyond cli.h's: 4 the proof file does not verify.
#include <cstdio>
#include <optional>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "common/files.h"
#include "exchange/v1/feed.pb.h"
#include "formats/json_text.h"
#include "formats/lists.h"
#include "log/encoding.h"
#include "log/merkle.h"
#include "log/tlog_proof.h"
#include "mirror/feed_reader.h"
#include "mirror/mirror.h"
#include "signals/canonical.h"
#include "signals/kind.h"

namespace exchange::client {
namespace {

constexpr std::size_t kMaxProofFileBytes = 128u << 20;

std::string B64(const log::Hash& h) { return log::Base64Encode(std::span<const uint8_t>(h)); }

int WriteProof(Invocation& in, const std::string& dir, const std::string& kind_name, const std::string& raw,
               int64_t wanted_index) {
  auto kind = signals::ParseKind(kind_name);
  if (!kind) return in.UsageError(signals::UnknownKindMessage(kind_name));
  auto value = signals::Canonicalize(*kind, raw);
  if (!value.ok()) return Fail(value.status());
  auto opened = Mirror::Open(dir, Mirror::Mode::kRead);
  if (!opened.ok()) return Fail(opened.status());
  Mirror& mirror = **opened;
  const MirrorHead& head = mirror.head();
  if (head.checkpoint.empty()) return Fail(Status::FailedPrecondition("mirror " + dir + " has not been synced yet"));

  std::vector<log::Hash> leaves;
  leaves.reserve(head.size);
  std::optional<uint64_t> found;
  std::string entry_bytes;
  Status read = mirror.ForEachEntry([&](uint64_t index, std::string_view entry) {
    leaves.push_back(log::LeafHash(entry));
    v1::FeedEntry parsed;
    if (!parsed.ParseFromArray(entry.data(), static_cast<int>(entry.size()))) {
      return Status::Internal("mirror entry " + std::to_string(index) + " is not a FeedEntry");
    }
    const bool lists = parsed.signal().kind() == kind_name && parsed.signal().value() == *value;
    if (wanted_index >= 0 ? index == static_cast<uint64_t>(wanted_index) : lists) {
      if (!lists) {
        return Status::FailedPrecondition("entry " + std::to_string(index) + " lists " + parsed.signal().kind() + " " +
                                          parsed.signal().value() + ", not " + kind_name + " " + *value);
      }
      found = index;
      entry_bytes = std::string(entry);
    }
    return Status::Ok();
  });
  if (!read.ok()) return Fail(read);
  if (leaves.size() != head.size || log::RootFromLeafHashes(leaves) != head.root) {
    return Fail(Status::Internal("mirror " + dir +
                                 ": entries.log does not hash to the stored checkpoint (run "
                                 "`exchangectl mirror verify`)"));
  }
  if (!found) {
    if (wanted_index >= 0) {
      return Fail(Status::NotFound("the mirror has " + std::to_string(head.size) + " entries; there is no entry " +
                                   std::to_string(wanted_index)));
    }
    return Fail(Status::NotFound("no entry of mirror " + dir + " lists " + kind_name + " " + *value));
  }
  log::TlogProof proof;
  proof.extra = entry_bytes;
  proof.index = *found;
  auto path = log::InclusionProof(leaves, *found);
  if (!path.ok()) return Fail(path.status());
  proof.inclusion = std::move(path).value();
  proof.checkpoint = head.checkpoint;
  const std::string text = log::FormatTlogProof(proof);
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (std::fflush(stdout) != 0) return Fail(Status::Internal("writing the proof to stdout failed"));
  std::fprintf(stderr, "exchangectl: proof of entry %llu of %s (tree of %llu entries, root %s)\n",
               static_cast<unsigned long long>(*found), head.origin.c_str(), static_cast<unsigned long long>(head.size),
               B64(head.root).c_str());
  return 0;
}

int VerifyProof(Invocation& in, const std::string& file, const std::string& vkeys, const std::string& origin) {
  auto trust = ParseTrust(vkeys);
  if (!trust.ok()) return Fail(trust.status());
  auto text = ReadFile(file, kMaxProofFileBytes);
  if (!text.ok()) return Fail(text.status());
  auto refuse = [&](const std::string& why) {
    if (in.cli.json()) {
      std::printf("{\"verified\": false, \"file\": %s, \"error\": %s}\n", JsonString(file).c_str(),
                  JsonString(why).c_str());
    }
    std::fprintf(stderr, "exchangectl: %s does not verify: %s\n", file.c_str(), why.c_str());
    return kExitVerifyFailed;
  };
  // The entry names its collection, and so the origin the checkpoint must carry.
  auto parsed = log::ParseTlogProof(*text);
  if (!parsed.ok()) return refuse(parsed.status().message());
  v1::FeedEntry entry;
  if (!parsed->extra || !entry.ParseFromString(*parsed->extra) || entry.collection().empty()) {
    return refuse("the extra data is not a feed entry");
  }
  const std::string expected = origin.empty() ? trust->feed.front().name() + "/" + entry.collection() : origin;
  auto verified = log::VerifyTlogProof(*text, trust->feed, trust->freshness, expected);
  if (!verified.ok()) return refuse(verified.status().message());
  const log::VerifiedCheckpoint& cp = verified->checkpoint;
  const std::string change = v1::FeedEntry::Change_Name(entry.change());
  if (in.cli.json()) {
    std::printf(
        "{\"verified\": true, \"file\": %s, \"collection\": %s, \"origin\": %s, \"index\": %llu, \"kind\": %s, "
        "\"value\": %s, \"change\": %s, \"appended_at_ms\": %lld, \"size\": %llu, \"root\": %s, \"signed_by\": %s, "
        "\"timestamp\": %llu}\n",
        JsonString(file).c_str(), JsonString(entry.collection()).c_str(), JsonString(cp.checkpoint.origin).c_str(),
        static_cast<unsigned long long>(verified->proof.index), JsonString(entry.signal().kind()).c_str(),
        JsonString(entry.signal().value()).c_str(), JsonString(change).c_str(),
        static_cast<long long>(entry.appended_at_ms()), static_cast<unsigned long long>(cp.checkpoint.size),
        JsonString(B64(cp.checkpoint.root)).c_str(), JsonStringArray(cp.feed_keys).c_str(),
        static_cast<unsigned long long>(cp.timestamp));
  } else {
    std::printf("%s verified: %s %s (%s) is entry %llu of %s, in the tree of %llu entries with root %s signed by %s\n",
                file.c_str(), entry.signal().kind().c_str(), entry.signal().value().c_str(), change.c_str(),
                static_cast<unsigned long long>(verified->proof.index), cp.checkpoint.origin.c_str(),
                static_cast<unsigned long long>(cp.checkpoint.size), B64(cp.checkpoint.root).c_str(),
                JoinList(cp.feed_keys).c_str());
  }
  return 0;
}

}  // namespace

int RunProof(Invocation& in) {
  std::string dir, vkeys, origin;
  int64_t index = -1;
  in.flags.String("mirror", "", &dir, "the mirror to prove from");
  in.flags.Int("index", "", &index, "prove this entry (default: the latest entry listing the signal)");
  AddFeedVkeyFlag(in.flags, &vkeys);
  in.flags.String("origin", "", &origin, "verify: expected checkpoint origin (default: <feed key name>/<collection>)");
  in.Parse();
  const auto& pos = in.positionals();
  if (!pos.empty() && pos[0] == "verify") {
    if (pos.size() != 2) return in.UsageError("usage: exchangectl proof verify FILE");
    return VerifyProof(in, pos[1], vkeys, origin);
  }
  if (pos.size() != 2) return in.UsageError("usage: exchangectl proof --mirror DIR KIND VALUE > FILE");
  if (dir.empty()) return in.UsageError("--mirror DIR is required");
  if (index < -1) return in.UsageError("--index must not be negative");
  return WriteProof(in, dir, pos[0], pos[1], index);
}

extern const Command kProofCommand = {
    "proof", "write or verify an offline proof (C2SP tlog-proof) that a signal was listed",
    "usage: exchangectl proof --mirror DIR KIND VALUE [--index N] > FILE\n"
    "       exchangectl proof verify FILE [--feed-vkey VKEYS] [--origin O]\n\n"
    "The first form writes a C2SP tlog-proof (c2sp.org/tlog-proof@v1) for the latest entry of the mirror in\n"
    "DIR that lists KIND VALUE (or entry N, which must list it): the entry itself as the extra data, its\n"
    "index, its inclusion proof in the tree of the mirror's verified checkpoint, and that checkpoint with\n"
    "all its signatures and cosignatures. It is computed from the mirror alone, with no request.\n\n"
    "The second form checks such a file with no network: the checkpoint is signed by a trusted feed key\n"
    "(and cosigned by a trusted freshness key when one is given), its origin is <feed key name>/<the entry's\n"
    "collection> (or --origin), and the entry is in its tree at the index. Exit 0 when it verifies, 4 when\n"
    "it does not.",
    Command::Flags::kConnection, RunProof};

}  // namespace exchange::client
