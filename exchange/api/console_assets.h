// SPDX-License-Identifier: Apache-2.0
// The web console's files as compiled into the binary from console/ at the
// repository root (cmake/EmbedConsole.cmake generates the definition). The
// table is built once, on first use, and only read after that: safe from any
// thread. No I/O.
#pragma once

#include <string_view>
#include <vector>

namespace exchange::api {

struct ConsoleAsset {
  std::string_view name;          // file name in console/, e.g. "app.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;
};

// Every file of console/, sorted by name.
const std::vector<ConsoleAsset>& EmbeddedConsoleAssets();

}  // namespace exchange::api
