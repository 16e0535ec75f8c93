// SPDX-License-Identifier: Apache-2.0
// exchangectl witness: run a C2SP tlog-witness (transport/witness_server.h
// around log/witness.h) and make its cosigning key.
//
// `keygen` writes a tlog-cosignature/v1 private key (mode 0600) and prints
// its verifier key; `serve` loads the key and the checkpoints persisted in
// the state directory, then answers POST /add-checkpoint until killed.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "common/files.h"
#include "log/signed_note.h"
#include "log/witness.h"
#include "transport/witness_server.h"

namespace exchange::client {
namespace {

constexpr std::size_t kMaxKeyFileBytes = 4096;
constexpr const char* kPauseEnv = "EXCHANGE_WITNESS_PAUSE_AFTER_PERSIST_MS";

int Keygen(const std::string& name, const std::string& out) {
  auto signer = log::GenerateSigner(name, log::KeyType::kCosignatureV1);
  if (!signer.ok()) return Fail(signer.status());
  if (Status s = WritePrivateFile(out, signer->PrivateKey() + "\n"); !s.ok()) return Fail(s);
  std::printf("%s\n", signer->verifier().VerifierKey().c_str());
  return kExitOk;
}

int Serve(Invocation& in, const std::string& state, const std::string& key_file, const std::string& listen,
          const std::vector<std::string>& log_flags) {
  if (log_flags.empty()) return in.UsageError("at least one --log ORIGIN=VKEY is required");
  auto key_text = ReadFile(key_file, kMaxKeyFileBytes);
  if (!key_text.ok()) return Fail(key_text.status());
  std::string key = *key_text;
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  auto signer = log::Signer::Parse(key);
  if (!signer.ok()) return Fail(Status::InvalidArgument(key_file + ": " + signer.status().message()));
  auto created = log::Witness::Create(*signer);
  if (!created.ok()) return Fail(created.status());
  log::Witness witness_value = *created;
  log::Witness* witness = &witness_value;

  size_t logs = 0;
  for (const std::string& flag : log_flags) {
    const size_t eq = flag.find('=');
    if (eq == std::string::npos || eq == 0) return in.UsageError("--log wants ORIGIN=VKEY, not " + flag);
    const std::string origin = flag.substr(0, eq);
    auto verifier = log::Verifier::Parse(flag.substr(eq + 1));
    if (!verifier.ok()) return in.UsageError("--log " + origin + ": " + verifier.status().message());
    if (Status s = witness->AddLog(origin, *verifier); !s.ok())
      return in.UsageError("--log " + flag + ": " + s.message());
    ++logs;
  }

  std::error_code ec;
  std::filesystem::create_directories(state, ec);
  if (ec) return Fail(Status::InvalidArgument("cannot create " + state + ": " + ec.message()));
  if (Status s = LoadWitnessState(*witness, state); !s.ok()) return Fail(s);

  WitnessServerOptions options;
  options.state_dir = state;
  options.listen = listen;
  if (const char* pause = std::getenv(kPauseEnv); pause != nullptr && *pause != '\0') {
    char* end = nullptr;
    const long ms = std::strtol(pause, &end, 10);
    if (*end != '\0' || ms < 0) return in.UsageError(std::string(kPauseEnv) + " wants milliseconds, not " + pause);
    options.pause_after_persist = std::chrono::milliseconds(ms);
  }
  options.on_listening = [&](const std::string& bound) {
    std::fprintf(stderr, "exchangectl witness: %s listening on http://%s (%zu --log keys)\n",
                 signer->verifier().VerifierKey().c_str(), bound.c_str(), logs);
    std::printf("%s\n", bound.c_str());
    std::fflush(stdout);
  };
  return Fail(RunWitnessServer(*witness, options));
}

int RunWitness(Invocation& in) {
  std::string state, key, listen = "127.0.0.1:7380", name, out;
  std::string unused_log;
  // --log may be given many times; FlagSet keeps one value, so collect them first.
  const std::vector<std::string> log_flags = in.TakeRepeated("log");
  in.flags.String(
      "log", "", &unused_log,
      "serve: ORIGIN=VKEY, a log to witness and its key (repeatable; ORIGIN NAME/* covers every log under NAME/)");
  in.flags.String("state", "", &state, "serve: the state directory (the last cosigned checkpoint of each log)");
  in.flags.String("key", "", &key, "serve: the witness's private key file (from witness keygen)");
  in.flags.String("listen", "", &listen, "serve: HOST:PORT to listen on (plain HTTP; put TLS in front)");
  in.flags.String("name", "", &name, "keygen: the key name (e.g. witness.example.org)");
  in.flags.String("out", "", &out, "keygen: where to write the private key (mode 0600)");
  in.Parse();
  const auto& pos = in.positionals();
  if (pos.size() != 1) return in.UsageHelp();
  if (pos[0] == "keygen") {
    if (name.empty()) return in.UsageError("--name NAME is required");
    if (out.empty()) return in.UsageError("--out KEY is required");
    return Keygen(name, out);
  }
  if (pos[0] == "serve") {
    if (state.empty()) return in.UsageError("--state DIR is required");
    if (key.empty()) return in.UsageError("--key KEY is required");
    return Serve(in, state, key, listen, log_flags);
  }
  return in.UsageHelp();
}

}  // namespace

extern const Command kWitnessCommand = {
    "witness", "run a transparency-log witness (C2SP tlog-witness) or make its key",
    "usage: exchangectl witness keygen --name NAME --out KEY\n"
    "       exchangectl witness serve --state DIR --key KEY [--listen HOST:PORT] --log ORIGIN=VKEY ...\n\n"
    "keygen writes a new tlog-cosignature/v1 private key to KEY (mode 0600) and prints its verifier key,\n"
    "the one logs and members configure to check this witness's cosignatures.\n\n"
    "serve answers POST /add-checkpoint (c2sp.org/tlog-witness) over plain HTTP/1.1: it cosigns a checkpoint\n"
    "of a configured log (--log, repeatable; several keys for one origin allowed) only when it is signed by\n"
    "that log's key and extends, by a verifying consistency proof, the checkpoint it last cosigned, which it\n"
    "keeps in DIR (fsynced before answering). Otherwise 409 with the size it has, or 400/403/404/422. Put a\n"
    "TLS reverse proxy in front of it. Prints the bound HOST:PORT on stdout once listening (default\n"
    "127.0.0.1:7380).\n\n"
    "Test hook: EXCHANGE_WITNESS_PAUSE_AFTER_PERSIST_MS=N sleeps N ms after persisting, before answering.",
    Command::Flags::kOwn, RunWitness};

}  // namespace exchange::client
