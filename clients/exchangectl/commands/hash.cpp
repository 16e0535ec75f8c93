// SPDX-License-Identifier: Apache-2.0
// exchangectl hash FILE|DIR...: MD5, SHA-256, and PDQ and PDQ quality of
// every image or the vPDQ signal value of every video, directories recursed,
// on all cores (one file per core). Local only: no server involved.
//
// Output (stdout): CSV with the header file,md5,sha256,pdq,quality,vpdq, or
// with --output json a single array of {"file", "md5", "sha256", "pdq",
// "quality"} objects ({"file", "md5", "sha256", "vpdq", "vpdq_frames"} for a
// video), in the order the paths were given (each directory's files sorted).
// With --vpdq-frames, each video's frames in Meta's vpdq-hash-video lines
// (frame_number,quality,pdq_hex,timestamp) instead of CSV, after a "# FILE"
// line when there are several files; in JSON, a "frames" array of those
// lines. A file that is neither an image nor a video still gets its MD5 and
// SHA-256; its other columns stay empty (CSV) or are replaced by "error"
// (JSON). Every failure is also reported on stderr, and the exit code is then
// 1. A progress bar goes to stderr when it is a terminal.
#include <malloc.h>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "commands/cli.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "common/flags.h"
#include "common/hex.h"
#include "formats/csv.h"
#include "formats/json_text.h"
#include "formats/progress.h"
#include "pdq/image.h"
#include "pdq/vpdq.h"
#include "signals/utf8.h"
#include "signals/vpdq_value.h"
#include "video/video_hasher.h"

namespace exchange::client {
namespace {

namespace fs = std::filesystem;

// Image files are read whole to decode them; anything larger is refused.
constexpr uintmax_t kMaxImageFileBytes = uintmax_t{1} << 30;
constexpr size_t kReadChunk = size_t{1} << 20;

struct FileHashes {
  std::string path;
  std::optional<std::string> md5, sha256;  // absent when the file could not be read
  std::optional<pdq::PdqResult> pdq;       // an image's; absent when it is not one or could not be decoded
  std::vector<pdq::VpdqFrame> frames;      // a video's hashed frames (empty for anything else)
  std::optional<std::string> vpdq;         // the video's vpdq signal value
  std::string error;                       // why something is absent
  bool hashed() const { return pdq || vpdq; }
};

// MD5 and SHA-256 side by side over one pass of the bytes.
class Digests {
 public:
  Digests() : md5_(EVP_MD_CTX_new()), sha256_(EVP_MD_CTX_new()) {
    ok_ = md5_ && sha256_ && EVP_DigestInit_ex(md5_.get(), EVP_md5(), nullptr) == 1 &&
          EVP_DigestInit_ex(sha256_.get(), EVP_sha256(), nullptr) == 1;
  }
  void Update(const void* data, size_t size) {
    ok_ = ok_ && EVP_DigestUpdate(md5_.get(), data, size) == 1 && EVP_DigestUpdate(sha256_.get(), data, size) == 1;
  }
  // Hex digests into `out`; false if OpenSSL failed (no MD5 in a FIPS-only setup, say).
  bool Finish(FileHashes& out) {
    unsigned char md5[EVP_MAX_MD_SIZE], sha256[EVP_MAX_MD_SIZE];
    unsigned md5_size = 0, sha256_size = 0;
    ok_ = ok_ && EVP_DigestFinal_ex(md5_.get(), md5, &md5_size) == 1 &&
          EVP_DigestFinal_ex(sha256_.get(), sha256, &sha256_size) == 1;
    if (!ok_) return false;
    out.md5 = HexEncode(std::span<const uint8_t>(md5, md5_size));
    out.sha256 = HexEncode(std::span<const uint8_t>(sha256, sha256_size));
    return true;
  }

 private:
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> md5_, sha256_;
  bool ok_ = false;
};

// A file that is not an image is tried as a video; its frames are kept.
void HashVideo(const std::string& path, const video::VideoHashOptions& options, FileHashes& out) {
  Result<video::VideoHash> hashed = video::HashVideoFile(path, options);
  if (!hashed.ok()) {
    const std::string why = hashed.status().message();
    out.error = why.starts_with("not a video file")
                    ? "not a JPEG, PNG or WebP image, nor a video FFmpeg can read (" + why + ")"
                    : "video: " + why;
    return;
  }
  out.frames = std::move(hashed->frames);
  if (out.frames.size() > signals::kMaxVpdqFeatures) {
    out.error = "video: " + std::to_string(out.frames.size()) + " frames hashed, more than a vpdq signal holds (" +
                std::to_string(signals::kMaxVpdqFeatures) + "); hash fewer with --seconds-per-hash";
    return;
  }
  out.vpdq = pdq::VpdqSignalValue(out.frames);
}

FileHashes HashFile(const std::string& path, const video::VideoHashOptions& video_options) {
  FileHashes out{path, {}, {}, {}, {}, {}, {}};
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.error = std::string("cannot open ") + path + ": " + std::strerror(errno);
    return out;
  }
  std::error_code size_error;
  const uintmax_t size = fs::file_size(path, size_error);
  if (size_error) {
    out.error = "cannot read " + path + ": " + size_error.message();
    return out;
  }
  // The first bytes tell an image; only images are read whole.
  std::vector<uint8_t> bytes(static_cast<size_t>(std::min<uintmax_t>(size, 16)));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  const size_t head = static_cast<size_t>(in.gcount());
  bytes.resize(head);
  const bool image = pdq::DetectFormat(bytes) != pdq::ImageFormat::kUnknown && size <= kMaxImageFileBytes;
  Digests digests;
  digests.Update(bytes.data(), head);
  if (image) {
    bytes.resize(std::max<size_t>(head, static_cast<size_t>(size)));
    in.read(reinterpret_cast<char*>(bytes.data() + head), static_cast<std::streamsize>(bytes.size() - head));
    bytes.resize(head + static_cast<size_t>(in.gcount()));
    digests.Update(bytes.data() + head, bytes.size() - head);
  } else {  // streamed: a video can be any size
    std::vector<char> chunk(kReadChunk);
    while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0) {
      digests.Update(chunk.data(), static_cast<size_t>(in.gcount()));
    }
  }
  if (in.bad()) {
    out.error = "read error";
    return out;
  }
  if (!digests.Finish(out)) {
    out.error = "OpenSSL cannot compute MD5 or SHA-256";
    return out;
  }
  if (!image) {
    if (size > kMaxImageFileBytes && pdq::DetectFormat(bytes) != pdq::ImageFormat::kUnknown) {
      out.error = "image file larger than 1 GiB";
    } else {
      HashVideo(path, video_options, out);
    }
    return out;
  }
  Result<pdq::PdqResult> pdq = pdq::HashImage(bytes);
  if (pdq.ok()) {
    out.pdq = *pdq;
  } else {
    out.error = pdq.status().message();
  }
  return out;
}

// The files named by `args`, directories expanded (recursively, sorted).
std::vector<std::string> CollectFiles(const std::vector<std::string>& args, std::vector<FileHashes>& failures) {
  std::vector<std::string> files;
  for (const std::string& arg : args) {
    std::error_code error;
    if (!fs::is_directory(arg, error)) {
      files.push_back(arg);  // a missing file fails when it is read, in order
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(arg, error), end; !error && it != end; it.increment(error)) {
      if (it->is_regular_file(error)) found.push_back(it->path().string());
    }
    if (error) failures.push_back({arg, {}, {}, {}, {}, {}, "cannot list the directory: " + error.message()});
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

void PrintCsv(const std::vector<FileHashes>& results) {
  std::fputs("file,md5,sha256,pdq,quality,vpdq\n", stdout);
  for (const FileHashes& r : results) {
    if (!r.md5) continue;  // unreadable: reported on stderr only
    std::string pdq, quality;
    if (r.pdq) {
      pdq = HexEncode(r.pdq->hash);
      quality = std::to_string(r.pdq->quality);
    }
    std::printf("%s,%s,%s,%s,%s,%s\n", CsvField(r.path).c_str(), r.md5->c_str(), r.sha256->c_str(), pdq.c_str(),
                quality.c_str(), r.vpdq ? CsvField(*r.vpdq).c_str() : "");
  }
}

// Meta's vpdq-hash-video lines for every video, each after "# FILE" when there are several files.
void PrintFrames(const std::vector<FileHashes>& results) {
  for (const FileHashes& r : results) {
    if (r.frames.empty()) continue;
    if (results.size() > 1) std::printf("# %s\n", r.path.c_str());
    for (const pdq::VpdqFrame& f : r.frames) std::printf("%s\n", pdq::FormatVpdqFrameLine(f).c_str());
  }
}

void PrintJsonArray(const std::vector<FileHashes>& results, bool with_frames) {
  std::fputs("[", stdout);
  for (size_t i = 0; i < results.size(); ++i) {
    const FileHashes& r = results[i];
    std::string object = "{\"file\": " + JsonString(r.path);
    if (r.md5) object += ", \"md5\": \"" + *r.md5 + "\", \"sha256\": \"" + *r.sha256 + "\"";
    if (r.pdq) {
      object += ", \"pdq\": \"" + HexEncode(r.pdq->hash) + "\", \"quality\": " + std::to_string(r.pdq->quality);
    } else if (r.vpdq) {
      object += ", \"vpdq\": " + JsonString(*r.vpdq) + ", \"vpdq_frames\": " + std::to_string(r.frames.size());
    } else {
      object += ", \"error\": " + JsonString(r.error);
    }
    if (with_frames && !r.frames.empty()) {
      object += ", \"frames\": [";
      for (size_t f = 0; f < r.frames.size(); ++f) {
        object += (f == 0 ? "\"" : ", \"") + pdq::FormatVpdqFrameLine(r.frames[f]) + "\"";
      }
      object += "]";
    }
    std::printf("%s%s}", i == 0 ? "" : ",\n ", object.c_str());
  }
  std::fputs("]\n", stdout);
}

// Each image's working memory (libjpeg's coefficient and row buffers, the
// resampled luminance, the hasher's two float planes) is a few MiB in blocks
// above glibc's mmap threshold, so by default every block is mapped, faulted
// in page by page and unmapped again: about 1,000 page faults per image, a
// quarter of a core's time (bench/RESULTS.md, PDQ image hashing). Blocks up
// to 32 MiB (glibc's ceiling) come from the heap instead and the heap is not
// trimmed, so each thread's blocks are reused from one image to the next.
// A command that exits when done can afford to keep that memory.
void KeepImageBuffers() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

}  // namespace

int RunHash(Invocation& in) {
  std::string output = "csv";
  int64_t threads = std::max(1u, std::thread::hardware_concurrency());
  in.flags.String("output", "EXCHANGECTL_OUTPUT", &output, "csv (or table, the same) or json");
  in.flags.Int("threads", "EXCHANGECTL_THREADS", &threads, "files hashed at once (default: one per core)");
  bool vpdq_frames = false;
  std::string seconds_per_hash = "0";
  in.flags.Bool("vpdq-frames", "", &vpdq_frames, "print each video's frames as Meta's vpdq-hash-video does");
  in.flags.String("seconds-per-hash", "", &seconds_per_hash, "hash one video frame every S seconds (0: every frame)");
  in.Parse();
  video::VideoHashOptions video_options;
  {
    char* end = nullptr;
    video_options.seconds_per_hash = std::strtod(seconds_per_hash.c_str(), &end);
    if (seconds_per_hash.empty() || *end != '\0' || !(video_options.seconds_per_hash >= 0) ||
        !(video_options.seconds_per_hash < 1e6)) {
      return Fail(Status::InvalidArgument("--seconds-per-hash must be a number of seconds >= 0"));
    }
  }
  if (output == "table") output = "csv";  // EXCHANGECTL_OUTPUT=table, set for the other commands
  if (output != "csv" && output != "json") return Fail(Status::InvalidArgument("--output must be csv or json"));
  if (in.positionals().empty()) return Fail(Status::InvalidArgument("give at least one FILE or DIR"));
  if (threads < 1) return Fail(Status::InvalidArgument("--threads must be at least 1"));

  KeepImageBuffers();
  std::vector<FileHashes> failures;
  const std::vector<std::string> files = CollectFiles(in.positionals(), failures);
  std::vector<FileHashes> results(files.size());
  // Workers claim files by index and write only their own slots.
  std::atomic<size_t> next{0}, done{0};
  std::vector<std::thread> workers;
  for (int64_t t = 0; t < std::min<int64_t>(threads, static_cast<int64_t>(files.size())); ++t) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < files.size(); i = next++) {
        results[i] = HashFile(files[i], video_options);
        ++done;
      }
    });
  }
  Progress progress = Progress::ForTerminal();
  if (progress.enabled()) {
    progress.Start("hashing", files.size());
    while (done < files.size()) {
      progress.Update(done);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  for (std::thread& worker : workers) worker.join();
  progress.Update(done);
  progress.Finish();

  results.insert(results.end(), failures.begin(), failures.end());
  int failed = 0;
  for (const FileHashes& r : results) {
    if (r.hashed()) continue;
    ++failed;
    std::fprintf(stderr, "exchangectl: %s: %s\n", r.path.c_str(), r.error.c_str());
  }
  if (output == "json") {
    PrintJsonArray(results, vpdq_frames);
  } else if (vpdq_frames) {
    PrintFrames(results);
  } else {
    PrintCsv(results);
  }
  if (failed > 0) std::fprintf(stderr, "exchangectl: %d of %zu files failed\n", failed, results.size());
  return failed > 0 ? 1 : 0;
}

extern const Command kHashCommand = {
    "hash", "MD5, SHA-256 and PDQ of local images, vPDQ of local videos, on all cores",
    "usage: exchangectl hash [--output csv|json] [--threads N] [--seconds-per-hash S] [--vpdq-frames] FILE|DIR...\n\n"
    "Prints MD5, SHA-256, and PDQ and PDQ quality (0-100) of each image file or the vpdq signal value (a JSON list of\n"
    "\"pdq_hex,quality,timestamp\" frames, python-threatexchange's form) of each video; directories are recursed.\n"
    "Videos are decoded with FFmpeg and every frame is hashed, as Meta's vpdq-hash-video does; --seconds-per-hash S\n"
    "hashes one frame every S seconds. --vpdq-frames prints each video's frames as Meta's tool does instead of CSV:\n"
    "frame_number,quality,pdq_hex,timestamp_seconds.\n"
    "Files that are neither images nor videos get MD5 and SHA-256 only, and count as failures.",
    Command::Flags::kOwn, RunHash};

}  // namespace exchange::client
