// SPDX-License-Identifier: Apache-2.0
// Canonical url signals: RFC 3986 normalisation, the scheme-based steps, IDN
// hosts, IP literals, and the many ways a URL can be malformed.
#include <doctest/doctest.h>

#include <string>

#include "canonical_forms.h"
#include "signals/canonical.h"
#include "signals/ip_address.h"

namespace {

using exchange::Result;
using exchange::signals::CanonicalizeIpv6;
using exchange::signals::IsDottedQuadIpv4;
using exchange::signals::Kind;
using exchange::testing::CheckCanonical;
using exchange::testing::CheckRefusals;

// The url forms of canonical_forms.h.
std::string Url(std::string_view raw) { return exchange::testing::Canonical(Kind::kUrl, raw); }
std::string Refusal(std::string_view raw) { return exchange::testing::Refusal(Kind::kUrl, raw); }

}  // namespace

TEST_CASE("url: the worked example from the design") {
  CHECK(Url("HTTP://Example.COM:80/a/./b/../c?%7euser#frag") == "http://example.com/a/c?~user");
}

TEST_CASE("url: scheme and host are lowercased, nothing else is") {
  CHECK(Url("HtTpS://WWW.Example.Org/Path/To/File.HTML?Q=Value") ==
        "https://www.example.org/Path/To/File.HTML?Q=Value");
  CHECK(Url("  https://example.org/x \n") == "https://example.org/x");
}

TEST_CASE("url: default ports are removed, others kept in plain decimal") {
  CheckCanonical(Kind::kUrl, {
                                 {"http://example.com:80/", "http://example.com/"},
                                 {"https://example.com:443/", "https://example.com/"},
                                 {"http://example.com:443/", "http://example.com:443/"},
                                 {"https://example.com:80/", "https://example.com:80/"},
                                 {"http://example.com:8080/x", "http://example.com:8080/x"},
                                 {"http://example.com:0080/", "http://example.com/"},
                                 {"http://example.com:08080", "http://example.com:8080/"},
                                 {"http://example.com:/", "http://example.com/"},
                                 {"http://example.com:65535/", "http://example.com:65535/"},
                             });
}

TEST_CASE("url: empty path becomes '/', query and empty query kept, fragment removed") {
  CheckCanonical(Kind::kUrl, {
                                 {"http://example.com", "http://example.com/"},
                                 {"http://example.com?a=1", "http://example.com/?a=1"},
                                 {"http://example.com#top", "http://example.com/"},
                                 {"http://example.com/?", "http://example.com/?"},
                                 {"http://example.com/#", "http://example.com/"},
                                 {"http://example.com/p?b=2&a=1#x?y", "http://example.com/p?b=2&a=1"},
                                 {"http://example.com/p?q=a/b?c", "http://example.com/p?q=a/b?c"},
                             });
}

TEST_CASE("url: percent-encoding is normalised") {
  SUBCASE("escapes of unreserved characters are decoded") {
    CHECK(Url("http://example.com/%7Euser/%41%62%2D%2e%5F") == "http://example.com/~user/Ab-._");
    CHECK(Url("http://example.com/?q=%7e%30") == "http://example.com/?q=~0");
  }
  SUBCASE("other escapes keep their meaning, with uppercase hex") {
    CheckCanonical(Kind::kUrl, {
                                   {"http://example.com/a%2fb%3f%23%25", "http://example.com/a%2Fb%3F%23%25"},
                                   {"http://example.com/?q=a%26b%3dc", "http://example.com/?q=a%26b%3Dc"},
                                   {"http://example.com/caf%c3%a9", "http://example.com/caf%C3%A9"},
                               });
  }
  SUBCASE("raw non-ASCII and disallowed ASCII are escaped, so both spellings agree") {
    CheckCanonical(Kind::kUrl, {
                                   {"http://example.com/café", "http://example.com/caf%C3%A9"},
                                   {"http://example.com/?q=日本", "http://example.com/?q=%E6%97%A5%E6%9C%AC"},
                                   {"http://example.com/a\"b<c>d^e`f{g|h}i",
                                    "http://example.com/a%22b%3Cc%3Ed%5Ee%60f%7Bg%7Ch%7Di"},
                                   {"http://example.com/?a[]=1", "http://example.com/?a%5B%5D=1"},
                               });
  }
  SUBCASE("sub-delimiters, ':' and '@' stay as they are") {
    CHECK(Url("http://example.com/!$&'()*+,;=:@?!$&'()*+,;=:@/?") ==
          "http://example.com/!$&'()*+,;=:@?!$&'()*+,;=:@/?");
  }
  SUBCASE("malformed escapes are refused") {
    CHECK(Refusal("http://example.com/100%") ==
          "url has a '%' not followed by two hex digits ('%'); write a literal '%' as %25");
    CHECK(Refusal("http://example.com/%zz") ==
          "url has a '%' not followed by two hex digits ('%zz'); write a literal '%' as %25");
    Refusal("http://example.com/%4");
    Refusal("http://example.com/?q=%g1");
    Refusal("http://ex%6gample.com/");
  }
}

TEST_CASE("url: dot segments are removed (RFC 3986 §5.2.4)") {
  CheckCanonical(Kind::kUrl, {
                                 {"http://example.com/a/b/c/./../../g", "http://example.com/a/g"},
                                 {"http://example.com/mid/content=5/../6", "http://example.com/mid/6"},
                                 {"http://example.com/../../x", "http://example.com/x"},
                                 {"http://example.com/a/..", "http://example.com/"},
                                 {"http://example.com/a/.", "http://example.com/a/"},
                                 {"http://example.com/a/./", "http://example.com/a/"},
                                 {"http://example.com/a//b/../c", "http://example.com/a//c"},
                                 {"http://example.com/a/%2E%2e/b", "http://example.com/b"},
                                 {"http://example.com/a/..b/.c", "http://example.com/a/..b/.c"},
                                 {"http://example.com/a?x=/../y", "http://example.com/a?x=/../y"},
                             });
}

TEST_CASE("url: userinfo is dropped") {
  CheckCanonical(Kind::kUrl, {
                                 {"http://user:secret@example.com/", "http://example.com/"},
                                 {"https://www.paypal.com@evil.example/login", "https://evil.example/login"},
                                 {"http://a@b@example.com/", "http://example.com/"},
                                 {"http://@example.com/", "http://example.com/"},
                             });
  CHECK(Refusal("http://user@/") == "url has no host");
}

TEST_CASE("url: IDN hosts become A-labels") {
  CheckCanonical(Kind::kUrl, {
                                 {"https://bücher.example/", "https://xn--bcher-kva.example/"},
                                 {"https://BÜCHER.example/", "https://xn--bcher-kva.example/"},
                                 {"https://b%C3%BCcher.example/", "https://xn--bcher-kva.example/"},
                                 {"http://münchen.de./Straße", "http://xn--mnchen-3ya.de/Stra%C3%9Fe"},
                                 {"http://пример.рф/", "http://xn--e1afmkfd.xn--p1ai/"},
                                 {"http://例え.テスト/", "http://xn--r8jz45g.xn--zckzah/"},
                                 {"http://xn--BCHER-kva.example/", "http://xn--bcher-kva.example/"},
                             });
}

TEST_CASE("url: host names are checked") {
  CheckCanonical(Kind::kUrl, {
                                 {"http://Example.COM./", "http://example.com/"},
                                 {"http://localhost:8080/", "http://localhost:8080/"},
                                 {"http://my_host.example.com/", "http://my_host.example.com/"},
                                 {"http://-x-.example.com/", "http://-x-.example.com/"},
                                 {"http://ex%61mple.com/", "http://example.com/"},
                             });
  CheckRefusals(
      Kind::kUrl,
      {
          {"http://example..com/", "url host has an empty label"},
          {"http://.example.com/", "url host has an empty label"},
          {"http://example.com%2F.evil.com/",
           "url host contains '/', which is not allowed in a host name (letters, digits, '_', '-' and '.' only)"},
          {"http://exa!mple.com/",
           "url host contains '!', which is not allowed in a host name (letters, digits, '_', '-' and '.' only)"},
          {"http://" + std::string(64, 'a') + ".com/",
           "url host label '" + std::string(64, 'a') + "' is longer than 63 characters"},
      });
  std::string long_host;
  for (int i = 0; i < 4; ++i) long_host += std::string(63, 'a' + i) + ".";
  long_host += "com";
  CheckRefusals(Kind::kUrl, {
                                {"http://" + long_host + "/", "url host is longer than 253 characters"},
                                {"http://ex%00ample.com/",
                                 "url host contains U+0000, which is not allowed in a host name "
                                 "(letters, digits, '_', '-' and '.' only)"},
                                {"http://%C3%28.com/", "url host is not valid UTF-8 (at byte 0)"},
                            });
}

TEST_CASE("url: IPv4 hosts must be plain dotted quads") {
  CheckCanonical(Kind::kUrl, {
                                 {"http://192.0.2.1/", "http://192.0.2.1/"},
                                 {"http://192.0.2.1:8000/x", "http://192.0.2.1:8000/x"},
                                 {"http://255.255.255.255./", "http://255.255.255.255/"},
                             });
  const std::string reason = " looks like an IPv4 address but is not four decimal numbers 0-255 without leading zeros";
  CheckRefusals(Kind::kUrl, {
                                {"http://3232235777/", "url host '3232235777'" + reason},
                                {"http://0x7f.1/", "url host '0x7f.1'" + reason},
                                {"http://0X7F000001/", "url host '0x7f000001'" + reason},
                                {"http://010.0.0.1/", "url host '010.0.0.1'" + reason},
                                {"http://256.0.0.1/", "url host '256.0.0.1'" + reason},
                                {"http://1.2.3/", "url host '1.2.3'" + reason},
                                {"http://1.2.3.4.5/", "url host '1.2.3.4.5'" + reason},
                                {"http://example.123/", "url host 'example.123'" + reason},
                            });
  // A number that is not the last label is an ordinary host name.
  CHECK(Url("http://123.example/") == "http://123.example/");
}

TEST_CASE("url: IPv6 literals are written in RFC 5952 form") {
  CheckCanonical(Kind::kUrl,
                 {
                     {"http://[2001:DB8::1]/", "http://[2001:db8::1]/"},
                     {"http://[2001:0db8:0000:0000:0000:0000:0000:0001]:8080/x", "http://[2001:db8::1]:8080/x"},
                     {"https://[::1]:443", "https://[::1]/"},
                     {"http://[::FFFF:192.0.2.1]/", "http://[::ffff:192.0.2.1]/"},
                 });
  CheckRefusals(Kind::kUrl, {
                                {"http://[::1/", "url has an IPv6 address without its closing ']'"},
                                {"http://[::1]x/", "url has characters after the IPv6 address other than a port"},
                                {"http://[fe80::1%25eth0]/", "url IPv6 zone identifiers are not supported"},
                                {"http://[v1.fe80::a]/", "url IPvFuture addresses are not supported"},
                                {"http://[1:2:3]/", "url host '1:2:3' is not a valid IPv6 address"},
                                {"http://[]/", "url host '' is not a valid IPv6 address"},
                                {"http://[::1]:99999/", "url port must be between 1 and 65535, got 99999"},
                            });
}

TEST_CASE("CanonicalizeIpv6 follows RFC 4291 text and RFC 5952 output") {
  auto canonical = [](std::string_view text) {
    Result<std::string> result = CanonicalizeIpv6(text);
    REQUIRE_MESSAGE(result.ok(), text);
    return *result;
  };
  CHECK(canonical("::") == "::");
  CHECK(canonical("0:0:0:0:0:0:0:0") == "::");
  CHECK(canonical("::1") == "::1");
  CHECK(canonical("1::") == "1::");
  CHECK(canonical("2001:db8:0:0:1:0:0:1") == "2001:db8::1:0:0:1");     // first of equal runs
  CHECK(canonical("2001:0:0:1:0:0:0:1") == "2001:0:0:1::1");           // longest run
  CHECK(canonical("2001:db8:0:1:1:1:1:1") == "2001:db8:0:1:1:1:1:1");  // never "::" for one group
  CHECK(canonical("2001:DB8:AAAA:0BBB:00cc:000d:1:ffff") == "2001:db8:aaaa:bbb:cc:d:1:ffff");
  CHECK(canonical("1:2:3:4:5:6:192.0.2.1") == "1:2:3:4:5:6:c000:201");
  CHECK(canonical("::ffff:c000:0201") == "::ffff:192.0.2.1");
  CHECK(canonical("1:2:3:4:5:6:7::") == "1:2:3:4:5:6:7:0");
  for (std::string_view bad :
       {"", ":", ":::", "1::2::3", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
        "12345::", "g::", "1.2.3.4::", "::1.2.3", "::01.2.3.4", "1:2:3:4:5:6:7:8::", "1:2:3:4:5:6:7:1.2.3.4"}) {
    CAPTURE(bad);
    CHECK_FALSE(CanonicalizeIpv6(bad).ok());
  }
  CHECK(IsDottedQuadIpv4("0.0.0.0"));
  CHECK(IsDottedQuadIpv4("255.255.255.255"));
  CHECK_FALSE(IsDottedQuadIpv4("1.2.3.04"));
  CHECK_FALSE(IsDottedQuadIpv4("1.2.3.4."));
  CHECK_FALSE(IsDottedQuadIpv4("1.2.3.-4"));
  CHECK_FALSE(IsDottedQuadIpv4("1.2.3.1000"));
}

TEST_CASE("url: schemes other than http and https are refused") {
  CheckRefusals(Kind::kUrl, {
                                {"ftp://example.com/", "url scheme must be http or https, got 'ftp'"},
                                {"JavaScript:alert(1)", "url scheme must be http or https, got 'javascript'"},
                                {"mailto:a@example.com", "url scheme must be http or https, got 'mailto'"},
                                {"example.com/path", "url has no scheme; it must start with http:// or https://"},
                                {"//example.com/", "url has no scheme; it must start with http:// or https://"},
                                {"1http://example.com/", "url has no scheme; it must start with http:// or https://"},
                                {"http:example.com", "url has no host (expected '//' after 'http:')"},
                                {"https:/example.com", "url has no host (expected '//' after 'https:')"},
                                {"http:///path", "url has no host"},
                                {"http://:80/", "url has no host"},
                                {"http://?q", "url has no host"},
                            });
}

TEST_CASE("url: bad ports") {
  CheckRefusals(Kind::kUrl, {
                                {"http://example.com:abc/", "url port must be a number, got 'abc'"},
                                {"http://example.com:-1/", "url port must be a number, got '-1'"},
                                {"http://example.com:80:80/", "url port must be a number, got '80:80'"},
                                {"http://example.com:0/", "url port must be between 1 and 65535, got 0"},
                                {"http://example.com:65536/", "url port must be between 1 and 65535, got 65536"},
                                {"http://example.com:99999999999999999999/",
                                 "url port must be between 1 and 65535, got 99999999999999999999"},
                            });
}

TEST_CASE("url: white space, control characters, backslashes and bad UTF-8 are refused") {
  CheckRefusals(Kind::kUrl,
                {
                    {"http://example.com/a b", "url contains white space (U+0020); write a space as %20"},
                    {"http://exa mple.com/", "url contains white space (U+0020); write a space as %20"},
                    {"http://example.com/a\u00a0b", "url contains white space (U+00A0); write a space as %20"},
                    {"http://example.com/a\tb", "url contains white space (U+0009); write a space as %20"},
                    {"http://example.com/a\x01"
                     "b",
                     "url contains a control character (U+0001)"},
                    {"http://example.com/\x7f", "url contains a control character (U+007F)"},
                    {"http://example.com/\u0080", "url contains a control character (U+0080)"},
                    {std::string("http://example.com/\0", 20), "value contains a NUL byte"},
                    {"http://evil.example\\@good.example/",
                     "url contains a backslash, which browsers read as '/' in http(s) URLs; write '/' or %5C"},
                    {"http://example.com/\xff", "url is not valid UTF-8 (at byte 19)"},
                    {"http://example.com/\xc0\xaf", "url is not valid UTF-8 (at byte 19)"},
                    {"", "url is empty"},
                    {" \r\n", "url is empty"},
                });
}

TEST_CASE("url: at most 8 KiB before and after normalisation") {
  const std::string prefix = "http://example.com/";
  std::string fits = prefix + std::string(8192 - prefix.size(), 'a');
  CHECK(Url(fits) == fits);
  CHECK(Refusal(fits + "a") == "url is longer than 8192 bytes");
  // Escaping non-ASCII triples its size.
  std::string grows = prefix;
  while (grows.size() < 8000) grows += "é";
  CHECK(Refusal(grows) == "url is longer than 8192 bytes once normalised");
  // Decoding shrinks it: 8 KiB of "%41" is fine.
  std::string shrinks = prefix;
  while (shrinks.size() + 3 <= 8192) shrinks += "%41";
  CHECK(Url(shrinks).size() == prefix.size() + (shrinks.size() - prefix.size()) / 3);
}

TEST_CASE("url: canonical values are fixed points") {
  for (std::string_view raw : {"HTTP://Example.COM:80/a/./b/../c?%7euser#frag", "https://bücher.example/",
                               "http://[2001:DB8::1]:8080/%7e?%aa", "http://u:p@EXAMPLE.com./x/../%2f?a%20b{}"}) {
    std::string once = Url(raw);
    CAPTURE(once);
    CHECK(Url(once) == once);
  }
  CHECK(Url("http://u:p@EXAMPLE.com./x/../%2f?a%20b{}") == "http://example.com/%2F?a%20b%7B%7D");
}
