// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/flags.h"

using exchange::ErrorCode;
using exchange::FlagSet;
using exchange::Status;

namespace {

// The flags the precedence tests share: --listen and --workers with
// environment twins, and --migrate; each test declares more.
struct ServerFlags {
  std::string listen = "0.0.0.0:8443";
  int64_t workers = 8;
  bool migrate = false;
  FlagSet flags{"usage: test"};

  ServerFlags() {
    flags.String("listen", "FLAGS_TEST_LISTEN", &listen, "address");
    flags.Int("workers", "FLAGS_TEST_WORKERS", &workers, "workers");
    flags.Bool("migrate", "", &migrate, "migrate");
  }
};

}  // namespace

TEST_CASE_FIXTURE(ServerFlags, "flags: defaults, environment twins, then flags win") {
  std::chrono::milliseconds timeout{1000};
  flags.Millis("timeout", "", &timeout, "timeout");

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

// A configuration file in the temporary directory, removed at the end of the test.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) {
    std::string name = "/tmp/flags_test_config" + std::string(6, 'X');  // mkstemp fills in the X characters
    const int fd = mkstemp(name.data());
    REQUIRE(fd >= 0);
    path_ = name;
    REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    close(fd);
  }
  ~ConfigFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST_CASE_FIXTURE(ServerFlags, "flags: a configuration file sits below the environment and the command line") {
  std::string name = "exchange.example", database = "unset";
  int64_t threads = 2;
  flags.String("name", "", &name, "name");
  flags.String("database", "FLAGS_TEST_DATABASE", &database, "database");
  flags.Int("io-threads", "", &threads, "threads");
  flags.ConfigFile("config", "FLAGS_TEST_CONFIG", false, "file");

  ConfigFile file(
      "# exchanged.conf\n"
      "\n"
      "listen = 127.0.0.1:9000\n"
      "  workers=3  \n"
      "database = postgresql://u@db/exchange?sslmode=require#not-a-comment\n"
      "migrate = true\r\n"
      "io-threads = 4\n");
  setenv("FLAGS_TEST_WORKERS", "5", 1);
  REQUIRE(flags.Parse({"--config", file.path(), "--io-threads=6", "pos"}).ok());
  unsetenv("FLAGS_TEST_WORKERS");
  CHECK(listen == "127.0.0.1:9000");                                              // file over default
  CHECK(workers == 5);                                                            // environment over file
  CHECK(threads == 6);                                                            // command line over file
  CHECK(database == "postgresql://u@db/exchange?sslmode=require#not-a-comment");  // the whole rest of the line
  CHECK(migrate);
  CHECK(name == "exchange.example");  // not in the file: the default
  CHECK(flags.positionals() == std::vector<std::string>{"pos"});

  // The file named by the environment variable; a flag still wins over both.
  setenv("FLAGS_TEST_CONFIG", file.path().c_str(), 1);
  setenv("FLAGS_TEST_LISTEN", "127.0.0.1:1", 1);
  workers = 8;
  REQUIRE(flags.Parse({"--listen=127.0.0.1:2"}).ok());
  unsetenv("FLAGS_TEST_CONFIG");
  unsetenv("FLAGS_TEST_LISTEN");
  CHECK(listen == "127.0.0.1:2");
  CHECK(workers == 3);

  CHECK(flags.Help().find("--config FILE") != std::string::npos);
}

TEST_CASE("flags: a bad configuration file is a usage error naming the line") {
  std::string database;
  int64_t workers = 0;
  auto parse = [&](const std::string& text, bool ignore_unknown) {
    FlagSet flags("usage: test");
    flags.String("database", "", &database, "database");
    flags.Int("workers", "", &workers, "workers");
    flags.ConfigFile("config", "", ignore_unknown, "file");
    ConfigFile file(text);
    Status s = flags.Parse({"--config", file.path()});
    if (!s.ok()) CHECK(s.message().find(file.path()) != std::string::npos);
    return s;
  };
  CHECK(parse("database = a\nworkers = 2\n", false).ok());
  CHECK(workers == 2);

  Status unknown = parse("database = a\nlisten = b\n", false);
  CHECK(unknown.code() == ErrorCode::kInvalidArgument);
  CHECK(unknown.message().find(":2: unknown key 'listen'") != std::string::npos);
  // A command that shares the file takes its own keys and leaves the others.
  database.clear();
  CHECK(parse("listen = b\ndatabase = a\n", true).ok());
  CHECK(database == "a");

  CHECK(parse("workers = 2\nworkers = 3\n", true).message().find(":2: 'workers' is given twice") != std::string::npos);
  CHECK(parse("workers 2\n", false).message().find(":1: expected key = value") != std::string::npos);
  CHECK(parse("\n# c\nworkers = two\n", false).message().find(":3: --workers wants a whole number") !=
        std::string::npos);
  CHECK(parse("config = /etc/other.conf\n", true).code() == ErrorCode::kInvalidArgument);

  FlagSet flags("usage: test");
  flags.ConfigFile("config", "", false, "file");
  Status missing = flags.Parse({"--config", "/nonexistent/exchanged.conf"});
  CHECK(missing.code() == ErrorCode::kInvalidArgument);
  CHECK(missing.message().find("cannot read /nonexistent/exchanged.conf") != std::string::npos);
}

#include "common/slug.h"

TEST_CASE("slugs: lowercase letters, digits and inner '-'; some are reserved") {
  const std::string longest(63, 'x'), too_long(64, 'x');
  for (std::string_view good :
       {std::string_view("a"), std::string_view("alpha"), std::string_view("acme-social"), std::string_view(longest)}) {
    CHECK(exchange::IsValidSlug(good));
  }
  for (std::string_view bad :
       {std::string_view(""), std::string_view("-a"), std::string_view("a-"), std::string_view("Alpha"),
        std::string_view("a_b"), std::string_view("a b"), std::string_view("ä"), std::string_view(too_long)}) {
    CHECK_FALSE(exchange::IsValidSlug(bad));
  }
  CHECK(exchange::IsReservedSlug("all"));
  CHECK_FALSE(exchange::IsReservedSlug("alpha"));
}

TEST_CASE("flags: Set puts a value between the default and the environment") {
  std::string server = "built-in", ca = "built-in", cert = "built-in";
  FlagSet flags("usage: test");
  flags.String("server", "FLAGS_TEST_SET_SERVER", &server, "server");
  flags.String("ca", "", &ca, "ca");
  flags.String("cert", "", &cert, "cert");
  CHECK(flags.Has("ca"));
  CHECK_FALSE(flags.Has("report-key"));
  CHECK(flags.Set("report-key", "x").code() == ErrorCode::kInvalidArgument);
  REQUIRE(flags.Set("server", "from-profile").ok());
  REQUIRE(flags.Set("ca", "from-profile").ok());
  REQUIRE(flags.Set("cert", "from-profile").ok());
  setenv("FLAGS_TEST_SET_SERVER", "from-env", 1);
  REQUIRE(flags.Parse({"--ca", "from-flag"}).ok());
  unsetenv("FLAGS_TEST_SET_SERVER");
  CHECK(server == "from-env");
  CHECK(ca == "from-flag");
  CHECK(cert == "from-profile");
  CHECK(flags.Help().find("(default: built-in)") != std::string::npos);  // --help shows the built-in default
}

namespace {

// Runs `parse` on `flags` in a child process, as a command would; returns
// its exit status (-1: returned to the command) and what it printed.
struct Outcome {
  int exit_code = -1;
  std::string out, reported;
};

Outcome ParseInChild(FlagSet& flags, const std::vector<std::string>& args) {
  int out_pipe[2], report_pipe[2];
  REQUIRE(pipe(out_pipe) == 0);
  REQUIRE(pipe(report_pipe) == 0);
  std::fflush(stdout);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    flags.ParseOrExit(args, [&](const Status& s) {
      const std::string text = s.message();
      (void)!write(report_pipe[1], text.data(), text.size());
    });
    std::fflush(stdout);
    _exit(99);  // returned: the command would run
  }
  close(out_pipe[1]);
  close(report_pipe[1]);
  auto drain = [](int fd) {
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
    close(fd);
    return text;
  };
  Outcome outcome;
  outcome.out = drain(out_pipe[0]);
  outcome.reported = drain(report_pipe[0]);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  outcome.exit_code = WEXITSTATUS(status) == 99 ? -1 : WEXITSTATUS(status);
  return outcome;
}

}  // namespace

TEST_CASE("ParseOrExit: a usage error is reported and exits 2, --help prints help and exits 0") {
  std::string name;
  FlagSet flags("usage: test NAME");
  flags.String("name", "", &name, "a name");

  const Outcome bad = ParseInChild(flags, {"--nope"});
  CHECK(bad.exit_code == exchange::kExitUsage);
  CHECK(bad.reported == "unknown flag --nope (see --help)");
  CHECK(bad.out.empty());

  const Outcome help = ParseInChild(flags, {"--help"});
  CHECK(help.exit_code == exchange::kExitOk);
  CHECK(help.out == flags.Help());
  CHECK(help.reported.empty());

  // A usage error wins over --help, as scripts that pass both expect.
  CHECK(ParseInChild(flags, {"--help", "--name"}).exit_code == exchange::kExitUsage);

  const Outcome fine = ParseInChild(flags, {"--name", "x"});
  CHECK(fine.exit_code == -1);
  CHECK(fine.out.empty());
}

TEST_CASE("ExitCode: ok 0, InvalidArgument 2, any other error 1") {
  CHECK(exchange::ExitCode(Status::Ok()) == 0);
  CHECK(exchange::ExitCode(Status::InvalidArgument("--database is required")) == 2);
  CHECK(exchange::ExitCode(Status::Unavailable("database unreachable")) == 1);
  CHECK(exchange::ExitCode(Status::PermissionDenied("no")) == 1);
}
