// SPDX-License-Identifier: Apache-2.0
// common/hex.h: lowercase hex of byte strings, strict decoding, one digit's
// value and the RFC 3986 percent escape.
#include "common/hex.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace exchange;

TEST_CASE("hex") {
  CHECK(HexEncode(std::string_view("\x00\xab\xff", 3)) == "00abff");
  CHECK(*HexDecode("00abFF") == std::string("\x00\xab\xff", 3));
  CHECK_FALSE(HexDecode("abc").ok());
  CHECK_FALSE(HexDecode("zz").ok());
}

TEST_CASE("hex: every byte round-trips, both overloads agree, bad input is InvalidArgument") {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  const std::string hex = HexEncode(all_bytes);
  CHECK(hex.size() == 512);
  CHECK(hex.substr(0, 8) == "00010203");
  CHECK(hex.substr(504) == "fcfdfeff");
  std::vector<uint8_t> bytes(all_bytes.begin(), all_bytes.end());
  CHECK(HexEncode(bytes) == hex);
  CHECK(*HexDecode(hex) == all_bytes);
  CHECK(HexEncode(std::string_view()) == "");
  CHECK(*HexDecode("") == "");
  for (std::string_view bad : {"0", "0g", "g0", " 00", "00 ", "0x00", "-1"}) {
    CAPTURE(bad);
    CHECK(HexDecode(bad).status().code() == ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("hex: one digit's value, one byte appended, the percent escape") {
  CHECK(HexDigitValue('0') == 0);
  CHECK(HexDigitValue('9') == 9);
  CHECK(HexDigitValue('a') == 10);
  CHECK(HexDigitValue('F') == 15);
  for (char c : {'g', 'G', '/', ':', '@', '`', ' ', '\0'}) {
    CAPTURE(c);
    CHECK(HexDigitValue(c) == -1);
  }
  std::string out = "x";
  AppendHexByte(0x0a, out);
  AppendHexByte(0xf0, out);
  CHECK(out == "x0af0");
  out.clear();
  AppendPercentEscape('%', out);
  AppendPercentEscape(0xff, out);
  AppendPercentEscape(0x0a, out);
  CHECK(out == "%25%FF%0A");
}
