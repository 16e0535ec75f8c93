// SPDX-License-Identifier: Apache-2.0
// exchangectl's commands: one row of the subcommand table each
// (commands/command.h), defined beside its Run in commands/NAME.cpp.
#pragma once

#include "commands/command.h"

namespace exchange::client {

extern const Command kAdminCommand;
extern const Command kAuditCommand;
extern const Command kCollectionsCommand;
extern const Command kConfigCommand;
extern const Command kCredentialsCommand;
extern const Command kEnrollCommand;
extern const Command kExportCommand;
extern const Command kHashCommand;
extern const Command kLookupCommand;
extern const Command kMatchCommand;
extern const Command kMirrorCommand;
extern const Command kOpinionCommand;
extern const Command kProofCommand;
extern const Command kPkiCommand;
extern const Command kReportCommand;
extern const Command kRetractCommand;
extern const Command kSightingCommand;
extern const Command kSubmitCommand;
extern const Command kSyncCommand;
extern const Command kWhoAmICommand;
extern const Command kWitnessCommand;

}  // namespace exchange::client
