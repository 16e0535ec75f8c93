// SPDX-License-Identifier: Apache-2.0
// exchangectl whoami: who the exchange thinks you are.
#include <cstdio>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "exchange/v1/identity.pb.h"

namespace exchange::client {

int RunWhoAmI(Invocation& in) {
  in.Parse();
  auto api = in.Connect();
  if (!api.ok()) return Fail(api.status());
  return GetAndPrint<v1::WhoAmIResponse>(**api, in.cli, "/v1/whoami", [](const v1::WhoAmIResponse& me) {
    std::printf("organisation  %s (%s)\nrole          %s\ncredential    %s\nfingerprint   %s\nexpires       %s\n",
                me.org().c_str(), me.org_name().c_str(), me.role().c_str(), me.credential_id().c_str(),
                me.fingerprint().c_str(), me.not_after().c_str());
  });
}

extern const Command kWhoAmICommand = {
    "whoami", "show the organisation and role the exchange sees",
    "usage: exchangectl whoami [connection flags]\n\nShows the organisation, role and certificate the exchange "
    "sees.",
    Command::Flags::kConnection, RunWhoAmI};

}  // namespace exchange::client
