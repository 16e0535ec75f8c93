// SPDX-License-Identifier: Apache-2.0
// The real `exchangectl witness` process over plain HTTP: keygen, a first
// checkpoint cosigned (the cosignature verifies under the printed key), an
// extension cosigned, a fork at the same size refused with 409 "3\n", the
// wrong method and path, an oversized body; then a SIGKILL between
// persisting and answering (the pause test hook) and a restart that refuses
// a different root for the size it persisted. Checkpoints come from real
// leaves signed with a real log key (exchange_log); no exchanged is needed.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "log/checkpoint.h"
#include "log/cosignature.h"
#include "log/hash.h"
#include "log/merkle.h"
#include "log/signed_note.h"
#include "log/witness.h"
#include "process.h"
#include "test_exchange.h"
#include "witnessed_log.h"

namespace {

using namespace exchange;
using namespace exchange::log;
using testing::ChildProcess;

constexpr std::string_view kOrigin = testing::kWitnessedOrigin;

using TestLog = testing::WitnessedLog;

struct Reply {
  int status = 0;
  std::string body;
};

// One request on a fresh connection (Connection: close); status 0 when the
// connection failed or was closed before an answer.
Reply Send(int port, const std::string& method, const std::string& target, const std::string& body) {
  Reply reply;
  const int fd = testing::ConnectLoopback(port);
  if (fd < 0) return reply;
  const std::string request = method + " " + target + " HTTP/1.1\r\nHost: witness\r\nConnection: close\r\n" +
                              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string raw;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) raw.append(buf, static_cast<size_t>(n));
  close(fd);
  const size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return reply;
  reply.status = std::stoi(raw.substr(9, 3));
  reply.body = raw.substr(head_end + 4);
  return reply;
}

// A 409: the checkpoint does not extend the one recorded, whose size the body gives.
void CheckConflict(const Reply& reply, const std::string& recorded_size) {
  CHECK(reply.status == 409);
  CHECK(reply.body == recorded_size);
}

std::unique_ptr<ChildProcess> StartWitness(const std::string& dir, const TestLog& log, int port, int run,
                                           const std::vector<std::string>& env = {}) {
  auto child = std::make_unique<ChildProcess>(
      std::vector<std::string>{testing::BinDir() + "/exchangectl", "witness", "serve", "--state", dir + "/state",
                               "--key", dir + "/witness.key", "--listen", "127.0.0.1:" + std::to_string(port), "--log",
                               std::string(kOrigin) + "=" + log.key.verifier().VerifierKey()},
      env, dir + "/witness" + std::to_string(run) + ".log");
  for (int i = 0; i < 200; ++i) {
    if (Send(port, "GET", "/", "").status == 404) return child;
    REQUIRE_MESSAGE(child->Running(), child->Log());
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  FAIL("the witness did not start: " << child->Log());
  return child;
}

}  // namespace

TEST_CASE("exchangectl witness cosigns extensions, refuses forks, and keeps its word across a SIGKILL") {
  testing::TempDir dir;
  auto keygen = testing::RunCommand(testing::BinDir() + "/exchangectl witness keygen --name witness.test/w1 --out " +
                                    dir.path() + "/witness.key");
  REQUIRE(keygen.exit_code == 0);
  std::string vkey = keygen.output;
  while (!vkey.empty() && vkey.back() == '\n') vkey.pop_back();
  const Verifier witness_key = Verifier::Parse(vkey).value();
  CHECK(witness_key.type() == KeyType::kCosignatureV1);
  CHECK((std::filesystem::status(dir.path() + "/witness.key").permissions() & std::filesystem::perms::group_read) ==
        std::filesystem::perms::none);

  TestLog log;
  log.Grow(5, "a");
  const int port = testing::FreePort();
  auto witness = StartWitness(dir.path(), log, port, 1);

  Reply first = Send(port, "POST", "/add-checkpoint", log.Body(0, 1));
  REQUIRE_MESSAGE(first.status == 200, first.body);
  CHECK(VerifyCosignature(log.At(1).Format(), first.body, witness_key).ok());
  CHECK(std::filesystem::exists(dir.path() + "/state/exchange.test%2Fc1.checkpoint"));

  Reply third = Send(port, "POST", "/add-checkpoint", log.Body(1, 3));
  REQUIRE_MESSAGE(third.status == 200, third.body);
  CHECK(VerifyCosignature(log.At(3).Format(), third.body, witness_key).ok());

  const TestLog fork = log.Fork(1, 4, "fork");
  CheckConflict(Send(port, "POST", "/add-checkpoint", fork.Body(1, 3)), "3\n");  // forked
  CheckConflict(Send(port, "POST", "/add-checkpoint", fork.Body(3, 3)), "3\n");  // same size

  CHECK(Send(port, "GET", "/add-checkpoint", "").status == 405);
  CHECK(Send(port, "POST", "/elsewhere", log.Body(3, 5)).status == 404);
  CHECK(Send(port, "POST", "/add-checkpoint", std::string(65 * 1024, 'x')).status == 413);

  // The crash: persisted 5, killed before answering.
  witness.reset();
  witness = StartWitness(dir.path(), log, port, 2, {"EXCHANGE_WITNESS_PAUSE_AFTER_PERSIST_MS=5000"});
  Reply killed;
  std::thread client([&] { killed = Send(port, "POST", "/add-checkpoint", log.Body(3, 5)); });
  const auto file = dir.path() + "/state/exchange.test%2Fc1.checkpoint";
  bool persisted = false;
  for (int i = 0; i < 200 && !persisted; ++i) {
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    persisted = text.find("\n5\n") != std::string::npos;
    if (!persisted) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(persisted);
  witness->Signal(SIGKILL);
  CHECK(witness->Wait(std::chrono::seconds(5)) == 128 + SIGKILL);
  client.join();
  CHECK(killed.status == 0);  // no answer ever came

  witness = StartWitness(dir.path(), log, port, 3);
  const TestLog other = log.Fork(3, 2, "other");
  CheckConflict(Send(port, "POST", "/add-checkpoint", other.Body(3, 5)), "5\n");  // inconsistent
  // The honest size-5 checkpoint it persisted is what it holds.
  Reply again = Send(port, "POST", "/add-checkpoint", log.Body(5, 5));
  REQUIRE_MESSAGE(again.status == 200, again.body);
  CHECK(VerifyCosignature(log.At(5).Format(), again.body, witness_key).ok());
  witness.reset();

  // A persisted note that does not verify under the configured key: refuse to start.
  TestLog stranger;
  stranger.Grow(1, "s");
  auto refused =
      testing::RunCommand(testing::BinDir() + "/exchangectl witness serve --state " + dir.path() + "/state --key " +
                          dir.path() + "/witness.key --listen 127.0.0.1:" + std::to_string(port) + " --log " +
                          std::string(kOrigin) + "=" + stranger.key.verifier().VerifierKey() + " 2>&1");
  CHECK(refused.exit_code != 0);
  CHECK(refused.output.find("does not verify") != std::string::npos);
}
