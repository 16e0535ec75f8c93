// SPDX-License-Identifier: Apache-2.0
// The exposition check the metrics tests share: Prometheus's own promtool
// must accept what /metrics served (CHECK, with promtool's complaint).
//
// Header-only, for e2e tests (RunCommand is in exchange_test_support).
#pragma once

#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "process.h"

namespace exchange::testing {

// Writes `metrics` to `dir`/metrics.txt and runs `promtool check metrics` on it.
inline void CheckPromtoolAccepts(const std::string& dir, const std::string& metrics) {
  const std::string file = dir + "/metrics.txt";
  std::FILE* f = std::fopen(file.c_str(), "w");
  REQUIRE(f);
  std::fwrite(metrics.data(), 1, metrics.size(), f);
  std::fclose(f);
  auto lint = RunCommand("promtool check metrics < '" + file + "' 2>&1");
  CHECK_MESSAGE(lint.exit_code == 0, lint.output);
}

}  // namespace exchange::testing
