// SPDX-License-Identifier: Apache-2.0
#include "server/log_level_reload.h"

#include <algorithm>
#include <csignal>

#include "common/logger.h"

namespace exchange::server {

LogLevelReload::LogLevelReload(boost::asio::io_context& io, std::function<Result<ServeConfig>()> reread)
    : hangups_(io, SIGHUP), reread_(std::move(reread)) {}

void LogLevelReload::Start() {
  hangups_.async_wait([this](boost::system::error_code ec, int) {
    if (ec) return;
    OnHangup();
    Start();
  });
}

void LogLevelReload::Stop() { hangups_.cancel(); }

void LogLevelReload::OnHangup() {
  auto fresh = reread_ ? reread_() : Result<ServeConfig>(Status::Unavailable("no configuration to re-read"));
  if (!fresh.ok()) {
    logging::Error("SIGHUP: configuration not re-read; log level unchanged",
                   {{"error", fresh.status().ToString()}, {"log_level", logging::LevelName(logging::CurrentLevel())}});
    return;
  }
  const auto previous = logging::CurrentLevel();
  logging::SetLevel(*logging::ParseLevel(fresh->log_level));
  // At info, or at the new level when that is higher: the change is always on record.
  logging::Log(std::max(logging::Level::kInfo, logging::CurrentLevel()), "log level set by SIGHUP",
               {{"log_level", fresh->log_level}, {"previous", logging::LevelName(previous)}});
}

}  // namespace exchange::server
