// SPDX-License-Identifier: Apache-2.0
// A log for witness tests: real leaves, a real Ed25519 log key, and the
// checkpoints, signed notes and add-checkpoint bodies (with consistency
// proofs) a log would send its witnesses. Header-only, pure (exchange_log).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "log/checkpoint.h"
#include "log/hash.h"
#include "log/merkle.h"
#include "log/signed_note.h"
#include "log/witness.h"

namespace exchange::testing {

inline constexpr std::string_view kWitnessedOrigin = "exchange.test/c1";

struct WitnessedLog {
  log::Signer key = log::GenerateSigner(std::string(kWitnessedOrigin)).value();
  std::vector<log::Hash> leaves;

  // Appends `n` leaves named `tag` and their index.
  void Grow(size_t n, std::string_view tag = "a") {
    for (size_t i = 0; i < n; ++i) leaves.push_back(log::LeafHash(std::string(tag) + std::to_string(leaves.size())));
  }
  // A fork: the same key and first `keep` leaves, then `n` leaves named `tag`.
  WitnessedLog Fork(size_t keep, size_t n, std::string_view tag) const {
    WitnessedLog fork = *this;
    fork.leaves.resize(keep);
    fork.Grow(n, tag);
    return fork;
  }
  log::Checkpoint At(uint64_t size) const {
    log::Checkpoint c;
    c.origin = std::string(kWitnessedOrigin);
    c.size = size;
    c.root = log::RootFromLeafHashes(std::span<const log::Hash>(leaves.data(), size));
    return c;
  }
  std::string Note(const log::Checkpoint& c) const {
    std::vector<log::Signer> signers{key};
    return log::SignNote(c.Format(), signers).value();
  }
  // The add-checkpoint body from `old_size` to the checkpoint at `size`.
  std::string Body(uint64_t old_size, uint64_t size) const {
    log::AddCheckpointRequest r;
    r.old_size = old_size;
    if (old_size > 0 && old_size < size) {
      r.proof = log::ConsistencyProof(std::span<const log::Hash>(leaves.data(), size), old_size).value();
    }
    r.note = Note(At(size));
    return log::FormatAddCheckpointRequest(r);
  }
};

}  // namespace exchange::testing
