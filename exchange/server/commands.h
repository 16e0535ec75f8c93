// SPDX-License-Identifier: Apache-2.0
// exchanged's one-shot operator commands (everything but `serve`).
#pragma once

#include <string>
#include <vector>

namespace exchange::server {

// exchanged migrate --database URL
int RunMigrate(const std::vector<std::string>& args);

// exchanged migrate-signals --database URL [--dry-run] [--output table|json]
// Brings signals stored under older canonical-form rules to the current ones
// (store::RecanonicalizeSignals): merges split signals, tombstones old
// spellings and values the rules now refuse, appends every change to the feed.
int RunMigrateSignals(const std::vector<std::string>& args);

// exchanged credentials add --database URL --org SLUG --org-name NAME --role ROLE --cert FILE
// Registers a certificate issued by the coalition CA: how the first admins
// (and, before enrollment exists, any credential) get in.
int RunCredentialsAdd(const std::vector<std::string>& args);

}  // namespace exchange::server
