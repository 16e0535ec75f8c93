// SPDX-License-Identifier: Apache-2.0
// Every log as a C2SP tlog-tiles log (c2sp.org/tlog-tiles), beside the
// entries and proof endpoints of feed.cpp that older clients use:
//   GET /v1/collections/{c}/tlog/checkpoint | tile/<L>/<N>[.p/<W>] | tile/entries/<N>[.p/<W>]
//   GET /v1/audit/tlog/...                  (the same for the audit log)
//   GET .../tlog/access: 204 when the caller may read the log, else the
//   refusal the tiles would get; the grant check an HTTP cache in front
//   makes for every request (docs/operations.md, "A tile cache in front").
//
// Access is the feed's: a collection's tiles need read access to it (a grant,
// or the admin and auditor roles), the audit log's need admin or auditor.
// Hash tiles need no more than entry bundles and no less: a level-0 tile is
// the leaf hashes, and an entry with few unknown fields can be confirmed from
// its leaf hash by guessing them (docs/feed.md, "Tiles").
//
// A tile is served when all it holds is committed (log/tiles.h TileInTree),
// from the stored nodes at Merkle level 8L (one range read) or the stored
// entries. Full tiles never change and say so to caches; partial tiles and
// the checkpoint are short-lived.
#include <algorithm>

#include "api/access.h"
#include "api/replica_reads.h"
#include "api/routes.h"
#include "http/wire.h"
#include "log/tiles.h"
#include "services/checkpoints.h"

namespace exchange::api {
namespace {

constexpr const char* kImmutable = "public, max-age=31536000, immutable";
// A partial tile's bytes never change either, but a wider one soon replaces
// it; caches need not keep it.
constexpr const char* kPartialTile = "public, max-age=5";
constexpr const char* kCheckpoint = "no-cache";

http::Response Fail(const http::Request& request, const Status& status) {
  return http::ErrorResponse(&request, status);
}

http::Response Cacheable(http::Response response, const char* cache_control) {
  response.headers.emplace_back("Cache-Control", cache_control);
  return response;
}

http::Response Checkpoint(const services::CheckpointPublisher& publisher, const http::Request& request,
                          http::CallContext& context) {
  auto head = ReadableLog(request, context);
  if (!head.ok()) return Fail(request, head.status());
  auto note = publisher.Published(*context.db, *head);
  if (!note.ok()) return Fail(request, note.status());
  return Cacheable(http::TextResponse(*note), kCheckpoint);
}

// The bytes of `tile`, which is in `head`'s tree: from a replica when it
// holds the entries the tile covers (a run at Merkle level L covers leaves
// below (first_index + count) << L).
Result<std::string> TileBytes(metrics::ServerMetrics& metrics, http::CallContext& context, const store::LogHead& head,
                              const log::Tile& tile) {
  const log::NodeRun run = log::NodesOfTile(tile);
  const uint64_t covered = run.level >= 64 ? head.size : (run.first_index + run.count) << run.level;
  const uint64_t needed = std::min(head.size, covered);
  if (tile.kind == log::TileKind::kHashes) {
    auto hashes = ReadLogData(context, metrics, head.log_id, needed, [&](store::Connection& db) {
      return store::ReadNodeRun(db, head.log_id, run.level, run.first_index, run.count);
    });
    if (!hashes.ok()) return hashes.status();
    return log::EncodeHashTile(*hashes);
  }
  auto entries = ReadLogData(context, metrics, head.log_id, needed, [&](store::Connection& db) {
    return store::ReadEntries(db, head.log_id, run.first_index, run.count, head.size);
  });
  if (!entries.ok()) return entries.status();
  auto bundle = log::EncodeEntryBundle(*entries);
  if (!bundle.ok()) {
    // The format's uint16 lengths cannot carry it: say where the entries are.
    return Status::FailedPrecondition(bundle.status().message() + " (log index " + std::to_string(run.first_index) +
                                      " + that position); read entries " + std::to_string(run.first_index) + " to " +
                                      std::to_string(run.first_index + run.count - 1) +
                                      " from the entries endpoint instead");
  }
  return bundle;
}

http::Response Tile(metrics::ServerMetrics& metrics, const http::Request& request, http::CallContext& context) {
  auto head = ReadableLog(request, context);
  if (!head.ok()) return Fail(request, head.status());
  const std::string path = "tile/" + request.params.at("tile");
  auto tile = log::ParseTilePath(path);
  if (!tile.ok()) return Fail(request, tile.status());
  if (!log::TileInTree(*tile, head->size)) {
    return Fail(request,
                Status::NotFound(path + " is not in the tree: the log has " + std::to_string(head->size) + " entries"));
  }
  auto bytes = TileBytes(metrics, context, *head, *tile);
  if (!bytes.ok()) return Fail(request, bytes.status());
  if (tile->kind == log::TileKind::kEntries) {
    NoteSyncProgress(request, context, *head, tile->index * log::kTileWidth + tile->width);
  }
  return Cacheable(http::TextResponse(std::move(bytes).value(), "application/octet-stream"),
                   tile->full() ? kImmutable : kPartialTile);
}

// No body: 204 when the caller may read the log, else the tiles' refusal.
http::Response Access(const http::Request& request, http::CallContext& context) {
  auto it = request.params.find("c");
  if (it == request.params.end()) {
    if (!IsStaff(*context.caller)) {
      return Fail(request, Status::PermissionDenied("only admins and auditors read the audit log"));
    }
  } else if (auto readable = ReadableCollection(context, it->second); !readable.ok()) {
    return Fail(request, readable.status());
  }
  http::Response response;
  response.status = 204;
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace

void AddTlogRoutes(http::Router& router, const services::CheckpointPublisher& publisher,
                   metrics::ServerMetrics& metrics) {
  for (const std::string prefix : {"/v1/collections/{c}/tlog", "/v1/audit/tlog"}) {
    router.Add({.method = "GET",
                .pattern = prefix + "/checkpoint",
                .max_body_bytes = kSmallBodyLimit,
                .handler = [&publisher](const http::Request& r, http::CallContext& c) {
                  return Checkpoint(publisher, r, c);
                }});
    router.Add({.method = "GET",
                .pattern = prefix + "/tile/{tile...}",
                .max_body_bytes = kSmallBodyLimit,
                .handler = [&metrics](const http::Request& r, http::CallContext& c) { return Tile(metrics, r, c); }});
    router.Add({.method = "GET", .pattern = prefix + "/access", .max_body_bytes = kSmallBodyLimit, .handler = Access});
  }
}

}  // namespace exchange::api
