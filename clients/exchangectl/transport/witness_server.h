// SPDX-License-Identifier: Apache-2.0
// The process around log/witness.h: a plain HTTP/1.1 server (Boost.Beast)
// answering the C2SP tlog-witness `POST /add-checkpoint` endpoint, and the
// witness's state directory (one file per configured log origin holding the
// last checkpoint note it cosigned).
//
// Requests are served one at a time: Decide, persist (file and directory
// fsynced), Record, answer. The answer is never sent before the checkpoint is
// durable, so a witness killed at any point never cosigns two roots for one
// size after a restart. TLS is the operator's business (a reverse proxy in
// front), as the spec allows.
//
// Thread-safety: RunWitnessServer blocks the calling thread until it fails.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "log/signed_note.h"
#include "log/witness.h"

namespace exchange::client {

// The file under the state directory for `origin`: bytes outside
// [A-Za-z0-9._-] are written %XX (so "/" never makes a subdirectory),
// followed by ".checkpoint".
std::string WitnessStateFileName(std::string_view origin);

// Records the checkpoint persisted in `dir` for every origin the witness
// knows (exact or by family); files of origins no longer configured are left
// alone. FailedPrecondition when a persisted note does not verify under its
// origin's configured keys, is not a checkpoint, or sits in another origin's file.
Status LoadWitnessState(log::Witness& witness, const std::filesystem::path& dir);

struct WitnessServerOptions {
  std::filesystem::path state_dir;
  std::string listen;  // HOST:PORT; port 0 picks a free one
  std::size_t body_limit = 64 * 1024;
  std::chrono::milliseconds read_timeout{10'000};
  // A test hook: sleep this long after persisting, before answering.
  std::chrono::milliseconds pause_after_persist{0};
  // Called once listening, with the bound HOST:PORT.
  std::function<void(const std::string&)> on_listening;
};

// Serves until an unrecoverable error (returned).
Status RunWitnessServer(log::Witness& witness, const WitnessServerOptions& options);

}  // namespace exchange::client
