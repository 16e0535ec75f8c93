// SPDX-License-Identifier: Apache-2.0
#include "api/replica_reads.h"

#include "store/logs.h"

namespace exchange::api {

store::Connection* ReplicaHolding(http::CallContext& context, int64_t log_id, uint64_t needed_size) {
  if (context.replica == nullptr) return nullptr;
  auto size = store::CommittedSize(*context.replica, log_id);
  return size.ok() && *size >= needed_size ? context.replica : nullptr;
}

}  // namespace exchange::api
