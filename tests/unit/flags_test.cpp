#include <doctest/doctest.h>

#include <cstdlib>

#include "common/flags.h"

using exchange::ErrorCode;
using exchange::FlagSet;

TEST_CASE("flags: defaults, environment twins, then flags win") {
  std::string listen = "0.0.0.0:8443";
  int64_t workers = 8;
  std::chrono::milliseconds timeout{1000};
  bool migrate = false;
  FlagSet flags("usage: test");
  flags.String("listen", "FLAGS_TEST_LISTEN", &listen, "address");
  flags.Int("workers", "FLAGS_TEST_WORKERS", &workers, "workers");
  flags.Millis("timeout", "", &timeout, "timeout");
  flags.Bool("migrate", "", &migrate, "migrate");

  setenv("FLAGS_TEST_LISTEN", "127.0.0.1:1", 1);
  setenv("FLAGS_TEST_WORKERS", "3", 1);
  REQUIRE(flags.Parse({"--workers=5", "--timeout", "250", "--migrate", "extra"}).ok());
  CHECK(listen == "127.0.0.1:1");
  CHECK(workers == 5);
  CHECK(timeout.count() == 250);
  CHECK(migrate);
  CHECK(flags.positionals() == std::vector<std::string>{"extra"});
  unsetenv("FLAGS_TEST_LISTEN");
  unsetenv("FLAGS_TEST_WORKERS");

  std::string help = flags.Help();
  CHECK(help.find("--listen") != std::string::npos);
  CHECK(help.find("$FLAGS_TEST_LISTEN") != std::string::npos);
}

TEST_CASE("flags: unknown flags and bad values are usage errors") {
  int64_t n = 0;
  FlagSet flags("usage: test");
  flags.Int("n", "", &n, "a number");
  CHECK(flags.Parse({"--nope"}).code() == ErrorCode::kInvalidArgument);
  CHECK(flags.Parse({"--n", "12x"}).code() == ErrorCode::kInvalidArgument);
  CHECK(flags.Parse({"--n"}).code() == ErrorCode::kInvalidArgument);
  bool help = false;
  CHECK(flags.Parse({"--help"}, &help).ok());
  CHECK(help);
}

#include "common/slug.h"

TEST_CASE("slugs: lowercase letters, digits and inner '-'; some are reserved") {
  const std::string longest(63, 'x'), too_long(64, 'x');
  for (std::string_view good : {std::string_view("a"), std::string_view("alpha"), std::string_view("acme-social"),
                                std::string_view(longest)}) {
    CHECK(exchange::IsValidSlug(good));
  }
  for (std::string_view bad : {std::string_view(""), std::string_view("-a"), std::string_view("a-"),
                               std::string_view("Alpha"), std::string_view("a_b"), std::string_view("a b"),
                               std::string_view("ä"), std::string_view(too_long)}) {
    CHECK_FALSE(exchange::IsValidSlug(bad));
  }
  CHECK(exchange::IsReservedSlug("all"));
  CHECK_FALSE(exchange::IsReservedSlug("alpha"));
}
