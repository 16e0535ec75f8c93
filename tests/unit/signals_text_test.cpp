// Canonical text-like signals: punycode and host names (domain), keywords
// (trimming, case folding, UTF-8) and account ids.
#include <doctest/doctest.h>

#include <string>

#include "signals/canonical.h"
#include "signals/case_fold.h"
#include "signals/punycode.h"
#include "signals/utf8.h"

namespace {

using exchange::ErrorCode;
using exchange::Result;
using exchange::signals::Canonicalize;
using exchange::signals::DecodeUtf8;
using exchange::signals::DomainMatchesSuffix;
using exchange::signals::EncodeUtf8;
using exchange::signals::Kind;
using exchange::signals::KindName;
using exchange::signals::PunycodeEncode;
using exchange::signals::SimpleCaseFold;

std::string Canonical(Kind kind, std::string_view raw) {
  Result<std::string> result = Canonicalize(kind, raw);
  REQUIRE_MESSAGE(result.ok(), KindName(kind) << " refused '" << raw << "': " << result.status().ToString());
  return *result;
}

std::string Refusal(Kind kind, std::string_view raw) {
  Result<std::string> result = Canonicalize(kind, raw);
  REQUIRE_MESSAGE(!result.ok(), KindName(kind) << " accepted '" << raw << "' as '" << *result << "'");
  CHECK(result.status().code() == ErrorCode::kInvalidArgument);
  return result.status().message();
}

std::string Punycode(std::u32string_view code_points) {
  Result<std::string> result = PunycodeEncode(code_points);
  REQUIRE(result.ok());
  return *result;
}

}  // namespace

TEST_CASE("punycode encodes the RFC 3492 §7.1 samples") {
  // (A) Arabic (Egyptian)
  CHECK(Punycode(U"\u0644\u064A\u0647\u0645\u0627\u0628\u062A\u0643\u0644\u0645\u0648\u0634\u0639\u0631\u0628\u064A"
                 U"\u061F") == "egbpdaj6bu4bxfgehfvwxn");
  // (B) Chinese (simplified)
  CHECK(Punycode(U"\u4ED6\u4EEC\u4E3A\u4EC0\u4E48\u4E0D\u8BF4\u4E2D\u6587") == "ihqwcrb4cv8a8dqg056pqjye");
  // (C) Chinese (traditional)
  CHECK(Punycode(U"\u4ED6\u5011\u7232\u4EC0\u9EBD\u4E0D\u8AAA\u4E2D\u6587") == "ihqwctvzc91f659drss3x8bo0yb");
  // (D) Czech, with basic code points in mixed case, which are copied as they are
  CHECK(Punycode(U"Pro\u010Dprost\u011Bnemluv\u00ED\u010Desky") == "Proprostnemluvesky-uyb24dma41a");
  // (I) Russian (Cyrillic), lowercase
  CHECK(Punycode(U"\u043F\u043E\u0447\u0435\u043C\u0443\u0436\u0435\u043E\u043D\u0438\u043D\u0435\u0433\u043E"
                 U"\u0432\u043E\u0440\u044F\u0442\u043F\u043E\u0440\u0443\u0441\u0441\u043A\u0438") ==
        "b1abfaaepdrnnbgefbadotcwatmq2g4l");
  // (L) 3<nen>B<gumi><kinpachi><sensei>
  CHECK(Punycode(U"3\u5E74B\u7D44\u91D1\u516B\u5148\u751F") == "3B-ww4c5e180e575a65lsy2b");
  // (S) -> $1.00 <-   (basic only: a trailing '-' and nothing after it)
  CHECK(Punycode(U"-> $1.00 <-") == "-> $1.00 <--");
  // and the two names the design uses
  CHECK(Punycode(U"b\u00FCcher") == "bcher-kva");
  CHECK(Punycode(U"m\u00FCnchen") == "mnchen-3ya");
  CHECK(Punycode(U"") == "");
  CHECK(Punycode(U"\U0010FFFF") == "dn32g");
}

TEST_CASE("simple case folding covers Latin, Greek and Cyrillic as CaseFolding.txt does") {
  CHECK(SimpleCaseFold(U'A') == U'a');
  CHECK(SimpleCaseFold(U'Z') == U'z');
  CHECK(SimpleCaseFold(U'@') == U'@');
  CHECK(SimpleCaseFold(U'[') == U'[');
  CHECK(SimpleCaseFold(U'\u00C0') == U'\u00E0');  // À
  CHECK(SimpleCaseFold(U'\u00D7') == U'\u00D7');  // × is not a letter
  CHECK(SimpleCaseFold(U'\u00DE') == U'\u00FE');  // Þ
  CHECK(SimpleCaseFold(U'\u00DF') == U'\u00DF');  // ß has only a full folding ("ss")
  CHECK(SimpleCaseFold(U'\u00B5') == U'\u03BC');  // micro sign -> mu
  CHECK(SimpleCaseFold(U'\u0100') == U'\u0101');  // Ā
  CHECK(SimpleCaseFold(U'\u0101') == U'\u0101');
  CHECK(SimpleCaseFold(U'\u0130') == U'\u0130');  // İ: Turkic-only folding
  CHECK(SimpleCaseFold(U'\u0131') == U'\u0131');  // ı
  CHECK(SimpleCaseFold(U'\u0139') == U'\u013A');  // Ĺ (odd upper)
  CHECK(SimpleCaseFold(U'\u013A') == U'\u013A');
  CHECK(SimpleCaseFold(U'\u0149') == U'\u0149');  // ŉ: full folding only
  CHECK(SimpleCaseFold(U'\u014A') == U'\u014B');  // Ŋ
  CHECK(SimpleCaseFold(U'\u0178') == U'\u00FF');  // Ÿ -> ÿ
  CHECK(SimpleCaseFold(U'\u017D') == U'\u017E');  // Ž
  CHECK(SimpleCaseFold(U'\u017F') == U's');       // long s
  CHECK(SimpleCaseFold(U'\u0386') == U'\u03AC');  // Ά
  CHECK(SimpleCaseFold(U'\u038F') == U'\u03CE');  // Ώ
  CHECK(SimpleCaseFold(U'\u0390') == U'\u0390');  // ΐ: full folding only
  CHECK(SimpleCaseFold(U'\u03A3') == U'\u03C3');  // Σ
  CHECK(SimpleCaseFold(U'\u03C2') == U'\u03C3');  // final sigma
  CHECK(SimpleCaseFold(U'\u03D1') == U'\u03B8');  // ϑ
  CHECK(SimpleCaseFold(U'\u03F4') == U'\u03B8');  // ϴ
  CHECK(SimpleCaseFold(U'\u03FD') == U'\u037B');  // Ͻ
  CHECK(SimpleCaseFold(U'\u0401') == U'\u0451');  // Ё
  CHECK(SimpleCaseFold(U'\u042F') == U'\u044F');  // Я
  CHECK(SimpleCaseFold(U'\u0460') == U'\u0461');  // Ѡ
  CHECK(SimpleCaseFold(U'\u04C0') == U'\u04CF');  // Ӏ
  CHECK(SimpleCaseFold(U'\u04C1') == U'\u04C2');  // Ӂ (odd upper)
  CHECK(SimpleCaseFold(U'\u04D0') == U'\u04D1');  // Ӑ
  CHECK(SimpleCaseFold(U'\u052E') == U'\u052F');  // Ԯ
  CHECK(SimpleCaseFold(U'\u212A') == U'k');       // Kelvin sign
  CHECK(SimpleCaseFold(U'\u2126') == U'\u03C9');  // Ohm sign
  CHECK(SimpleCaseFold(U'\u212B') == U'\u00E5');  // Angstrom sign
  CHECK(SimpleCaseFold(U'\u1E9E') == U'\u1E9E');  // outside the covered ranges
  CHECK(SimpleCaseFold(U'\uFF21') == U'\uFF21');  // fullwidth A: outside too
  CHECK(SimpleCaseFold(U"ΣΊΣΥΦΟΣ") == U"σίσυφοσ");
}

TEST_CASE("UTF-8 decoding is strict") {
  CHECK(DecodeUtf8("h\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", "x").value() == U"h\u00E9\u20AC\U0001F600");
  for (std::string_view bad : {"\x80", "\xC3", "\xC0\xAF", "\xE0\x80\xAF", "\xF0\x80\x80\xAF", "\xED\xA0\x80",
                               "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "\xFF", "\xE2\x82", "a\xC3(b"}) {
    CAPTURE(bad);
    CHECK_FALSE(DecodeUtf8(bad, "x").ok());
  }
  CHECK(DecodeUtf8("ab\xED\xBF\xBF", "keyword").status().message() == "keyword is not valid UTF-8 (at byte 2)");
  CHECK(EncodeUtf8(U"h\u00E9\u20AC\U0001F600\U0010FFFF") == "h\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF");
}

TEST_CASE("domain: lowercase, IDNA A-labels, no trailing dot") {
  CHECK(Canonical(Kind::kDomain, "Example.COM") == "example.com");
  CHECK(Canonical(Kind::kDomain, "  example.com.\n") == "example.com");
  CHECK(Canonical(Kind::kDomain, "münchen.de.") == "xn--mnchen-3ya.de");
  CHECK(Canonical(Kind::kDomain, "MÜNCHEN.DE") == "xn--mnchen-3ya.de");
  CHECK(Canonical(Kind::kDomain, "bücher.example") == "xn--bcher-kva.example");
  CHECK(Canonical(Kind::kDomain, "пример.РФ") == "xn--e1afmkfd.xn--p1ai");
  CHECK(Canonical(Kind::kDomain, "ελληνικά.gr") == "xn--hxargifdar.gr");
  CHECK(Canonical(Kind::kDomain, "例え。テスト") == "xn--r8jz45g.xn--zckzah");  // ideographic full stop
  CHECK(Canonical(Kind::kDomain, "XN--MNCHEN-3YA.de") == "xn--mnchen-3ya.de");
  CHECK(Canonical(Kind::kDomain, "a-b.c0.example") == "a-b.c0.example");
  CHECK(Canonical(Kind::kDomain, "1password.com") == "1password.com");
  std::string longest_label(63, 'a');
  CHECK(Canonical(Kind::kDomain, longest_label + ".com") == longest_label + ".com");
  std::string longest;  // 4 * 62 + 5 = 253
  for (int i = 0; i < 4; ++i) longest += std::string(61, static_cast<char>('a' + i)) + ".";
  longest += "abcde";
  REQUIRE(longest.size() == 253);
  CHECK(Canonical(Kind::kDomain, longest + ".") == longest);
}

TEST_CASE("domain: malformed names are refused with the rule they break") {
  const std::string chars = ", which is not allowed in a host name (letters, digits, '-' and '.' only)";
  CHECK(Refusal(Kind::kDomain, "") == "domain is empty");
  CHECK(Refusal(Kind::kDomain, ".") == "domain is empty");
  CHECK(Refusal(Kind::kDomain, "com") ==
        "domain 'com' has a single label; a top-level domain alone is too broad to share");
  CHECK(Refusal(Kind::kDomain, "example..com") == "domain has an empty label");
  CHECK(Refusal(Kind::kDomain, ".example.com") == "domain has an empty label");
  CHECK(Refusal(Kind::kDomain, "example.com..") == "domain has an empty label");
  CHECK(Refusal(Kind::kDomain, "-example.com") == "domain label '-example' starts or ends with '-'");
  CHECK(Refusal(Kind::kDomain, "example-.com") == "domain label 'example-' starts or ends with '-'");
  CHECK(Refusal(Kind::kDomain, "my_host.example.com") == "domain contains '_'" + chars);
  CHECK(Refusal(Kind::kDomain, "exa mple.com") == "domain contains U+0020" + chars);
  CHECK(Refusal(Kind::kDomain, "*.example.com") == "domain contains '*'" + chars);
  CHECK(Refusal(Kind::kDomain, "example.com:443") == "domain contains ':'" + chars);
  CHECK(Refusal(Kind::kDomain, "user@example.com") == "domain contains '@'" + chars);
  CHECK(Refusal(Kind::kDomain, "https://example.com/") == "domain must be a bare host name, not a URL or path");
  CHECK(Refusal(Kind::kDomain, "example.com/path") == "domain must be a bare host name, not a URL or path");
  CHECK(Refusal(Kind::kDomain, "exa\u00A0mple.com") == "domain contains U+00A0");
  CHECK(Refusal(Kind::kDomain, "exa\u0085mple.com") == "domain contains U+0085");
  CHECK(Refusal(Kind::kDomain, "bad\xC3.com") == "domain is not valid UTF-8 (at byte 3)");
  CHECK(Refusal(Kind::kDomain, std::string(64, 'a') + ".com") ==
        "domain label '" + std::string(64, 'a') + "' is longer than 63 characters");
  // 60 characters, but longer than 63 once written as an A-label.
  CHECK(Refusal(Kind::kDomain, "ü" + std::string(59, 'a') + ".de") ==
        "domain label 'xn--" + std::string(59, 'a') + "-ucg' is longer than 63 characters");
  // 57 of one non-ASCII letter encode compactly and just fit.
  std::string same;
  for (int i = 0; i < 57; ++i) same += "ü";
  CHECK(Canonical(Kind::kDomain, same + ".de") == "xn--tda" + std::string(56, 'a') + ".de");
  std::string too_long;
  for (int i = 0; i < 4; ++i) too_long += std::string(62, static_cast<char>('a' + i)) + ".";
  too_long += "com";
  CHECK(Refusal(Kind::kDomain, too_long) == "domain is longer than 253 characters");
  const std::string numeric = "ends in a number; an IP address is not a domain (submit it as a url)";
  CHECK(Refusal(Kind::kDomain, "192.0.2.1") == "domain " + numeric);
  CHECK(Refusal(Kind::kDomain, "example.0x1f") == "domain " + numeric);
  CHECK(Refusal(Kind::kDomain, "[::1]") == "domain contains '['" + chars);
}

TEST_CASE("DomainMatchesSuffix respects label boundaries") {
  CHECK(DomainMatchesSuffix("example.com", "example.com"));
  CHECK(DomainMatchesSuffix("a.example.com", "example.com"));
  CHECK(DomainMatchesSuffix("a.b.example.com", "example.com"));
  CHECK(DomainMatchesSuffix("a.example.com", "com"));
  CHECK_FALSE(DomainMatchesSuffix("badexample.com", "example.com"));
  CHECK_FALSE(DomainMatchesSuffix("example.com", "a.example.com"));
  CHECK_FALSE(DomainMatchesSuffix("example.com.evil", "example.com"));
  CHECK_FALSE(DomainMatchesSuffix("example.com", ""));
  CHECK_FALSE(DomainMatchesSuffix("", "example.com"));
  CHECK_FALSE(DomainMatchesSuffix("xample.com", "example.com"));
}

TEST_CASE("keyword: Unicode-trimmed, case-folded, at most 1 KiB") {
  CHECK(Canonical(Kind::kKeyword, "  Grooming TALK\u00a0") == "grooming talk");
  CHECK(Canonical(Kind::kKeyword, "ΣΊΣΥΦΟΣ") == "σίσυφοσ");
  CHECK(Canonical(Kind::kKeyword, "\u3000\u2003Straße\u2009\u200A") == "straße");
  CHECK(Canonical(Kind::kKeyword, "\t\n\u0085\u1680\u2028\u2029\u202F\u205Fx\r\n") == "x");
  CHECK(Canonical(Kind::kKeyword, "ПРИВЕТ Мир") == "привет мир");
  CHECK(Canonical(Kind::kKeyword, "Ǆ\u00C9") == "Ǆ\u00E9");  // U+01C4 is outside the covered ranges
  CHECK(Canonical(Kind::kKeyword, "a  b") == "a  b");        // inner white space is kept
  CHECK(Canonical(Kind::kKeyword, "emoji 😀 OK") == "emoji 😀 ok");
  CHECK(Canonical(Kind::kKeyword, "\u212Aill") == "kill");  // Kelvin sign

  std::string full(1024, 'A');
  CHECK(Canonical(Kind::kKeyword, "  " + full + "  ") == std::string(1024, 'a'));
  CHECK(Refusal(Kind::kKeyword, full + "A") == "keyword is longer than 1024 bytes (1025 after case folding)");
  // The limit applies after folding: 1024 long s (2 bytes each) fold to 1024 's'.
  std::string long_s;
  for (int i = 0; i < 1024; ++i) long_s += "\u017F";
  CHECK(Canonical(Kind::kKeyword, long_s) == std::string(1024, 's'));
  std::string wide;
  for (int i = 0; i < 342; ++i) wide += "\u20AC";  // 1026 bytes
  CHECK(Refusal(Kind::kKeyword, wide) == "keyword is longer than 1024 bytes (1026 after case folding)");
}

TEST_CASE("keyword: empty, control characters and bad UTF-8 are refused") {
  CHECK(Refusal(Kind::kKeyword, "") == "keyword is empty");
  CHECK(Refusal(Kind::kKeyword, " \u00A0\u3000\t") == "keyword is empty");
  CHECK(Refusal(Kind::kKeyword, "a\tb") == "keyword contains a control character (U+0009)");
  CHECK(Refusal(Kind::kKeyword, "a\nb") == "keyword contains a control character (U+000A)");
  CHECK(Refusal(Kind::kKeyword, "a\x1b[0mb") == "keyword contains a control character (U+001B)");
  CHECK(Refusal(Kind::kKeyword, "a\x7f") == "keyword contains a control character (U+007F)");
  CHECK(Refusal(Kind::kKeyword, "a\u0085b") == "keyword contains a control character (U+0085)");
  CHECK(Refusal(Kind::kKeyword, std::string("a\0b", 3)) == "value contains a NUL byte");
  CHECK(Refusal(Kind::kKeyword, "caf\xC3") == "keyword is not valid UTF-8 (at byte 3)");
  CHECK(Refusal(Kind::kKeyword, "\xC0\xA0x") == "keyword is not valid UTF-8 (at byte 0)");         // overlong space
  CHECK(Refusal(Kind::kKeyword, "x\xED\xA0\x80") == "keyword is not valid UTF-8 (at byte 1)");     // surrogate
  CHECK(Refusal(Kind::kKeyword, "\xF4\x90\x80\x80") == "keyword is not valid UTF-8 (at byte 0)");  // > U+10FFFF
}

TEST_CASE("account_id: platform:identifier") {
  CHECK(Canonical(Kind::kAccountId, "email:Alice@Example.COM") == "email:alice@example.com");
  CHECK(Canonical(Kind::kAccountId, "Twitter:@SomeUser") == "twitter:@SomeUser");
  CHECK(Canonical(Kind::kAccountId, "  Discord : SomeUser#1234 \u00A0") == "discord:SomeUser#1234");
  CHECK(Canonical(Kind::kAccountId, "my.platform_2-x:ID") == "my.platform_2-x:ID");
  CHECK(Canonical(Kind::kAccountId, "matrix:@alice:example.org") == "matrix:@alice:example.org");
  CHECK(Canonical(Kind::kAccountId, "telegram:Name With Spaces") == "telegram:Name With Spaces");
  CHECK(Canonical(Kind::kAccountId, "vk:Иван") == "vk:Иван");

  SUBCASE("e-mail addresses are lowercased and their domain made an A-label") {
    CHECK(Canonical(Kind::kAccountId, "Email:ÉLODIE@Bücher.Example") == "email:élodie@xn--bcher-kva.example");
    CHECK(Canonical(Kind::kAccountId, "facebook:John.Doe@Example.com.") == "facebook:john.doe@example.com");
    // Not e-mail addresses: no local part, two '@', a domain that is not one.
    CHECK(Canonical(Kind::kAccountId, "instagram:@Some.User") == "instagram:@Some.User");
    CHECK(Canonical(Kind::kAccountId, "x:A@B@Example.com") == "x:A@B@Example.com");
    CHECK(Canonical(Kind::kAccountId, "telegram:User@Bot") == "telegram:User@Bot");
    CHECK(Canonical(Kind::kAccountId, "x:User@") == "x:User@");
  }
  SUBCASE("malformed ids") {
    CHECK(Refusal(Kind::kAccountId, "") == "account_id must be platform:identifier (no ':' found)");
    CHECK(Refusal(Kind::kAccountId, "SomeUser") == "account_id must be platform:identifier (no ':' found)");
    CHECK(Refusal(Kind::kAccountId, ":SomeUser") == "account_id platform is empty");
    CHECK(Refusal(Kind::kAccountId, "twitter:") == "account_id identifier is empty");
    CHECK(Refusal(Kind::kAccountId, "twitter:  \u3000") == "account_id identifier is empty");
    CHECK(Refusal(Kind::kAccountId, "twit ter:x") ==
          "account_id platform contains U+0020; only letters a-z, digits, '.', '_' and '-' are allowed");
    CHECK(Refusal(Kind::kAccountId, "twïtter:x") ==
          "account_id platform contains U+00EF; only letters a-z, digits, '.', '_' and '-' are allowed");
    CHECK(Refusal(Kind::kAccountId, std::string(65, 'p') + ":x") == "account_id platform is longer than 64 characters");
    CHECK(Canonical(Kind::kAccountId, std::string(64, 'P') + ":x") == std::string(64, 'p') + ":x");
    CHECK(Refusal(Kind::kAccountId, "twitter:a\tb") == "account_id identifier contains a control character (U+0009)");
    CHECK(Refusal(Kind::kAccountId, "twitter:a\u009Fb") ==
          "account_id identifier contains a control character (U+009F)");
    CHECK(Refusal(Kind::kAccountId, std::string("twitter:a\0b", 11)) == "value contains a NUL byte");
    CHECK(Refusal(Kind::kAccountId, "twitter:\xFF") == "account_id is not valid UTF-8 (at byte 8)");
    CHECK(Refusal(Kind::kAccountId, "email:alice") ==
          "account_id with platform 'email' must be an e-mail address (local@example.com)");
    CHECK(Refusal(Kind::kAccountId, "email:alice@localhost") ==
          "account_id with platform 'email' must be an e-mail address (local@example.com)");
  }
  SUBCASE("the identifier is at most 512 bytes") {
    CHECK(Canonical(Kind::kAccountId, "x:" + std::string(512, 'i')) == "x:" + std::string(512, 'i'));
    CHECK(Refusal(Kind::kAccountId, "x:" + std::string(513, 'i')) == "account_id identifier is longer than 512 bytes");
    std::string wide;
    for (int i = 0; i < 257; ++i) wide += "é";  // 514 bytes
    CHECK(Refusal(Kind::kAccountId, "x:" + wide) == "account_id identifier is longer than 512 bytes");
  }
}
