// SPDX-License-Identifier: Apache-2.0
#include "video/video_hasher.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <libavutil/mem.h>
#include <libswscale/swscale.h>
}

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>

#include "pdq/hasher.h"
#include "pdq/image.h"

namespace exchange::video {

const char* const kContainers =
    "mov,matroska,avi,flv,mpegts,mpeg,ogg,asf,gif,ivf,h264,hevc,m4v,mjpeg,yuv4mpegpipe,webm_dash_manifest";

const char* const kStreamProtocols = "udp,rtp,tcp,http,https,tls,srt";

namespace {

constexpr int kIoBufferBytes = 64 * 1024;
constexpr int kMinHashableSide = 5;  // as Meta's vPDQ: smaller frames get a zero hash

// FFmpeg's messages are not printed; the last error-level one on this thread
// is kept for the Status text.
thread_local std::string last_ffmpeg_message;

void KeepFfmpegMessage(void* avcl, int level, const char* format, va_list args) {
  if (level > AV_LOG_ERROR) return;
  char line[256];
  int prefix = 1;
  av_log_format_line2(avcl, level, format, args, line, sizeof line, &prefix);
  std::string text(line);
  // "[h264 @ 0x55d0...] message": the address means nothing to a user.
  if (size_t at = text.find(" @ 0x"); at != std::string::npos) {
    const size_t end = text.find(']', at);
    if (end != std::string::npos) text.erase(at, end - at);
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  last_ffmpeg_message = text;
}

void InitFfmpegOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    av_log_set_level(AV_LOG_ERROR);
    av_log_set_callback(KeepFfmpegMessage);
  });
}

std::string AvError(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  std::string out = text;
  if (!last_ffmpeg_message.empty()) out += " (" + last_ffmpeg_message + ")";
  return out;
}

struct FormatDeleter {
  void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct CodecDeleter {
  void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct FrameDeleter {
  void operator()(AVFrame* p) const { av_frame_free(&p); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsDeleter {
  void operator()(SwsContext* p) const { sws_freeContext(p); }
};
struct IoDeleter {
  void operator()(AVIOContext* p) const {
    av_freep(&p->buffer);
    avio_context_free(&p);
  }
};

// The source behind FFmpeg's AVIOContext, with the byte limit.
struct IoState {
  ByteSource* source = nullptr;
  int64_t max_bytes = 0;
  int64_t position = 0;
  bool over_limit = false;
  bool read_error = false;
};

int ReadPacket(void* opaque, uint8_t* buffer, int size) {
  auto* io = static_cast<IoState*>(opaque);
  if (io->position >= io->max_bytes) {
    io->over_limit = true;
    return AVERROR(EFBIG);
  }
  const int64_t want = std::min<int64_t>(size, io->max_bytes - io->position);
  const int64_t got = io->source->Read(buffer, static_cast<size_t>(want));
  if (got < 0) {
    io->read_error = true;
    return AVERROR(EIO);
  }
  if (got == 0) return AVERROR_EOF;
  io->position += got;
  return static_cast<int>(got);
}

int64_t SeekSource(void* opaque, int64_t offset, int whence) {
  auto* io = static_cast<IoState*>(opaque);
  const int64_t size = io->source->Size();
  if (whence & AVSEEK_SIZE) return size >= 0 ? size : AVERROR(ENOSYS);
  whence &= ~AVSEEK_FORCE;
  int64_t target = offset;
  if (whence == SEEK_CUR) target = io->position + offset;
  if (whence == SEEK_END) {
    if (size < 0) return AVERROR(ENOSYS);
    target = size + offset;
  }
  if (target < 0 || !io->source->Seek(target)) return AVERROR(EINVAL);
  io->position = target;
  return target;
}

// A container may name other files or URLs (playlists, references); none is opened.
int RefuseNestedOpen(AVFormatContext*, AVIOContext**, const char*, int, AVDictionary**) { return AVERROR(EPERM); }

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  int64_t Read(uint8_t* buffer, size_t size) override {
    const size_t n = std::min(size, bytes_.size() - position_);
    std::memcpy(buffer, bytes_.data() + position_, n);
    position_ += n;
    return static_cast<int64_t>(n);
  }
  bool Seek(int64_t offset) override {
    if (offset < 0 || static_cast<uint64_t>(offset) > bytes_.size()) return false;
    position_ = static_cast<size_t>(offset);
    return true;
  }
  int64_t Size() const override { return static_cast<int64_t>(bytes_.size()); }

 private:
  std::span<const uint8_t> bytes_;
  size_t position_ = 0;
};

// Owns `file` unless `owned` is false (stdin). A pipe has no size and cannot seek.
class FileSource final : public ByteSource {
 public:
  explicit FileSource(std::FILE* file, bool owned = true) : file_(file), owned_(owned) {
    if (std::fseek(file_, 0, SEEK_END) == 0) size_ = ftello(file_);
    std::fseek(file_, 0, SEEK_SET);
  }
  ~FileSource() override {
    if (owned_) std::fclose(file_);
  }
  int64_t Read(uint8_t* buffer, size_t size) override {
    const size_t n = std::fread(buffer, 1, size, file_);
    if (n == 0 && std::ferror(file_)) return -1;
    return static_cast<int64_t>(n);
  }
  bool Seek(int64_t offset) override { return fseeko(file_, static_cast<off_t>(offset), SEEK_SET) == 0; }
  int64_t Size() const override { return size_; }

 private:
  std::FILE* file_;
  bool owned_;
  int64_t size_ = -1;
};

// A URL read through FFmpeg's protocols (udp://, tcp://, http(s)://, srt://):
// bytes only, demuxed by the same bounded path as every other source.
// Seeking is refused: a live stream goes forward.
class UrlSource final : public ByteSource {
 public:
  ~UrlSource() override { avio_closep(&io_); }
  Status Open(const std::string& url) {
    static std::once_flag network;
    std::call_once(network, [] { avformat_network_init(); });
    AVDictionary* options = nullptr;
    av_dict_set(&options, "protocol_whitelist", kStreamProtocols, 0);
    const int rc = avio_open2(&io_, url.c_str(), AVIO_FLAG_READ, nullptr, &options);
    av_dict_free(&options);
    if (rc < 0) return Status::NotFound("cannot open " + url + ": " + AvError(rc));
    return Status::Ok();
  }
  int64_t Read(uint8_t* buffer, size_t size) override {
    const int got = avio_read(io_, buffer, static_cast<int>(std::min<size_t>(size, kIoBufferBytes)));
    if (got == AVERROR_EOF) return 0;
    return got < 0 ? -1 : got;
  }
  bool Seek(int64_t) override { return false; }
  int64_t Size() const override { return -1; }

 private:
  AVIOContext* io_ = nullptr;
};

Status TooLarge(const std::string& what) { return Status::PayloadTooLarge(what); }
Status Invalid(const std::string& what) { return Status::InvalidArgument(what); }

// Decodes one opened input: the state of one HashVideoStream call.
class Decoder {
 public:
  Decoder(const VideoHashOptions& options, const FrameSink& sink) : options_(options), sink_(sink) {}

  Result<VideoHash> Run(ByteSource& source) {
    const int64_t max_bytes = options_.live ? std::numeric_limits<int64_t>::max() : options_.limits.max_bytes;
    io_state_ = {&source, max_bytes, 0, false, false};
    if (Status s = Open(); !s.ok()) return s;
    if (Status s = Decode(); !s.ok()) return s;
    return result_;
  }

 private:
  Status IoFailure(const std::string& what, int code) const {
    if (io_state_.over_limit) {
      return TooLarge("the input is larger than the limit of " + std::to_string(options_.limits.max_bytes) + " bytes");
    }
    if (io_state_.read_error) return Status::Internal("read error");
    return Invalid(what + ": " + AvError(code));
  }

  Status Open() {
    const int64_t size = io_state_.source->Size();
    if (size == 0) return Invalid("empty file (zero bytes)");
    if (size > io_state_.max_bytes) {
      return TooLarge("the input is " + std::to_string(size) + " bytes, more than the limit of " +
                      std::to_string(options_.limits.max_bytes));
    }
    auto* buffer = static_cast<uint8_t*>(av_malloc(kIoBufferBytes));
    if (buffer == nullptr) return Status::Internal("out of memory");
    io_.reset(avio_alloc_context(buffer, kIoBufferBytes, 0, &io_state_, ReadPacket, nullptr,
                                 size >= 0 ? SeekSource : nullptr));
    if (!io_) {
      av_free(buffer);
      return Status::Internal("out of memory");
    }
    AVFormatContext* format = avformat_alloc_context();
    if (format == nullptr) return Status::Internal("out of memory");
    format->pb = io_.get();
    format->flags |= AVFMT_FLAG_CUSTOM_IO;
    format->io_open = RefuseNestedOpen;
    AVDictionary* open_options = nullptr;
    av_dict_set(&open_options, "format_whitelist", kContainers, 0);
    int rc = avformat_open_input(&format, nullptr, nullptr, &open_options);  // frees `format` on failure
    av_dict_free(&open_options);
    if (rc < 0) return IoFailure("not a video file FFmpeg can read", rc);
    format_.reset(format);
    result_.info.container = format_->iformat->name;
    if ((rc = avformat_find_stream_info(format_.get(), nullptr)) < 0) {
      return IoFailure("cannot read the streams of the " + result_.info.container + " file", rc);
    }

    for (unsigned i = 0; i < format_->nb_streams; ++i) {
      const AVStream* s = format_->streams[i];
      if (s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(s->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
        stream_ = static_cast<int>(i);
        break;
      }
    }
    if (stream_ < 0) {
      bool audio = false;
      for (unsigned i = 0; i < format_->nb_streams; ++i) {
        audio = audio || format_->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_AUDIO;
      }
      return Invalid(audio ? "no video stream: the file is audio only" : "no video stream in the file");
    }
    const AVStream* stream = format_->streams[stream_];
    const AVCodecParameters* par = stream->codecpar;
    result_.info.codec = avcodec_get_name(par->codec_id);
    result_.info.width = par->width;
    result_.info.height = par->height;
    if (par->width <= 0 || par->height <= 0) {
      return Invalid("the video stream has no dimensions (" + std::to_string(par->width) + "x" +
                     std::to_string(par->height) + ")");
    }
    if (Status s = CheckPixels(par->width, par->height, "the video stream"); !s.ok()) return s;

    AVRational rate = stream->avg_frame_rate;
    if (rate.num <= 0 || rate.den <= 0) rate = stream->r_frame_rate;
    if (rate.num <= 0 || rate.den <= 0) return Invalid("the video stream has no frame rate");
    result_.info.frame_rate = static_cast<double>(rate.num) / static_cast<double>(rate.den);
    frame_mod_ = static_cast<int64_t>(options_.seconds_per_hash * result_.info.frame_rate);
    if (frame_mod_ < 1) frame_mod_ = 1;
    expected_frames_ = stream->nb_frames;

    const AVCodec* codec = avcodec_find_decoder(par->codec_id);
    if (codec == nullptr) return Invalid("no decoder for the video codec " + result_.info.codec);
    codec_.reset(avcodec_alloc_context3(codec));
    if (!codec_) return Status::Internal("out of memory");
    if ((rc = avcodec_parameters_to_context(codec_.get(), par)) < 0) {
      return Invalid("bad codec parameters: " + AvError(rc));
    }
    codec_->thread_count = 1;
    codec_->max_pixels = options_.limits.max_pixels;
    if ((rc = avcodec_open2(codec_.get(), codec, nullptr)) < 0) {
      return Invalid("cannot open the " + result_.info.codec + " decoder: " + AvError(rc));
    }
    frame_.reset(av_frame_alloc());
    packet_.reset(av_packet_alloc());
    if (!frame_ || !packet_) return Status::Internal("out of memory");
    return Status::Ok();
  }

  Status CheckPixels(int64_t width, int64_t height, const std::string& what) const {
    if (width * height > options_.limits.max_pixels) {
      return TooLarge(what + " is " + std::to_string(width) + "x" + std::to_string(height) +
                      ", more pixels than the limit of " + std::to_string(options_.limits.max_pixels));
    }
    return Status::Ok();
  }

  Status Decode() {
    int rc = 0;
    while ((rc = av_read_frame(format_.get(), packet_.get())) >= 0) {
      std::unique_ptr<AVPacket, decltype(&av_packet_unref)> unref(packet_.get(), &av_packet_unref);
      if (packet_->stream_index != stream_) continue;
      if (packet_->flags & AV_PKT_FLAG_CORRUPT) {
        if (options_.live) {
          ++result_.info.skipped_frames;
          continue;
        }
        return Invalid("truncated or corrupt: a damaged packet after frame " +
                       std::to_string(result_.info.decoded_frames));
      }
      if ((rc = avcodec_send_packet(codec_.get(), packet_.get())) < 0) {
        if (!options_.live) return DecodeError(rc);
        ++result_.info.skipped_frames;
        continue;
      }
      if (Status s = Receive(); !s.ok()) return s;
    }
    if (rc != AVERROR_EOF) {
      return IoFailure("truncated or corrupt: cannot read past frame " + std::to_string(result_.info.decoded_frames),
                       rc);
    }
    if ((rc = avcodec_send_packet(codec_.get(), nullptr)) < 0) return DecodeError(rc);
    if (Status s = Receive(); !s.ok()) return s;
    if (result_.info.decoded_frames == 0) return Invalid("the video stream has no decodable frames");
    if (!options_.live && expected_frames_ > 0 && result_.info.decoded_frames < expected_frames_) {
      return Invalid("truncated: the container lists " + std::to_string(expected_frames_) + " frames, only " +
                     std::to_string(result_.info.decoded_frames) + " could be decoded");
    }
    return Status::Ok();
  }

  Status DecodeError(int rc) const {
    return Invalid("corrupt video data at frame " + std::to_string(result_.info.decoded_frames) + ": " + AvError(rc));
  }

  Status Receive() {
    while (true) {
      const int rc = avcodec_receive_frame(codec_.get(), frame_.get());
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return Status::Ok();
      if (rc < 0) {
        if (!options_.live) return DecodeError(rc);
        ++result_.info.skipped_frames;
        continue;
      }
      std::unique_ptr<AVFrame, decltype(&av_frame_unref)> unref(frame_.get(), &av_frame_unref);
      const int64_t number = result_.info.decoded_frames++;
      if (!options_.live && result_.info.decoded_frames > options_.limits.max_frames) {
        return TooLarge("more than the limit of " + std::to_string(options_.limits.max_frames) + " frames");
      }
      if (frame_->decode_error_flags != 0 || (frame_->flags & AV_FRAME_FLAG_CORRUPT)) {
        // Live: the frame keeps its number (the stream's clock goes on) but is not hashed.
        if (options_.live) {
          ++result_.info.skipped_frames;
          continue;
        }
        return Invalid("corrupt video data: frame " + std::to_string(number) + " could not be decoded cleanly");
      }
      if (Status s = CheckPixels(frame_->width, frame_->height, "frame " + std::to_string(number)); !s.ok()) return s;
      if (number % frame_mod_ != 0) continue;
      auto hashed = HashFrame(number);
      if (!hashed.ok()) return hashed.status();
      if (Status s = sink_(*hashed); !s.ok()) return s;
    }
  }

  Result<pdq::VpdqFrame> HashFrame(int64_t number) {
    pdq::VpdqFrame out;
    out.frame_number = number;
    out.timestamp_ms = pdq::MillisFromSeconds(static_cast<double>(number) / result_.info.frame_rate);
    const int width = frame_->width, height = frame_->height;
    if (width < kMinHashableSide || height < kMinHashableSide) return out;  // zero hash, quality 0
    sws_.reset(sws_getCachedContext(sws_.release(), width, height, static_cast<AVPixelFormat>(frame_->format), width,
                                    height, AV_PIX_FMT_RGB24, SWS_AREA, nullptr, nullptr, nullptr));
    if (!sws_) return Invalid("cannot convert frame " + std::to_string(number) + " to RGB (pixel format unsupported)");
    // Rows 64-byte aligned and a spare row: libswscale's vector code may write a little past a row.
    const size_t stride = (static_cast<size_t>(width) * 3 + 63) / 64 * 64;
    rgb_.resize(stride * (static_cast<size_t>(height) + 1));
    uint8_t* planes[4] = {rgb_.data(), nullptr, nullptr, nullptr};
    int strides[4] = {static_cast<int>(stride), 0, 0, 0};
    if (sws_scale(sws_.get(), frame_->data, frame_->linesize, 0, height, planes, strides) != height) {
      return Invalid("cannot convert frame " + std::to_string(number) + " to RGB");
    }
    pdq::LumaFromRgb24(rgb_, width, height, stride, luma_);
    auto hash = pdq::HashLuma(luma_.view());
    if (!hash.ok()) return hash.status();
    out.hash = hash->hash;
    out.quality = hash->quality;
    return out;
  }

  const VideoHashOptions& options_;
  const FrameSink& sink_;
  IoState io_state_;
  // Declared in this order so that the format context closes before its I/O context is freed.
  std::unique_ptr<AVIOContext, IoDeleter> io_;
  std::unique_ptr<AVFormatContext, FormatDeleter> format_;
  std::unique_ptr<AVCodecContext, CodecDeleter> codec_;
  std::unique_ptr<AVFrame, FrameDeleter> frame_;
  std::unique_ptr<AVPacket, PacketDeleter> packet_;
  std::unique_ptr<SwsContext, SwsDeleter> sws_;
  std::vector<uint8_t> rgb_;
  pdq::LumaImage luma_;
  int stream_ = -1;
  int64_t frame_mod_ = 1;
  int64_t expected_frames_ = 0;
  int64_t packets_ = 0;  // of the video stream, read so far
  VideoHash result_;
};

}  // namespace

Result<VideoHash> HashVideoStream(ByteSource& source, const VideoHashOptions& options, const FrameSink& sink) {
  InitFfmpegOnce();
  last_ffmpeg_message.clear();
  if (options.seconds_per_hash < 0 || !(options.seconds_per_hash < 1e6)) {
    return Invalid("seconds per hash must be 0 (every frame) or a positive number of seconds");
  }
  Decoder decoder(options, sink);
  return decoder.Run(source);
}

Result<VideoHash> HashVideo(ByteSource& source, const VideoHashOptions& options) {
  std::vector<pdq::VpdqFrame> frames;
  auto hashed = HashVideoStream(source, options, [&](const pdq::VpdqFrame& f) {
    frames.push_back(f);
    return Status::Ok();
  });
  if (!hashed.ok()) return hashed.status();
  hashed->frames = std::move(frames);
  return hashed;
}

Result<VideoHash> HashVideoBytes(std::span<const uint8_t> bytes, const VideoHashOptions& options) {
  MemorySource source(bytes);
  return HashVideo(source, options);
}

Result<VideoHash> HashVideoFile(const std::string& path, const VideoHashOptions& options) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return Status::NotFound("cannot open " + path + ": " + std::strerror(errno));
  FileSource source(file);
  return HashVideo(source, options);
}

Result<VideoHash> HashLiveStream(const std::string& input, const VideoHashOptions& options, const FrameSink& sink) {
  VideoHashOptions live = options;
  live.live = true;
  if (input == "-") {
    FileSource source(stdin, /*owned=*/false);
    return HashVideoStream(source, live, sink);
  }
  if (input.find("://") != std::string::npos) {
    InitFfmpegOnce();
    UrlSource source;
    if (Status s = source.Open(input); !s.ok()) return s;
    return HashVideoStream(source, live, sink);
  }
  std::FILE* file = std::fopen(input.c_str(), "rb");
  if (file == nullptr) return Status::NotFound("cannot open " + input + ": " + std::strerror(errno));
  FileSource source(file);
  return HashVideoStream(source, live, sink);
}

}  // namespace exchange::video
