// SPDX-License-Identifier: Apache-2.0
// exchangectl audit verify | list: the tamper-evident audit log, for auditors
// and admins. verify proves the log against the trusted feed key: the
// checkpoint's signature, every entry against the root, and — with --state —
// consistency with the checkpoint verified last time.
#include "common/proto_json.h"

#include <cstdio>
#include <set>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "common/files.h"
#include "common/time_format.h"

#include "exchange/v1/audit.pb.h"
#include "formats/json_text.h"
#include "log/encoding.h"
#include "log/merkle.h"
#include "mirror/feed_reader.h"

namespace exchange::client {

int RunAudit(Invocation& in) {
  std::string vkeys, state_file, origin, witness_policy;
  int64_t last = 20;
  AddFeedVkeyFlag(in.flags, &vkeys);
  AddWitnessPolicyFlag(in.flags, &witness_policy);
  in.flags.String("state", "", &state_file, "file keeping the last verified checkpoint");
  in.flags.String("origin", "", &origin, "expected checkpoint origin, e.g. NAME/audit");
  in.flags.Int("last", "", &last, "how many recent events to list");
  in.Parse();
  const auto& pos = in.positionals();
  if (pos.size() != 1 || (pos[0] != "verify" && pos[0] != "list")) return in.UsageError("give verify or list");
  auto trust = ParseTrust(vkeys, witness_policy);
  if (!trust.ok()) return Fail(trust.status());
  auto api = in.Connect();
  if (!api.ok()) return Fail(api.status());
  FeedReader reader(**api, "/v1/audit", *trust);
  // What was served does not verify (exit 4), as against a call that failed.
  auto refuse = [](const Status& s) {
    std::fprintf(stderr, "exchangectl: the audit log does NOT verify: %s\n", s.message().c_str());
    return kExitVerifyFailed;
  };
  std::string note;
  std::set<std::string> witnessed_by;
  auto checkpoint = reader.Checkpoint(origin, &note, &witnessed_by);
  if (!checkpoint.ok()) return note.empty() ? Fail(checkpoint.status()) : refuse(checkpoint.status());
  const auto& head = checkpoint->checkpoint;

  std::vector<log::Hash> leaves;
  std::vector<v1::AuditEvent> events;
  Status read = reader.Entries(0, head.size, 1000, [&](uint64_t, const std::string& bytes) {
    leaves.push_back(log::LeafHash(bytes));
    v1::AuditEvent event;
    if (!event.ParseFromString(bytes)) return Status::Unauthenticated("an audit entry is not an AuditEvent");
    events.push_back(std::move(event));
    return Status::Ok();
  });
  if (!read.ok()) return read.code() == ErrorCode::kUnauthenticated ? refuse(read) : Fail(read);
  if (log::RootFromLeafHashes(leaves) != head.root) {
    return refuse(Status::Unauthenticated("the audit entries do not hash to the signed root"));
  }

  if (pos[0] == "verify" && !state_file.empty()) {
    auto previous = ReadFile(state_file, 64 * 1024);
    if (previous.ok()) {
      auto old = log::Checkpoint::Parse(previous->substr(0, previous->find("\n\n") + 1));
      if (!old.ok()) return Fail(Status::InvalidArgument(state_file + ": " + old.status().message()));
      if (old->origin != head.origin) return refuse(Status::Unauthenticated("the audit log's origin changed"));
      if (Status s = reader.CheckConsistency(old->size, old->root, head.size, head.root); !s.ok()) {
        return s.code() == ErrorCode::kUnauthenticated ? refuse(s) : Fail(s);
      }
    }
    if (Status s = WritePublicFile(state_file, note); !s.ok()) return Fail(s);
  }

  if (pos[0] == "verify") {
    if (in.cli.json()) {
      std::printf("{\"verified\": true, \"origin\": \"%s\", \"size\": %llu, \"root\": \"%s\", \"signed_by\": \"%s\"}\n",
                  head.origin.c_str(), static_cast<unsigned long long>(head.size),
                  log::Base64Encode(std::string(head.root.begin(), head.root.end())).c_str(),
                  checkpoint->feed_keys.front().c_str());
    } else {
      std::string witnesses;
      for (const auto& name : witnessed_by) witnesses += (witnesses.empty() ? ", witnessed by " : ", ") + name;
      if (!trust->witnesses) witnesses = ", unwitnessed (no --witness-policy)";
      std::printf("audit log %s verified: %llu events hash to the signed root, signed by %s%s, fresh as of %s\n",
                  head.origin.c_str(), static_cast<unsigned long long>(head.size),
                  checkpoint->feed_keys.front().c_str(), witnesses.c_str(),
                  checkpoint->timestamp ? FormatRfc3339(static_cast<int64_t>(checkpoint->timestamp)).c_str() : "-");
    }
    return 0;
  }
  if (last < 0) return in.UsageError("--last must not be negative");
  const std::size_t from = events.size() > static_cast<std::size_t>(last) ? events.size() - last : 0;
  if (in.cli.json()) {
    // {"origin", "size", "events": [{"index": I, <the AuditEvent, every field>}]}: verified, as listed.
    std::string out =
        "{\"origin\": " + JsonString(head.origin) + ", \"size\": " + std::to_string(head.size) + ", \"events\": [";
    for (std::size_t i = from; i < events.size(); ++i) {
      std::string event = ProtoToJson(events[i]);
      out += std::string(i > from ? ",\n  " : "\n  ") + "{\"index\": " + std::to_string(i) + ", " + event.substr(1);
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
    return kExitOk;
  }
  // Who acted: organisation, role and the holder of the credential (with its id).
  auto or_dash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
  std::printf("%6s  %-20s  %-22s %-12s %-9s %-24s %-34s %s\n", "INDEX", "TIME", "ACTION", "ORG", "ROLE", "HOLDER",
              "SUBJECT", "REASON");
  for (std::size_t i = from; i < events.size(); ++i) {
    const auto& e = events[i];
    std::string holder = or_dash(e.actor_holder());
    if (e.actor_credential_id() != 0) holder += " (credential " + std::to_string(e.actor_credential_id()) + ")";
    std::printf("%6zu  %-20s  %-22s %-12s %-9s %-24s %-34s %s\n", i, FormatRfc3339(e.at_ms() / 1000).c_str(),
                e.action().c_str(), or_dash(e.actor_org()).c_str(), or_dash(e.actor_role()).c_str(), holder.c_str(),
                e.subject().c_str(), e.reason().c_str());
  }
  return kExitOk;
}

extern const Command kAuditCommand = {
    "audit", "verify and list the tamper-evident audit log",
    "usage: exchangectl audit verify [--feed-vkey VKEY] [--witness-policy FILE] [--state FILE] [--origin ORIGIN]\n"
    "       exchangectl audit list [--last N] [--feed-vkey VKEY]\n\n"
    "verify checks the audit log's signed checkpoint, that every entry hashes to its root, and\n"
    "with --state that the log only grew since the checkpoint verified last time (kept in FILE),\n"
    "with --witness-policy that the policy's witnesses cosigned it;\n"
    "exit 4 when it does not verify.\n"
    "list verifies the same way, then shows the last N events: when, what, who acted (organisation, role,\n"
    "the credential's holder and id), on what and why; --output json gives every field of each event.",
    Command::Flags::kConnection, RunAudit};

}  // namespace exchange::client
