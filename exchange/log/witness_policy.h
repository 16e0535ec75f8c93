// SPDX-License-Identifier: Apache-2.0
// A witness policy: which witnesses a reader trusts and how many of them must
// have cosigned a checkpoint before the reader believes it, in the policy
// format of the Go checksum-database / Sigsum ecosystem (docs/feed.md):
//
//   # comments and blank lines are ignored
//   log <vkey> [<url>]                    a trusted log key (Ed25519 note key)
//   witness <name> <vkey> [<url>]         a witness and its cosignature/v1 key
//   group <name> <k|any|all> <member>...  k of the members (witnesses or groups)
//   quorum <name>|none                    the witness or group that must agree
//
// Names are unique across witnesses and groups; a group names only members
// defined above it, so groups cannot loop. `quorum none` (or no quorum line)
// asks for no witness at all.
//
// Pure: parsing and evaluation, no I/O. An immutable value once parsed;
// thread-safe.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "log/signed_note.h"

namespace exchange::log {

class WitnessPolicy {
 public:
  // InvalidArgument, naming the line, for anything malformed: an unknown
  // keyword, a bad key, a witness key that is not cosignature/v1, a log key
  // that is not Ed25519, a duplicate or unknown name, a threshold out of
  // range, two quorum lines.
  static Result<WitnessPolicy> Parse(std::string_view text);

  // The witnesses' cosignature verifiers, in policy order.
  const std::vector<Verifier>& witnesses() const { return witness_keys_; }
  // The policy name of witnesses()[i].
  const std::string& witness_name(size_t i) const { return witness_names_[i]; }
  // Keys from `log` lines.
  const std::vector<Verifier>& log_keys() const { return log_keys_; }
  // Whether the policy asks for any witness at all.
  bool RequiresWitnesses() const { return quorum_ >= 0; }
  // The fewest witnesses that can satisfy the quorum (0 without one).
  uint64_t MinimumWitnesses() const;
  // Whether witnesses with these names (as in the `witness` lines) satisfy the quorum.
  bool Satisfied(const std::set<std::string>& cosigned) const;

 private:
  struct Node {
    std::string name;
    bool is_witness = false;
    uint64_t threshold = 0;    // groups
    std::vector<int> members;  // groups: indexes into nodes_
  };
  bool NodeSatisfied(int node, const std::set<std::string>& cosigned) const;
  uint64_t NodeMinimum(int node) const;

  std::vector<Node> nodes_;
  std::vector<Verifier> witness_keys_;
  std::vector<std::string> witness_names_;  // the policy name of each of witness_keys_
  std::vector<Verifier> log_keys_;
  int quorum_ = -1;  // index into nodes_; -1: none
};

struct WitnessedCheckpoint {
  std::set<std::string> cosigned;  // policy names of the witnesses whose cosignature verified
  uint64_t newest_timestamp = 0;   // the newest of their timestamps; 0 when none
  bool satisfied = false;
};

// Which of the policy's witnesses validly cosigned `note` (a signed
// checkpoint). A line by a known witness key that does not verify is
// Unauthenticated; lines by other keys are ignored.
Result<WitnessedCheckpoint> CheckWitnesses(std::string_view note, const WitnessPolicy& policy);

}  // namespace exchange::log
