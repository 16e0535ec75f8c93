// SPDX-License-Identifier: Apache-2.0
// WitnessSubmitter: offers every log's newest signed checkpoint to one
// C2SP tlog-witness (https://c2sp.org/tlog-witness) and keeps the
// cosignature it answers with, so that the checkpoint endpoints serve it.
//
// Each round, per log: the newest checkpoint (signed now if the tree moved)
// is sent to `<url>/add-checkpoint` with the consistency proof from the size
// the witness last cosigned; a 409 naming another size is retried once from
// that size. A cosignature is stored only after it verifies under the
// witness's configured key. A checkpoint the witness already cosigned is
// offered again once its cosignature is older than `refresh_after`, so a
// quiet log's cosignatures stay recent.
//
// One submitter per witness, each on its own thread (a PeriodicTask), with
// short timeouts: a witness that is down or slow delays nothing but its own
// cosignatures. Its lag (entries not yet cosigned) and the outcome of each
// request are metrics.
//
// Part of BackgroundTasks. I/O: plain HTTP/1.1 to the witness (checkpoints and cosignatures are public
// and self-authenticating; docs/feed.md), PostgreSQL through store/.
// Thread-safety: RunOnce from one thread at a time (its PeriodicTask).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "log/signed_note.h"
#include "store/connection.h"

namespace exchange::metrics {
class ServerMetrics;
}

namespace exchange::services {
class CheckpointPublisher;
}

namespace exchange::server {

struct WitnessEndpoint {
  std::string url;    // http://host:port[/prefix]; requests go to <url>/add-checkpoint
  log::Verifier key;  // the witness's cosignature/v1 key
  std::string host, port, prefix;
};

// "URL=VKEY[,URL=VKEY...]" (exchanged --witness). InvalidArgument for a URL
// that is not http://host:port[/prefix], a key that is not cosignature/v1,
// or the same key twice.
Result<std::vector<WitnessEndpoint>> ParseWitnessEndpoints(std::string_view text);

class WitnessSubmitter {
 public:
  WitnessSubmitter(WitnessEndpoint witness, const services::CheckpointPublisher& publisher,
                   metrics::ServerMetrics& metrics, std::chrono::milliseconds timeout = std::chrono::seconds(3),
                   std::chrono::seconds refresh_after = std::chrono::seconds(60));

  const WitnessEndpoint& witness() const { return witness_; }
  // One round over every log.
  void RunOnce(store::Connection& conn);

 private:
  struct LogProgress {
    bool loaded = false;
    uint64_t witness_size = 0;  // the size the witness recorded, as far as we know
    uint64_t cosigned_size = 0;
    int64_t cosigned_at = 0;
    std::string last_problem;  // logged once per change
  };
  Status Submit(store::Connection& conn, int64_t log_id, const std::string& log_name, const std::string& note,
                LogProgress& progress);

  WitnessEndpoint witness_;
  const services::CheckpointPublisher& publisher_;
  metrics::ServerMetrics& metrics_;
  std::chrono::milliseconds timeout_;
  std::chrono::seconds refresh_after_;
  std::map<int64_t, LogProgress> logs_;
};

}  // namespace exchange::server
