// SPDX-License-Identifier: Apache-2.0
// Signal kinds and the canonical forms of hashes and opaque binary signals;
// PDQ bits and distances. URLs and text kinds are in signals_url_test.cpp and
// signals_text_test.cpp.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "canonical_forms.h"
#include "example_values.h"
#include "log/encoding.h"
#include "signals/canonical.h"
#include "signals/kind.h"
#include "signals/match.h"

namespace {

using namespace exchange;
using namespace exchange::signals;
using namespace exchange::testing;

}  // namespace

TEST_CASE("kind names round-trip and only exact lowercase names parse") {
  const std::vector<std::string_view> expected = {"md5",  "sha1", "sha256", "pdq",     "photodna",  "tmk_pdqf",
                                                  "vpdq", "url",  "domain", "keyword", "account_id"};
  REQUIRE(AllKinds().size() == expected.size());
  std::set<std::string_view> seen;
  for (size_t i = 0; i < AllKinds().size(); ++i) {
    Kind kind = AllKinds()[i];
    CHECK(KindName(kind) == expected[i]);
    CHECK(ParseKind(KindName(kind)) == kind);
    seen.insert(KindName(kind));
  }
  CHECK(seen.size() == expected.size());
  CHECK(ParseKind("MD5") == std::nullopt);
  CHECK(ParseKind(" md5") == std::nullopt);
  CHECK(ParseKind("md5 ") == std::nullopt);
  CHECK(ParseKind("tmk-pdqf") == std::nullopt);
  CHECK(ParseKind("") == std::nullopt);
  CHECK(ParseKind(std::string_view("md5\0", 4)) == std::nullopt);
}

TEST_CASE("hash kinds: lowercase hex of the right length") {
  CHECK(Canonical(Kind::kMd5, kMd5) == kMd5);
  CHECK(Canonical(Kind::kSha1, kSha1) == kSha1);
  CHECK(Canonical(Kind::kSha256, kSha256) == kSha256);
  CHECK(Canonical(Kind::kPdq, kPdq) == kPdq);

  SUBCASE("uppercase and mixed case are accepted and lowercased") {
    CHECK(Canonical(Kind::kMd5, Upper(kMd5)) == kMd5);
    CHECK(Canonical(Kind::kSha1, Upper(kSha1)) == kSha1);
    CHECK(Canonical(Kind::kSha256, "E3b0C44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852B855") == kSha256);
    CHECK(Canonical(Kind::kPdq, Upper(kPdq)) == kPdq);
  }
  SUBCASE("surrounding ASCII white space is trimmed") {
    CHECK(Canonical(Kind::kMd5, "  " + kMd5 + "\n") == kMd5);
    CHECK(Canonical(Kind::kSha256, "\t" + kSha256 + "\r\n") == kSha256);
  }
  SUBCASE("wrong lengths name the expected and actual digit counts") {
    CHECK(Refusal(Kind::kMd5, kMd5.substr(1)) == "md5 must be 32 hex digits, got 31");
    CHECK(Refusal(Kind::kMd5, kMd5 + "0") == "md5 must be 32 hex digits, got 33");
    CHECK(Refusal(Kind::kSha1, kSha1.substr(2)) == "sha1 must be 40 hex digits, got 38");
    CHECK(Refusal(Kind::kSha256, kSha256.substr(0, 63)) == "sha256 must be 64 hex digits, got 63");
    CHECK(Refusal(Kind::kPdq, "abc") == "pdq must be 64 hex digits, got 3");
  }
  SUBCASE("a value of another hash's length says which") {
    CHECK(Refusal(Kind::kMd5, kSha256) == "md5 must be 32 hex digits, got 64 (the length of a sha256 or pdq hash)");
    CHECK(Refusal(Kind::kSha256, kSha1) == "sha256 must be 64 hex digits, got 40 (the length of a sha1 hash)");
    CHECK(Refusal(Kind::kSha1, kMd5) == "sha1 must be 40 hex digits, got 32 (the length of a md5 hash)");
  }
  SUBCASE("non-hex characters, inner white space, prefixes and emptiness") {
    CHECK(Refusal(Kind::kMd5, "g41d8cd98f00b204e9800998ecf8427e") == "md5 contains 'g', which is not a hex digit");
    CHECK(Refusal(Kind::kMd5, "d41d8cd98f00b204 e9800998ecf8427e") == "md5 contains white space");
    CHECK(Refusal(Kind::kMd5, "d41d8cd98f00b204\te9800998ecf8427") == "md5 contains white space");
    CHECK(Refusal(Kind::kMd5, "0x" + kMd5) == "md5 must be 32 hex digits without a 0x prefix");
    CHECK(Refusal(Kind::kSha1, "\xC3\xA9" + kSha1.substr(1)) == "sha1 contains byte 0xC3, which is not a hex digit");
    CHECK(Refusal(Kind::kSha256, "sha256:" + kSha256) == "sha256 contains 's', which is not a hex digit");
    CHECK(Refusal(Kind::kMd5, "") == "md5 is empty");
    CHECK(Refusal(Kind::kMd5, " \t\n") == "md5 is empty");
    CHECK(Refusal(Kind::kPdq, "-" + kPdq.substr(1)) == "pdq contains '-', which is not a hex digit");
  }
}

TEST_CASE("every kind refuses a NUL byte with the same message") {
  for (Kind kind : AllKinds()) {
    CAPTURE(KindName(kind));
    CHECK(Refusal(kind, std::string("abc\0def", 7)) == "value contains a NUL byte");
    CHECK(Refusal(kind, std::string("\0", 1)) == "value contains a NUL byte");
  }
  CHECK(Refusal(Kind::kMd5, kMd5 + std::string(1, '\0')) == "value contains a NUL byte");
}

TEST_CASE("every kind refuses an empty value") {
  for (Kind kind : AllKinds()) {
    CAPTURE(KindName(kind));
    Refusal(kind, "");
    Refusal(kind, "   ");
  }
}

TEST_CASE("pdq quality is 0 to 100") {
  CHECK(ValidatePdqQuality(0).ok());
  CHECK(ValidatePdqQuality(50).ok());
  CHECK(ValidatePdqQuality(100).ok());
  CHECK(ValidatePdqQuality(-1).message() == "pdq quality must be between 0 and 100, got -1");
  CHECK(ValidatePdqQuality(101).code() == ErrorCode::kInvalidArgument);
}

TEST_CASE("photodna: base64 of exactly 144 bytes, standard alphabet only") {
  std::string bytes(144, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 + 251);  // includes '+' and '/' digits
  const std::string encoded = exchange::log::Base64Encode(bytes);
  REQUIRE(encoded.size() == 192);
  REQUIRE(encoded.find_first_of("+/") != std::string::npos);

  CHECK(Canonical(Kind::kPhotoDna, encoded) == encoded);
  CHECK(Canonical(Kind::kPhotoDna, " " + encoded + "\r\n") == encoded);

  CHECK(Refusal(Kind::kPhotoDna, exchange::log::Base64Encode(bytes.substr(1))) ==
        "photodna must be base64 of exactly 144 bytes, got 143");
  CHECK(Refusal(Kind::kPhotoDna, exchange::log::Base64Encode(bytes + "x")) ==
        "photodna must be base64 of exactly 144 bytes, got 145");
  CHECK(Refusal(Kind::kPhotoDna, exchange::log::Base64Encode(std::string(1, 'x'))) ==
        "photodna must be base64 of exactly 144 bytes, got 1");

  std::string url_safe = encoded;
  for (char& c : url_safe) c = c == '+' ? '-' : c == '/' ? '_' : c;
  CHECK(Refusal(Kind::kPhotoDna, url_safe) ==
        "photodna uses the URL-safe base64 alphabet; use standard base64 ('+', '/' and '=' padding)");

  std::string wrapped = encoded.substr(0, 76) + "\n" + encoded.substr(76);
  CHECK(Refusal(Kind::kPhotoDna, wrapped) == "photodna contains white space; base64 must be one line");
  CHECK(Refusal(Kind::kPhotoDna, encoded.substr(0, 191)) ==
        "photodna is not valid base64 (length is not a multiple of 4)");
  CHECK(Refusal(Kind::kPhotoDna, "*" + encoded.substr(1)) == "photodna is not valid base64 (invalid character)");
  CHECK(Refusal(Kind::kPhotoDna, "") == "photodna is empty");
}

TEST_CASE("opaque kinds: unpadded and non-canonical base64 are refused, not repaired") {
  for (Kind kind : {Kind::kTmkPdqf, Kind::kPhotoDna}) {
    CAPTURE(KindName(kind));
    const std::string name(KindName(kind));
    CHECK(Refusal(kind, "QQ") == name + " is not valid base64 (length is not a multiple of 4)");
    CHECK(Refusal(kind, "QUI") == name + " is not valid base64 (length is not a multiple of 4)");
    // "QQ==" is "A"; "QR==" only decodes to "A" if the decoder ignores the spare bits.
    CHECK(Refusal(kind, "QR==") == name + " is not valid base64 (non-zero trailing bits)");
    CHECK(Refusal(kind, "Q===") == name + " is not valid base64 (invalid character)");
    CHECK(Refusal(kind, "QQ==QQ==") == name + " is not valid base64 (invalid character)");
  }
}

TEST_CASE("tmk_pdqf: 1 byte to 256 KiB of standard base64") {
  for (Kind kind : {Kind::kTmkPdqf}) {
    CAPTURE(KindName(kind));
    const std::string name(KindName(kind));
    CHECK(Canonical(kind, "AA==") == "AA==");
    CHECK(Canonical(kind, "  aGVsbG8=\n") == "aGVsbG8=");

    std::string largest = exchange::log::Base64Encode(std::string(256 * 1024, '\x5a'));
    CHECK(Canonical(kind, largest) == largest);
    // One byte more still fits in the same number of base64 groups, so it is
    // decoded and refused with the exact count.
    CHECK(Refusal(kind, exchange::log::Base64Encode(std::string(256 * 1024 + 1, 'x'))) ==
          name + " is longer than 262144 bytes (256 KiB), got 262145");
    // Far larger text is refused before decoding.
    CHECK(Refusal(kind, exchange::log::Base64Encode(std::string(300 * 1024, 'x'))) ==
          name + " is longer than 262144 bytes (256 KiB)");

    CHECK(Refusal(kind, "") == name + " is empty");
    CHECK(Refusal(kind, "aGVsbG8") == name + " is not valid base64 (length is not a multiple of 4)");
    CHECK(Refusal(kind, "aGVs bG8=") == name + " contains white space; base64 must be one line");
    CHECK(Refusal(kind, "a-8_") ==
          name + " uses the URL-safe base64 alphabet; use standard base64 ('+', '/' and '=' padding)");
    CHECK(Refusal(kind, "====") == name + " is not valid base64 (invalid character)");
  }
}

TEST_CASE("ParsePdq takes only canonical hex; HammingDistance256 counts differing bits") {
  Result<PdqHash> a = ParsePdq(kPdq);
  REQUIRE(a.ok());
  CHECK((*a)[0] == 0xf8);
  CHECK((*a)[31] == 0x22);
  CHECK(HammingDistance256(*a, *a) == 0);

  PdqHash zero{};
  PdqHash ones;
  ones.fill(0xff);
  CHECK(HammingDistance256(zero, ones) == 256);
  CHECK(HammingDistance256(ones, zero) == 256);

  PdqHash b = *a;
  b[0] ^= 0x01;
  b[17] ^= 0x80;
  b[31] ^= 0x0f;
  CHECK(HammingDistance256(*a, b) == 6);
  CHECK(HammingDistance256(b, *a) == 6);

  Result<PdqHash> from_text = ParsePdq(std::string(63, '0') + "7");
  REQUIRE(from_text.ok());
  CHECK(HammingDistance256(zero, *from_text) == 3);

  CHECK(ParsePdq(Upper(kPdq)).status().code() == ErrorCode::kInvalidArgument);
  CHECK_FALSE(ParsePdq(kPdq.substr(1)).ok());
  CHECK_FALSE(ParsePdq(" " + kPdq).ok());
  CHECK_FALSE(ParsePdq("g" + kPdq.substr(1)).ok());
  CHECK_FALSE(ParsePdq("").ok());
  // A canonicalised value always parses.
  REQUIRE(ParsePdq(Canonical(Kind::kPdq, " " + Upper(kPdq))).ok());
}
