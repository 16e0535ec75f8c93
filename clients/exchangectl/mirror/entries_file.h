// SPDX-License-Identifier: Apache-2.0
// entries.log, the mirror's record file: every feed entry byte for byte as
// the exchange serves it, in log order, each as a record of a 4-byte
// big-endian length and the entry bytes. The file is append-only; which
// prefix of it counts (the committed length) is the mirror's state.sqlite to
// say (mirror/mirror.h).
//
// Functions over a file descriptor the caller owns; no state, thread-safe
// for distinct descriptors.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace exchange::client {

// The largest entry a record may hold.
inline constexpr uint32_t kMaxEntryBytes = 64u << 20;

// `entry` as a record: its 4-byte big-endian length, then its bytes.
// Precondition: entry.size() <= kMaxEntryBytes.
std::string EntryRecord(std::string_view entry);

// Calls `each` with the entry of every record in [from, to) of `fd`, in
// order; stops at the first error `each` returns. Internal when a record
// runs past `to`, the file is shorter than `to` or a length is over
// kMaxEntryBytes.
Status ScanRecords(int fd, uint64_t from, uint64_t to, const std::function<Status(std::string_view)>& each);

// Writes `bytes` (whole records) at `offset` of `fd`, retrying short writes.
Status WriteRecords(int fd, std::string_view bytes, uint64_t offset);

// Internal("<what>: <strerror(errno)>").
Status Errno(const std::string& what);

}  // namespace exchange::client
