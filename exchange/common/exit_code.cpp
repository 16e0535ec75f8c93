// SPDX-License-Identifier: Apache-2.0
#include "common/exit_code.h"

namespace exchange {

int ExitCode(const Status& status) {
  if (status.ok()) return kExitOk;
  return status.code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailed;
}

}  // namespace exchange
