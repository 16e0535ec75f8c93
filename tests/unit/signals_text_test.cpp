// SPDX-License-Identifier: Apache-2.0
// Canonical text-like signals: host names (UTS #46), keywords (NFKC_Casefold),
// account ids, public suffixes, look-alike skeletons and the match rule.
// signals_reference_test.py checks hundreds more against independent references.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "canonical_forms.h"
#include "signals/canonical.h"
#include "signals/look_alike.h"
#include "signals/match_rule.h"
#include "signals/public_suffix.h"
#include "signals/stored_value.h"
#include "signals/utf8.h"

namespace {

using namespace exchange;
using namespace exchange::signals;
using namespace exchange::testing;

}  // namespace

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
  CheckCanonical(Kind::kDomain, {
                                    {"Example.COM", "example.com"},
                                    {"  example.com.\n", "example.com"},
                                    {"münchen.de.", "xn--mnchen-3ya.de"},
                                    {"MÜNCHEN.DE", "xn--mnchen-3ya.de"},
                                    {"bücher.example", "xn--bcher-kva.example"},
                                    {"пример.РФ", "xn--e1afmkfd.xn--p1ai"},
                                    {"ελληνικά.gr", "xn--hxargifdar.gr"},
                                    {"例え。テスト", "xn--r8jz45g.xn--zckzah"},  // ideographic full stop
                                    {"XN--MNCHEN-3YA.de", "xn--mnchen-3ya.de"},
                                    {"a-b.c0.example", "a-b.c0.example"},
                                    {"1password.com", "1password.com"},
                                });
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
  CheckRefusals(
      Kind::kDomain,
      {
          {"", "domain is empty"},
          {".", "domain is empty"},
          {"com", "domain 'com' has a single label; a top-level domain alone is too broad to share"},
          {"example..com", "domain has an empty label"},
          {".example.com", "domain has an empty label"},
          {"example.com..", "domain has an empty label"},
          {"-example.com", "domain label '-example' starts or ends with '-'"},
          {"example-.com", "domain label 'example-' starts or ends with '-'"},
          {"my_host.example.com", "domain contains '_'" + chars},
          {"exa mple.com", "domain contains U+0020" + chars},
          {"*.example.com", "domain contains '*'" + chars},
          {"example.com:443", "domain contains ':'" + chars},
          {"user@example.com", "domain contains '@'" + chars},
          {"https://example.com/", "domain must be a bare host name, not a URL or path"},
          {"example.com/path", "domain must be a bare host name, not a URL or path"},
          {"exa\u00A0mple.com", "domain contains U+00A0"},
          {"exa\u0085mple.com", "domain contains U+0085"},
          {"bad\xC3.com", "domain is not valid UTF-8 (at byte 3)"},
          {std::string(64, 'a') + ".com", "domain label '" + std::string(64, 'a') + "' is longer than 63 characters"},
          // 60 characters, but longer than 63 once written as an A-label.
          {"ü" + std::string(59, 'a') + ".de",
           "domain label 'xn--" + std::string(59, 'a') + "-ucg' is longer than 63 characters"},
      });
  // 57 of one non-ASCII letter encode compactly and just fit.
  std::string same;
  for (int i = 0; i < 57; ++i) same += "ü";
  CHECK(Canonical(Kind::kDomain, same + ".de") == "xn--tda" + std::string(56, 'a') + ".de");
  std::string too_long;
  for (int i = 0; i < 4; ++i) too_long += std::string(62, static_cast<char>('a' + i)) + ".";
  too_long += "com";
  CHECK(Refusal(Kind::kDomain, too_long) == "domain is longer than 253 characters");
  const std::string numeric = "ends in a number; an IP address is not a domain (submit it as a url)";
  CheckRefusals(Kind::kDomain, {
                                   {"192.0.2.1", "domain " + numeric},
                                   {"example.0x1f", "domain " + numeric},
                                   {"[::1]", "domain contains '['" + chars},
                               });
}

TEST_CASE("keyword: NFKC_Casefold, white space collapsed, at most 1 KiB") {
  CheckCanonical(Kind::kKeyword, {
                                     {"  Grooming TALK\u00a0", "grooming talk"},
                                     {"ΣΊΣΥΦΟΣ", "σίσυφοσ"},
                                     {"\u3000\u2003Straße\u2009\u200A", "strasse"},  // full folding: ß -> ss
                                     {"\t\n\u0085\u1680\u2028\u2029\u202F\u205Fx\r\n", "x"},
                                     {"ПРИВЕТ Мир", "привет мир"},
                                     {"Ǆ\u00C9", "dž\u00E9"},  // compatibility decomposition, then folding
                                     {"a  b\t\nc", "a b c"},   // white space collapsed
                                     {"emoji 😀 OK", "emoji 😀 ok"},
                                     {"\u212Aill", "kill"},                       // Kelvin sign
                                     {"ＧＲＯＯＭＩＮＧ talk", "grooming talk"},  // fullwidth (the issue's case)
                                     {"cafe\u0301", Canonical(Kind::kKeyword, "caf\u00e9")},  // NFD = NFC
                                     {"ՀԱՅԱՍՏԱՆ", "հայաստան"},                                // Armenian capitals
                                     {"gro\u00ADom\u200Bing", "grooming"},  // soft hyphen, zero-width space
                                     {"İ", "i\u0307"},                      // no Turkic folding: locale-independent
                                     {"ı", "ı"},
                                 });

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
  CheckRefusals(Kind::kKeyword, {
                                    {"", "keyword is empty"},
                                    {" \u00A0\u3000\t", "keyword is empty"},
                                    {"\u00AD\u200B", "keyword is empty"},  // only default-ignorables
                                    {"a\x1b[0mb", "keyword contains a control character (U+001B)"},
                                    {"a\x7f", "keyword contains a control character (U+007F)"},
                                    {"a\u009Fb", "keyword contains a control character (U+009F)"},
                                    {std::string("a\0b", 3), "value contains a NUL byte"},
                                    {"caf\xC3", "keyword is not valid UTF-8 (at byte 3)"},
                                    {"\xC0\xA0x", "keyword is not valid UTF-8 (at byte 0)"},         // overlong space
                                    {"x\xED\xA0\x80", "keyword is not valid UTF-8 (at byte 1)"},     // surrogate
                                    {"\xF4\x90\x80\x80", "keyword is not valid UTF-8 (at byte 0)"},  // > U+10FFFF
                                });
}

TEST_CASE("domain: the issue's spellings land on what browsers open") {
  CheckCanonical(Kind::kDomain, {
                                    {"ＥＸＡＭＰＬＥ.com", "example.com"},
                                    {"ex\u00ADample.com", "example.com"},
                                    {"ex\u200Bample.com", "example.com"},
                                    {"mu\u0308nchen.de", "xn--mnchen-3ya.de"},
                                    {"ĐẠI.vn", "xn--i-kia818t.vn"},
                                    {"faß.de", "xn--fa-hia.de"},  // non-transitional
                                });
  // Non-transitional: final sigma is kept, so upper case (which folds to σ) is another name, as in browsers.
  CHECK(Canonical(Kind::kDomain, "ξένος.gr") != Canonical(Kind::kDomain, "ΞΈΝΟΣ.gr"));
  CHECK(Canonical(Kind::kDomain, "ΞΈΝΟΣ.gr") == Canonical(Kind::kDomain, "ξένοσ.gr"));
  CHECK(Canonical(Kind::kDomain, "example\uFF0Ecom\uFF61") == "example.com");
}

TEST_CASE("domain: IDNA rules refuse what browsers refuse") {
  CheckRefusals(
      Kind::kDomain,
      {
          {"xn--ab.com", "domain has an 'xn--' label that is not valid punycode for a valid Unicode label"},
          {"a\u200Db.com", "domain has a zero-width joiner or non-joiner where IDNA (RFC 5892) does not allow one"},
          {"a\u05D0.com",
           "domain mixes right-to-left and left-to-right text in a way the IDNA bidi rule (RFC 5893) forbids"},
          {"\u0301a.com", "domain has a label that starts with a combining mark"},
          {"-münchen.de", "domain has a label that starts or ends with '-'"},
      });
  CHECK(Canonical(Kind::kDomain, "\u05E2\u05D1\u05E8\u05D9\u05EA.example") == "xn--5dbqzzl.example");
}

TEST_CASE("domain: public suffixes are refused; the registrable domain is known") {
  for (std::string_view suffix :
       {"co.uk", "github.io", "blogspot.com", "CO.UK", "ｃｏ．ｕｋ", "com.au", "s3.amazonaws.com"}) {
    CAPTURE(suffix);
    std::string reason = Refusal(Kind::kDomain, suffix);
    CHECK(reason.find("is a public suffix (publicsuffix.org)") != std::string::npos);
  }
  CHECK(Canonical(Kind::kDomain, "example.co.uk") == "example.co.uk");
  CHECK(Canonical(Kind::kDomain, "someone.github.io") == "someone.github.io");
  CHECK(Canonical(Kind::kAccountId, "email:x@gov.uk") == "email:x@gov.uk");  // mail may go to a suffix
  CHECK(exchange::signals::RegistrableDomain("a.b.example.co.uk") == "example.co.uk");
  CHECK(exchange::signals::RegistrableDomain("x.github.io") == "x.github.io");
  CHECK_FALSE(exchange::signals::RegistrableDomain("co.uk").has_value());
  CHECK(exchange::signals::ParentDomainsToMatch("a.b.example.co.uk") ==
        std::vector<std::string>{"b.example.co.uk", "example.co.uk"});
  CHECK(exchange::signals::ParentDomainsToMatch("deep.someone.github.io") ==
        std::vector<std::string>{"someone.github.io"});
  CHECK(exchange::signals::ParentDomainsToMatch("example.com").empty());
}

TEST_CASE("look-alike skeletons: confusable spellings share one, different words do not") {
  auto same = [](Kind kind, std::string_view a, std::string_view b) {
    return LookAlikeSkeleton(kind, Canonical(kind, a)) == LookAlikeSkeleton(kind, Canonical(kind, b));
  };
  CHECK(same(Kind::kDomain, "paypal.com", "p\u0430ypal.com"));  // Cyrillic а
  CHECK(same(Kind::kDomain, "apple.com", "\u0430\u0440\u0440l\u0435.com"));
  CHECK(same(Kind::kDomain, "microsoft.com", "rnicrosoft.com"));
  CHECK(same(Kind::kKeyword, "paypal", "p\u0430yp\u0430l"));
  CHECK(same(Kind::kKeyword, "grooming", "gr\u043E\u043Eming"));  // Cyrillic о
  CHECK(same(Kind::kUrl, "https://paypal.com/login", "https://p\u0430ypal.com/login"));
  CHECK_FALSE(same(Kind::kDomain, "paypal.com", "paypa1.org"));
  CHECK_FALSE(same(Kind::kKeyword, "grooming", "growing"));
  CHECK_FALSE(same(Kind::kUrl, "https://paypal.com/a", "https://paypal.com/b"));
  CHECK(LookAlikeSkeleton(Kind::kMd5, std::string(32, 'a')).empty());
  CHECK(LookAlikeSkeleton(Kind::kAccountId, "x:y").empty());
}

namespace {

// A collection held in memory, for the match rule.
class MemoryIndex final : public exchange::signals::SignalIndex {
 public:
  explicit MemoryIndex(Kind kind, std::vector<std::string> values) : kind_(kind), values_(std::move(values)) {}
  Result<std::vector<std::string>> FindValues(Kind kind, const std::vector<std::string>& wanted) override {
    std::vector<std::string> out;
    for (const auto& v : values_) {
      if (kind == kind_ && std::find(wanted.begin(), wanted.end(), v) != wanted.end()) out.push_back(v);
    }
    return out;
  }
  Result<std::vector<std::string>> FindSkeletons(Kind kind, const std::vector<std::string>& skeletons) override {
    std::vector<std::string> out;
    for (const auto& v : values_) {
      auto s = LookAlikeSkeleton(kind, v);
      if (kind == kind_ && std::find(skeletons.begin(), skeletons.end(), s) != skeletons.end()) out.push_back(v);
    }
    return out;
  }

 private:
  Kind kind_;
  std::vector<std::string> values_;
};

std::string Matches(Kind kind, std::vector<std::string> stored, std::string_view query) {
  std::vector<std::string> canonical;
  for (const auto& v : stored) canonical.push_back(Canonical(kind, v));
  MemoryIndex index(kind, canonical);
  auto found = exchange::signals::FindMatches(kind, Canonical(kind, query), index);
  REQUIRE(found.ok());
  std::string out;
  for (const auto& m : *found)
    out += (out.empty() ? "" : " ") + std::string(exchange::signals::MatchTypeName(m.type)) + ":" + m.value;
  return out;
}

}  // namespace

TEST_CASE("the match rule: exact, parent domain up to the registrable domain, look-alike") {
  CHECK(Matches(Kind::kDomain, {"example.com"}, "EXAMPLE.com") == "exact:example.com");
  CHECK(Matches(Kind::kDomain, {"example.com", "b.example.com"}, "a.b.example.com") ==
        "parent_domain:b.example.com parent_domain:example.com");
  CHECK(Matches(Kind::kDomain, {"example.co.uk"}, "www.example.co.uk") == "parent_domain:example.co.uk");
  CHECK(Matches(Kind::kDomain, {"someone.github.io"}, "other.github.io").empty());
  CHECK(Matches(Kind::kDomain, {"paypal.com"}, "p\u0430ypal.com") == "look_alike:paypal.com");
  CHECK(Matches(Kind::kDomain, {"paypal.com"}, "login.p\u0430ypal.com") == "look_alike:paypal.com");
  CHECK(Matches(Kind::kDomain, {"paypal.com", "p\u0430ypal.com"}, "paypal.com") ==
        "exact:paypal.com look_alike:xn--pypal-4ve.com");
  CHECK(Matches(Kind::kKeyword, {"grooming talk"}, "GR\u041E\u041EMING TALK") == "look_alike:grooming talk");
  CHECK(Matches(Kind::kKeyword, {"grooming talk"}, "ＧＲＯＯＭＩＮＧ talk") == "exact:grooming talk");
  CHECK(Matches(Kind::kUrl, {"https://paypal.com/x"}, "https://p\u0430ypal.com/x") ==
        "look_alike:https://paypal.com/x");
  CHECK(Matches(Kind::kMd5, {std::string(32, 'a')}, std::string(32, 'A')) == "exact:" + std::string(32, 'a'));
}

TEST_CASE("account_id: platform:identifier") {
  CheckCanonical(Kind::kAccountId, {
                                       {"email:Alice@Example.COM", "email:alice@example.com"},
                                       {"Twitter:@SomeUser", "twitter:@SomeUser"},
                                       {"  Discord : SomeUser#1234 \u00A0", "discord:SomeUser#1234"},
                                       {"my.platform_2-x:ID", "my.platform_2-x:ID"},
                                       {"matrix:@alice:example.org", "matrix:@alice:example.org"},
                                       {"telegram:Name With Spaces", "telegram:Name With Spaces"},
                                       {"vk:Иван", "vk:Иван"},
                                   });

  SUBCASE("e-mail addresses are lowercased and their domain made an A-label") {
    CheckCanonical(Kind::kAccountId, {
                                         {"Email:ÉLODIE@Bücher.Example", "email:élodie@xn--bcher-kva.example"},
                                         {"email:ＡＬＩＣＥ@ＥＸＡＭＰＬＥ.com", "email:alice@example.com"},
                                         {"facebook:John.Doe@Example.com.", "facebook:john.doe@example.com"},
                                         // Not e-mail addresses: no local part, two '@', a domain that is not one.
                                         {"instagram:@Some.User", "instagram:@Some.User"},
                                         {"x:A@B@Example.com", "x:A@B@Example.com"},
                                         {"telegram:User@Bot", "telegram:User@Bot"},
                                         {"x:User@", "x:User@"},
                                     });
  }
  SUBCASE("malformed ids") {
    CheckRefusals(Kind::kAccountId,
                  {
                      {"", "account_id must be platform:identifier (no ':' found)"},
                      {"SomeUser", "account_id must be platform:identifier (no ':' found)"},
                      {":SomeUser", "account_id platform is empty"},
                      {"twitter:", "account_id identifier is empty"},
                      {"twitter:  \u3000", "account_id identifier is empty"},
                      {"twit ter:x",
                       "account_id platform contains U+0020; only letters a-z, digits, '.', '_' and '-' are allowed"},
                      {"twïtter:x",
                       "account_id platform contains U+00EF; only letters a-z, digits, '.', '_' and '-' are allowed"},
                      {std::string(65, 'p') + ":x", "account_id platform is longer than 64 characters"},
                  });
    CHECK(Canonical(Kind::kAccountId, std::string(64, 'P') + ":x") == std::string(64, 'p') + ":x");
    CheckRefusals(
        Kind::kAccountId,
        {
            {"twitter:a\tb", "account_id identifier contains a control character (U+0009)"},
            {"twitter:a\u009Fb", "account_id identifier contains a control character (U+009F)"},
            {std::string("twitter:a\0b", 11), "value contains a NUL byte"},
            {"twitter:\xFF", "account_id is not valid UTF-8 (at byte 8)"},
            {"email:alice", "account_id with platform 'email' must be an e-mail address (local@example.com)"},
            {"email:alice@localhost", "account_id with platform 'email' must be an e-mail address (local@example.com)"},
        });
  }
  SUBCASE("the identifier is at most 512 bytes") {
    CHECK(Canonical(Kind::kAccountId, "x:" + std::string(512, 'i')) == "x:" + std::string(512, 'i'));
    CHECK(Refusal(Kind::kAccountId, "x:" + std::string(513, 'i')) == "account_id identifier is longer than 512 bytes");
    std::string wide;
    for (int i = 0; i < 257; ++i) wide += "é";  // 514 bytes
    CHECK(Refusal(Kind::kAccountId, "x:" + wide) == "account_id identifier is longer than 512 bytes");
  }
}

TEST_CASE("values stored under the version 1 rules are brought to the current ones") {
  using exchange::signals::RecanonicalizeStored;
  struct Case {
    Kind kind;
    std::string stored;
    std::string now;
  };
  const std::vector<Case> cases = {
      {Kind::kDomain, "xn--ph7chab1aes7c.com", "example.com"},     // fullwidth EXAMPLE, as version 1 wrote it
      {Kind::kDomain, "xn--example-mka.com", "example.com"},       // with a soft hyphen
      {Kind::kDomain, "xn--munchen-gie.de", "xn--mnchen-3ya.de"},  // NFD
      {Kind::kDomain, "xn--i-kia518t.vn", "xn--i-kia818t.vn"},     // ĐẠI, decomposed differently
      {Kind::kDomain, "example.com", "example.com"},
      {Kind::kUrl, "https://xn--ph7chab1aes7c.com/login?a=b", "https://example.com/login?a=b"},
      {Kind::kUrl, "http://xn--example-mka.com:8080/", "http://example.com:8080/"},
      {Kind::kAccountId, "email:alice@xn--ph7chab1aes7c.com", "email:alice@example.com"},
      {Kind::kKeyword, "\uFF47\uFF52\uFF4F\uFF4F\uFF4D\uFF49\uFF4E\uFF47 talk", "grooming talk"},
      {Kind::kKeyword, "gro\u00ADoming  talk", "grooming talk"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.stored);
    auto now = RecanonicalizeStored(c.kind, c.stored);
    REQUIRE_MESSAGE(now.ok(), now.status().ToString());
    CHECK(*now == c.now);
  }
  CHECK(RecanonicalizeStored(Kind::kDomain, "co.uk").status().message().find("public suffix") != std::string::npos);
  CHECK(RecanonicalizeStored(Kind::kDomain, "xn--ab.com").status().message() ==
        "domain has an 'xn--' label that is not valid punycode for a valid Unicode label");
}
