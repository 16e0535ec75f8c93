// SPDX-License-Identifier: Apache-2.0
// exchangectl's profile file parser (clients/exchangectl/profile.h): the
// format, relative paths, and errors that name the file and the line.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "commands/profile.h"

using exchange::client::ParseProfileFile;
using exchange::client::ProfileKeys;

namespace {

std::string ErrorOf(const std::string& text) {
  auto parsed = ParseProfileFile(text, "/etc/x/config");
  return parsed.ok() ? "" : parsed.status().message();
}

}  // namespace

TEST_CASE("profiles: sections, keys, comments, relative paths") {
  setenv("HOME", "/home/m", 1);
  auto file = ParseProfileFile(
      "# a comment\n"
      "\n"
      "[profile alpha]\n"
      "server = https://a.example:8443  \n"
      "  ca=ca.pem\n"
      "cert = ~/alpha/cert.pem\n"
      "key = /abs/alpha.key\r\n"
      "feed-vkey = k+1+AA==,f+2+BB==\n"
      "[ profile  beta.2 ]\n"
      "timeout = 5000\n"
      "report-key = keys/report.pub.pem\n",
      "/etc/x/config");
  REQUIRE(file.ok());
  REQUIRE(file->profiles.size() == 2);
  const auto* alpha = file->Find("alpha");
  REQUIRE(alpha != nullptr);
  CHECK(alpha->line == 3);
  CHECK(alpha->settings.at("server").value == "https://a.example:8443");
  CHECK(alpha->settings.at("server").line == 4);
  CHECK(alpha->settings.at("ca").value == "/etc/x/ca.pem");
  CHECK(alpha->settings.at("cert").value == "/home/m/alpha/cert.pem");
  CHECK(alpha->settings.at("key").value == "/abs/alpha.key");
  CHECK(alpha->settings.at("feed-vkey").value == "k+1+AA==,f+2+BB==");  // not a path: as written
  const auto* beta = file->Find("beta.2");
  REQUIRE(beta != nullptr);
  CHECK(beta->settings.at("timeout").value == "5000");
  CHECK(beta->settings.at("report-key").value == "/etc/x/keys/report.pub.pem");
  CHECK(file->Find("gamma") == nullptr);
  CHECK(file->Names() == "alpha, beta.2");
}

TEST_CASE("profiles: errors name the file and the line") {
  CHECK(ErrorOf("[profile a]\nserver = x\nsevrer = y\n").rfind("/etc/x/config:3: unknown key 'sevrer'", 0) == 0);
  CHECK(ErrorOf("server = x\n") == "/etc/x/config:1: 'server' comes before any [profile NAME] section");
  CHECK(ErrorOf("[profile a]\nserver = x\nserver = y\n") ==
        "/etc/x/config:3: 'server' is given twice in profile 'a' (first on line 2)");
  CHECK(ErrorOf("[profile a]\n[profile a]\n") == "/etc/x/config:2: profile 'a' is defined twice (first on line 1)");
  CHECK(ErrorOf("[profile a]\nserver =\n") == "/etc/x/config:2: 'server' has no value");
  CHECK(ErrorOf("[profile a]\njust words\n") == "/etc/x/config:2: expected key = value");
  CHECK(ErrorOf("[alpha]\n").rfind("/etc/x/config:1: expected [profile NAME]", 0) == 0);
  CHECK(ErrorOf("[profile a b]\n").rfind("/etc/x/config:1: a profile name is", 0) == 0);
  CHECK(ErrorOf("[profile a\n") == "/etc/x/config:1: a section header ends with ']'");
  CHECK(ErrorOf(std::string(2 << 20, '#')) == "/etc/x/config: larger than 1 MiB");
}

TEST_CASE("profiles: every key is a connection setting with its environment twin") {
  for (const auto& key : ProfileKeys()) {
    CHECK(std::string(key.env).rfind("EXCHANGECTL_", 0) == 0);
    CHECK(ErrorOf(std::string("[profile a]\n") + key.name + " = v\n") == "");
  }
  CHECK(ProfileKeys().size() == 10);  // witness-policy is the tenth
}
