// SPDX-License-Identifier: Apache-2.0
// The shared test vectors (../shared/vectors/, EXCHANGE_VECTORS_DIR) and the
// one reader the unit tests use for them: a file that cannot be opened fails
// the test (REQUIRE), so a missing vector is never read as empty and skipped.
//
// Header-only, for tests linked with exchange_test_main (which defines
// EXCHANGE_VECTORS_DIR). Reads only; thread-compatible, as doctest is.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace exchange::testing {

// ../shared/vectors/<set>, e.g. VectorDir("pdq").
inline std::filesystem::path VectorDir(std::string_view set) {
  return std::filesystem::path(EXCHANGE_VECTORS_DIR) / std::filesystem::path(set);
}

// The whole file, byte for byte.
inline std::string ReadTestFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The same, as bytes (images for the decoders).
inline std::vector<uint8_t> ReadTestBytes(const std::filesystem::path& path) {
  const std::string text = ReadTestFile(path);
  return {text.begin(), text.end()};
}

}  // namespace exchange::testing
