// SPDX-License-Identifier: Apache-2.0
#include "common/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace exchange {
namespace {

constexpr mode_t kPrivateMode = 0600;
constexpr mode_t kPublicMode = 0644;

Status ErrnoStatus(std::string_view action, const std::filesystem::path& path, int err) {
  std::string message = std::string(action) + " " + path.string() + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(std::move(message));
  return Status::Internal(std::move(message));
}

// Closes the descriptor on scope exit unless released.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }
  // Closes now and reports close's own error (it can carry a write error).
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view contents, const std::filesystem::path& path) {
  while (!contents.empty()) {
    ssize_t n = ::write(fd, contents.data(), contents.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path, errno);
    }
    contents.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::Ok();
}

Status SyncDirectory(const std::filesystem::path& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return ErrnoStatus("fsync directory", dir, errno);
  return Status::Ok();
}

Status WriteAtomically(const std::filesystem::path& path, std::string_view contents, mode_t mode) {
  if (path.empty() || !path.has_filename()) {
    return Status::InvalidArgument("not a file path: \"" + path.string() + "\"");
  }
  // mkstemp replaces the six trailing X characters.
  std::string temp = path.string() + ".tmp-" + std::string(6, 'X');
  FileDescriptor fd(::mkostemp(temp.data(), O_CLOEXEC));  // O_CREAT|O_EXCL, mode 0600
  if (fd.get() < 0) return ErrnoStatus("create", temp, errno);

  Status status = Status::Ok();
  if (::fchmod(fd.get(), mode) != 0) {
    status = ErrnoStatus("chmod", temp, errno);
  } else {
    status = WriteAll(fd.get(), contents, temp);
  }
  if (status.ok() && ::fsync(fd.get()) != 0) status = ErrnoStatus("fsync", temp, errno);
  if (fd.Close() != 0 && status.ok()) status = ErrnoStatus("close", temp, errno);
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = ErrnoStatus("rename to", path, errno);
  }
  if (!status.ok()) {
    ::unlink(temp.c_str());
    return status;
  }
  std::filesystem::path dir = path.parent_path();
  return SyncDirectory(dir.empty() ? std::filesystem::path(".") : dir);
}

}  // namespace

Status WritePrivateFile(const std::filesystem::path& path, std::string_view contents) {
  return WriteAtomically(path, contents, kPrivateMode);
}

Status WritePublicFile(const std::filesystem::path& path, std::string_view contents) {
  return WriteAtomically(path, contents, kPublicMode);
}

Result<std::string> ReadFile(const std::filesystem::path& path, std::size_t max_bytes) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("open", path, errno);
  std::string contents;
  char buffer[8192];
  while (true) {
    ssize_t n = ::read(fd.get(), buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", path, errno);
    }
    if (n == 0) break;
    if (contents.size() + static_cast<std::size_t>(n) > max_bytes) {
      return Status::PayloadTooLarge(path.string() + " exceeds " + std::to_string(max_bytes) + " bytes");
    }
    contents.append(buffer, static_cast<std::size_t>(n));
  }
  return contents;
}

}  // namespace exchange
