// SPDX-License-Identifier: Apache-2.0
// The process exit codes both binaries share, and the one mapping from a
// Status to them. exchanged uses only these (docs/operations.md);
// exchangectl builds its longer table on them (clients/exchangectl/commands/cli.h,
// docs/client.md#exit-codes), never giving these three another meaning.
//
// Pure; thread-safe.
#pragma once

#include "common/status.h"

namespace exchange {

inline constexpr int kExitOk = 0;      // done
inline constexpr int kExitFailed = 1;  // refused or failed (exchangectl: refused)
inline constexpr int kExitUsage = 2;   // usage error: unknown command or flag, a bad flag value, a missing argument

// kExitOk for an ok status, kExitUsage for InvalidArgument, kExitFailed for
// every other error.
int ExitCode(const Status& status);

}  // namespace exchange
