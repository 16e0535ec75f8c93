// SPDX-License-Identifier: Apache-2.0
// exchangectl pki init DIR: a development PKI (root CA, issuing CA, server
// certificate for localhost, client credentials) for sandboxes and tests.
#include <cstdio>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "pki/dev_pki.h"

namespace exchange::client {

int RunPki(Invocation& in) {
  bool force = false;
  in.flags.Bool("force", "", &force, "overwrite a non-empty DIR");
  in.Parse();
  const auto& pos = in.positionals();
  if (pos.size() != 2 || pos[0] != "init") return in.UsageHelp();
  pki::DevPkiOptions options;
  options.force = force;
  if (Status s = pki::InitDevPki(pos[1], options); !s.ok()) return Fail(s);
  std::printf("development PKI written to %s\n", pos[1].c_str());
  return 0;
}

extern const Command kPkiCommand = {
    "pki", "pki init DIR: write a development PKI",
    "usage: exchangectl pki init DIR [--force]\n\n"
    "Writes a development PKI to DIR: root and issuing CAs, a server certificate for\n"
    "localhost/127.0.0.1, and client credentials admin1, admin2, auditor, alpha, beta.\n"
    "Private keys are written 0600. Not for production: real deployments use the\n"
    "coalition's offline root.",
    Command::Flags::kOwn, RunPki};

}  // namespace exchange::client
