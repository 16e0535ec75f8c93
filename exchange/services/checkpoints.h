// SPDX-License-Identifier: Apache-2.0
// CheckpointPublisher: signs checkpoints of committed trees, keeps the
// published one fresh, and serves them with their witnesses' cosignatures.
//
// Only heads read from committed state are signed, and a log's committed
// trees only ever extend one another, so no two signed checkpoints of one
// log can be inconsistent — whatever crashes or races happen, and however
// many exchanged processes sign. A stored checkpoint is reused until its
// freshness cosignature is older than `refresh_after`; then the same tree is
// signed again with a new timestamp.
//
// Thread-safety: immutable after construction; call from any worker.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"
#include "log/signed_note.h"
#include "store/connection.h"
#include "store/logs.h"

namespace exchange::services {

struct FeedKeys {
  std::string exchange_name;      // origin prefix: "<exchange_name>/<log>"
  std::vector<log::Signer> feed;  // Ed25519 note keys; every checkpoint is signed by all
  log::Signer freshness;          // cosignature/v1 key for timestamped statements
};

class CheckpointPublisher {
 public:
  explicit CheckpointPublisher(FeedKeys keys, std::chrono::seconds refresh_after = std::chrono::seconds(50));

  std::string Origin(const std::string& log_name) const { return keys_.exchange_name + "/" + log_name; }
  std::vector<std::string> FeedVerifierKeys() const;
  std::string FreshnessVerifierKey() const { return keys_.freshness.verifier().VerifierKey(); }

  // The signed note for `head` (or for a newer committed tree, if one was
  // signed meanwhile), signing and storing a new one when needed.
  Result<std::string> Current(store::Connection& conn, const store::LogHead& head) const;
  // Current's note with the witness cosignatures stored for its tree appended:
  // what the checkpoint endpoints serve.
  Result<std::string> Published(store::Connection& conn, const store::LogHead& head) const;
  // The newest signed tree that at least `witnesses` (≥ 1) witnesses
  // cosigned, with their cosignatures. NotFound when there is none yet.
  Result<std::string> Witnessed(store::Connection& conn, const store::LogHead& head, uint64_t witnesses) const;

 private:
  FeedKeys keys_;
  std::chrono::seconds refresh_after_;
};

}  // namespace exchange::services
