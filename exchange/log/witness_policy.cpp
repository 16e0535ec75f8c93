// SPDX-License-Identifier: Apache-2.0
// Witness policies: parsing and quorum evaluation (see witness_policy.h).
#include "log/witness_policy.h"

#include <algorithm>
#include <map>

#include "log/encoding.h"

namespace exchange::log {
namespace {

// Splits a line into words separated by spaces or tabs.
std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) words.push_back(line.substr(i, j - i));
    i = j;
  }
  return words;
}

}  // namespace

Result<WitnessPolicy> WitnessPolicy::Parse(std::string_view text) {
  WitnessPolicy policy;
  std::map<std::string, int, std::less<>> by_name;
  bool quorum_seen = false;
  std::string_view rest = text;
  std::string terminated;
  if (!rest.empty() && rest.back() != '\n') {  // the last line may lack its newline
    terminated.assign(text).push_back('\n');
    rest = terminated;
  }
  int number = 0;
  while (auto line = TakeLine(rest)) {
    ++number;
    auto bad = [&](const std::string& why) {
      return Status::InvalidArgument("witness policy line " + std::to_string(number) + ": " + why);
    };
    std::string_view content = line->substr(0, line->find('#'));
    const auto words = Words(content);
    if (words.empty()) continue;
    const std::string_view keyword = words[0];
    if (keyword == "log") {
      if (words.size() < 2 || words.size() > 3) return bad("expected \"log <vkey> [<url>]\"");
      auto key = Verifier::Parse(words[1]);
      if (!key.ok()) return bad("log key: " + key.status().message());
      if (key->type() != KeyType::kEd25519) return bad("a log key must be an Ed25519 note key");
      policy.log_keys_.push_back(*key);
    } else if (keyword == "witness") {
      if (words.size() < 3 || words.size() > 4) return bad("expected \"witness <name> <vkey> [<url>]\"");
      const std::string name(words[1]);
      if (by_name.contains(name)) return bad("the name " + name + " is used twice");
      auto key = Verifier::Parse(words[2]);
      if (!key.ok()) return bad("witness key: " + key.status().message());
      if (key->type() != KeyType::kCosignatureV1) return bad("a witness key must be a cosignature/v1 key");
      by_name.emplace(name, static_cast<int>(policy.nodes_.size()));
      policy.nodes_.push_back({name, true, 1, {}});
      policy.witness_keys_.push_back(*key);
      policy.witness_names_.push_back(name);
    } else if (keyword == "group") {
      if (words.size() < 4) return bad("expected \"group <name> <k|any|all> <member>...\"");
      const std::string name(words[1]);
      if (by_name.contains(name)) return bad("the name " + name + " is used twice");
      Node group{name, false, 0, {}};
      for (size_t i = 3; i < words.size(); ++i) {
        auto member = by_name.find(words[i]);
        if (member == by_name.end()) return bad("unknown member " + std::string(words[i]) + " (define it above)");
        if (std::find(group.members.begin(), group.members.end(), member->second) != group.members.end()) {
          return bad("the member " + std::string(words[i]) + " is listed twice");
        }
        group.members.push_back(member->second);
      }
      const uint64_t n = group.members.size();
      if (words[2] == "any") {
        group.threshold = 1;
      } else if (words[2] == "all") {
        group.threshold = n;
      } else {
        auto k = ParseCanonicalDecimal(words[2]);
        if (!k || *k == 0 || *k > n) {
          return bad("the threshold must be any, all, or a number from 1 to " + std::to_string(n));
        }
        group.threshold = *k;
      }
      by_name.emplace(name, static_cast<int>(policy.nodes_.size()));
      policy.nodes_.push_back(std::move(group));
    } else if (keyword == "quorum") {
      if (words.size() != 2) return bad("expected \"quorum <name>|none\"");
      if (quorum_seen) return bad("a second quorum line");
      quorum_seen = true;
      if (words[1] == "none") continue;
      auto node = by_name.find(words[1]);
      if (node == by_name.end()) return bad("unknown quorum " + std::string(words[1]) + " (define it above)");
      policy.quorum_ = node->second;
    } else {
      return bad("unknown keyword " + std::string(keyword) + " (log, witness, group, quorum)");
    }
  }
  return policy;
}

bool WitnessPolicy::NodeSatisfied(int node, const std::set<std::string>& cosigned) const {
  const Node& n = nodes_[static_cast<size_t>(node)];
  if (n.is_witness) return cosigned.contains(n.name);
  uint64_t agreeing = 0;
  for (int member : n.members) agreeing += NodeSatisfied(member, cosigned) ? 1 : 0;
  return agreeing >= n.threshold;
}

uint64_t WitnessPolicy::NodeMinimum(int node) const {
  const Node& n = nodes_[static_cast<size_t>(node)];
  if (n.is_witness) return 1;
  // A witness may sit in several members, so this is an upper bound of the
  // true minimum; it is exact for policies whose members do not overlap.
  std::vector<uint64_t> costs;
  for (int member : n.members) costs.push_back(NodeMinimum(member));
  std::sort(costs.begin(), costs.end());
  uint64_t total = 0;
  for (uint64_t i = 0; i < n.threshold; ++i) total += costs[i];
  return total;
}

uint64_t WitnessPolicy::MinimumWitnesses() const { return quorum_ < 0 ? 0 : NodeMinimum(quorum_); }

bool WitnessPolicy::Satisfied(const std::set<std::string>& cosigned) const {
  return quorum_ < 0 || NodeSatisfied(quorum_, cosigned);
}

Result<WitnessedCheckpoint> CheckWitnesses(std::string_view note, const WitnessPolicy& policy) {
  WitnessedCheckpoint out;
  const auto& keys = policy.witnesses();
  if (!keys.empty()) {
    auto opened = ReadNoteSignatures(note, keys);
    if (!opened.ok()) return opened.status();
    for (const auto& sig : opened->verified) {
      for (size_t i = 0; i < keys.size(); ++i) {
        if (keys[i].name() != sig.name || keys[i].key_id() != sig.key_id) continue;
        out.cosigned.insert(policy.witness_name(i));
        out.newest_timestamp = std::max(out.newest_timestamp, sig.timestamp.value_or(0));
      }
    }
  }
  out.satisfied = policy.Satisfied(out.cosigned);
  return out;
}

}  // namespace exchange::log
