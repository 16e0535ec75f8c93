// SPDX-License-Identifier: Apache-2.0
#include "mirror/entries_file.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace exchange::client {
namespace {

constexpr std::size_t kReadChunkBytes = 1u << 20;

uint32_t ReadBe32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} << 24 | uint32_t{u[1]} << 16 | uint32_t{u[2]} << 8 | uint32_t{u[3]};
}

}  // namespace

Status Errno(const std::string& what) { return Status::Internal(what + ": " + std::strerror(errno)); }

std::string EntryRecord(std::string_view entry) {
  const auto v = static_cast<uint32_t>(entry.size());
  std::string out = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                     static_cast<char>(v)};
  out += entry;
  return out;
}

// Records of entries.log in [from, to), in order.
Status ScanRecords(int fd, uint64_t from, uint64_t to, const std::function<Status(std::string_view)>& each) {
  std::string buffer;
  std::size_t pos = 0;        // next unread byte of `buffer`
  uint64_t buffer_at = from;  // file offset of buffer[0]
  auto fill = [&](std::size_t need) -> Status {
    buffer.erase(0, pos);
    buffer_at += pos;
    pos = 0;
    while (buffer.size() < need) {
      const uint64_t offset = buffer_at + buffer.size();
      const uint64_t room = to - offset;
      if (room == 0) return Status::Internal("entries.log: a record runs past the committed end");
      const std::size_t want =
          static_cast<std::size_t>(std::min<uint64_t>(room, std::max(kReadChunkBytes, need - buffer.size())));
      const std::size_t old = buffer.size();
      buffer.resize(old + want);
      const ssize_t n = pread(fd, buffer.data() + old, want, static_cast<off_t>(offset));
      if (n < 0) return Errno("reading entries.log");
      buffer.resize(old + static_cast<std::size_t>(n));
      if (n == 0) return Status::Internal("entries.log is shorter than its committed length");
    }
    return Status::Ok();
  };
  uint64_t at = from;
  while (at < to) {
    if (buffer.size() - pos < 4) {
      if (Status s = fill(4); !s.ok()) return s;
    }
    const uint32_t length = ReadBe32(buffer.data() + pos);
    if (length > kMaxEntryBytes)
      return Status::Internal("entries.log holds a record of " + std::to_string(length) + " bytes");
    if (buffer.size() - pos < 4 + std::size_t{length}) {
      if (Status s = fill(4 + std::size_t{length}); !s.ok()) return s;
    }
    if (Status s = each(std::string_view(buffer.data() + pos + 4, length)); !s.ok()) return s;
    pos += 4 + std::size_t{length};
    at += 4 + uint64_t{length};
  }
  return Status::Ok();
}

Status WriteRecords(int fd, std::string_view bytes, uint64_t offset) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("writing entries.log");
    }
    done += static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

}  // namespace exchange::client
