// SPDX-License-Identifier: Apache-2.0
#include "pdq/index.h"

#include <immintrin.h>
#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <mutex>
#include <new>
#include <numeric>
#include <utility>

#ifdef __linux__
#include <sys/mman.h>
#endif

namespace exchange::pdq {
namespace {

using Words = std::array<uint64_t, 4>;

// Allocates arrays of 2 MiB and more on transparent huge pages where Linux
// offers them (THP "madvise" mode, Debian's default). Queries touch about
// 10,000 random cache lines across ~60 MB at 1M hashes: with 4 KiB pages
// nearly every one is also a TLB miss, and a page walk (two-dimensional
// under a hypervisor) costs more than the miss itself. Exact sizes: the
// tail that does not fill a huge page stays on small pages, so nothing is
// wasted.
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr size_t kHuge = size_t{2} << 20;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: rebinding

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
#ifdef __linux__
    if (bytes >= kHuge) {
      const size_t length = (bytes + 4095) & ~size_t{4095};
      void* mapped = mmap(nullptr, length + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (mapped == MAP_FAILED) throw std::bad_alloc();
      // Keep the 2 MiB-aligned part.
      auto* base = static_cast<char*>(mapped);
      const size_t head = (kHuge - reinterpret_cast<uintptr_t>(base) % kHuge) % kHuge;
      if (head > 0) munmap(base, head);
      munmap(base + head + length, kHuge - head);
      madvise(base + head, length, MADV_HUGEPAGE);
      return reinterpret_cast<T*>(base + head);
    }
#endif
    return std::allocator<T>().allocate(n);
  }

  void deallocate(T* p, size_t n) {
    const size_t bytes = n * sizeof(T);
#ifdef __linux__
    if (bytes >= kHuge) {
      munmap(p, (bytes + 4095) & ~size_t{4095});
      return;
    }
#endif
    std::allocator<T>().deallocate(p, n);
  }

  friend bool operator==(const HugePageAllocator&, const HugePageAllocator&) { return true; }
};

template <typename T>
using BigVector = std::vector<T, HugePageAllocator<T>>;

constexpr int kPieces = 8;                           // 32 bits each
constexpr size_t kMaxSegmentSize = size_t{1} << 24;  // positions are 24 bits
constexpr uint32_t kPositionMask = (1u << 24) - 1;
constexpr int kMinHiBits = 4, kMaxHiBits = 19;
constexpr size_t kMinBufferLimit = 8192;
constexpr size_t kPadding = 32;  // spare bytes after each filter and position array

// Planner: rough costs in nanoseconds on a 2-core Xeon VM (bench/pdq). A
// probe costs per bucket visited plus a little per entry filtered; a scan
// costs a 256-bit distance per hash. Only the ratio matters: it picks
// probing up to d ≈ 50 at 1M hashes and scanning at d = 63.
constexpr double kVisitCost = 12, kEntryCost = 0.3, kScanCost = 1.3;

// Hash bytes as four big-endian words, so that piece i is bytes 4i..4i+3.
Words ToWords(const PdqHash& hash) {
  Words w{};
  for (size_t i = 0; i < 32; ++i) w[i / 8] = (w[i / 8] << 8) | hash[i];
  return w;
}

PdqHash FromWords(const Words& w) {
  PdqHash hash{};
  for (size_t i = 0; i < 32; ++i) hash[i] = static_cast<uint8_t>(w[i / 8] >> (56 - 8 * (i % 8)));
  return hash;
}

uint32_t Piece(const Words& w, int i) {
  const uint64_t word = w[static_cast<size_t>(i / 2)];
  return static_cast<uint32_t>(i % 2 == 0 ? word >> 32 : word);
}

// The bits below the bucket key folded to 8 by XOR. dist(Fold(a), Fold(b))
// ≤ dist(a, b): each output bit is the XOR of its own set of input bits.
uint8_t Fold(uint32_t low) {
  low ^= low >> 16;
  low ^= low >> 8;
  return static_cast<uint8_t>(low);
}

// Bits in the bucket key: about 16 hashes per bucket up to 2^23 hashes
// (h = 19), more per bucket beyond, keeping the offsets small.
int HiBitsFor(size_t n) { return std::clamp(static_cast<int>(std::bit_width(n)) - 4, kMinHiBits, kMaxHiBits); }

// Σ(t_i + 1) = d + 1 spread evenly; t_i = -1 means piece i is not searched.
std::array<int, kPieces> Thresholds(int max_distance) {
  std::array<int, kPieces> t{};
  const int s = max_distance + 1;
  for (int i = 0; i < kPieces; ++i) t[i] = s / kPieces + (i < s % kPieces ? 1 : 0) - 1;
  return t;
}

// One bucket to visit for a piece: the key XOR mask, where the entries'
// filters may differ from the query's by at most `allowed` bits.
struct Step {
  uint32_t mask;
  int allowed;
};

// The steps for threshold t over h-bit keys: every mask with e ≤ t bits set,
// with allowed = t - e (a filter has 8 bits, so at most 8), fewest bits
// first. t ≤ 7: a threshold is at most (63 + 1) / 8 - 1. Built for each h
// on first use (at h = 19, about 1.5 MB).
const std::vector<Step>& StepsFor(int h, int t) {
  using Table = std::array<std::vector<Step>, 8>;
  static std::array<std::once_flag, kMaxHiBits + 1> once;
  static std::array<Table, kMaxHiBits + 1> tables;
  const auto hi = static_cast<size_t>(h);
  std::call_once(once[hi], [&] {
    std::array<std::vector<uint32_t>, 8> by_count;
    for (uint32_t m = 0; m < (1u << h); ++m) {
      if (std::popcount(m) < 8) by_count[static_cast<size_t>(std::popcount(m))].push_back(m);
    }
    for (int threshold = 0; threshold < 8; ++threshold) {
      for (int e = 0; e <= threshold; ++e) {
        for (uint32_t m : by_count[static_cast<size_t>(e)])
          tables[hi][threshold].push_back({m, std::min(threshold - e, 8)});
      }
    }
  });
  return tables[hi][static_cast<size_t>(t)];
}

uint64_t Binomial(int n, int k) {
  if (k < 0 || k > n) return 0;
  uint64_t r = 1;
  for (int i = 1; i <= k; ++i) r = r * static_cast<uint64_t>(n - k + i) / static_cast<uint64_t>(i);
  return r;
}

}  // namespace

struct Index::Segment {
  int hi_bits = kMinHiBits;
  BigVector<Words> hashes;  // in piece 0's bucket order; a hash's index here is its position
  // Piece i's bucket b holds entries [offsets[i][b], offsets[i][b + 1]) of
  // filters[i] and positions[i]. One offset array for all pieces, so that it
  // fills huge pages.
  BigVector<uint32_t> offset_table;
  std::array<const uint32_t*, kPieces> offsets{};
  std::array<BigVector<uint8_t>, kPieces> filters;    // 1 byte per entry
  std::array<BigVector<uint8_t>, kPieces> positions;  // 3 bytes per entry, little-endian; none for piece 0
  std::vector<uint64_t> dead;                         // one bit per position
  size_t dead_count = 0;

  size_t size() const { return hashes.size(); }
  size_t live() const { return size() - dead_count; }
  bool IsDead(size_t p) const { return (dead[p / 64] >> (p % 64)) & 1; }
  uint32_t Key(uint32_t piece) const { return piece >> (32 - hi_bits); }
  uint8_t FilterOf(uint32_t piece) const { return Fold(piece & ((1u << (32 - hi_bits)) - 1)); }
  // The position held by entry k of piece i (i ≥ 1). Reads 4 bytes: the
  // arrays carry padding.
  uint32_t PositionAt(int i, size_t k) const {
    uint32_t v;
    std::memcpy(&v, positions[i].data() + 3 * k, 4);
    return v & kPositionMask;
  }

  size_t MemoryBytes() const {
    size_t bytes = sizeof(*this) + hashes.capacity() * sizeof(Words) + offset_table.capacity() * sizeof(uint32_t) +
                   dead.capacity() * sizeof(uint64_t);
    for (int i = 0; i < kPieces; ++i) bytes += filters[i].capacity() + positions[i].capacity();
    return bytes;
  }

  // Position of `w`, or -1.
  int64_t Find(const Words& w) const {
    const uint32_t piece = Piece(w, 0);
    const uint32_t key = Key(piece);
    const uint8_t f = FilterOf(piece);
    for (uint32_t p = offsets[0][key]; p < offsets[0][key + 1]; ++p) {
      if (filters[0][p] == f && hashes[p] == w && !IsDead(p)) return p;
    }
    return -1;
  }
};

namespace {

using Segment = Index::Segment;

// Distinct hashes in, a segment out: counting sorts by each piece's key.
std::unique_ptr<Segment> BuildSegment(std::vector<Words> items) {
  auto s = std::make_unique<Segment>();
  const size_t n = items.size();
  s->hi_bits = HiBitsFor(n);
  const size_t buckets = size_t{1} << s->hi_bits;
  s->offset_table.assign(kPieces * (buckets + 1), 0);
  for (int i = 0; i < kPieces; ++i) s->offsets[i] = s->offset_table.data() + static_cast<size_t>(i) * (buckets + 1);
  // Counting sort by piece i's key: offsets, then each item's slot.
  auto count = [&](int i, auto&& for_each_piece) {
    uint32_t* offsets = s->offset_table.data() + static_cast<size_t>(i) * (buckets + 1);
    for_each_piece([&](uint32_t piece, uint32_t) { ++offsets[s->Key(piece) + 1]; });
    std::partial_sum(offsets, offsets + buckets + 1, offsets);
    return std::vector<uint32_t>(offsets, offsets + buckets);  // next free slot per bucket
  };
  // Piece 0 orders the hashes themselves.
  {
    auto over_items = [&](auto&& f) {
      for (const Words& w : items) f(Piece(w, 0), 0);
    };
    std::vector<uint32_t> next = count(0, over_items);
    s->hashes.resize(n);
    s->filters[0].resize(n + kPadding);  // the SIMD filter reads whole vectors
    for (const Words& w : items) {
      const uint32_t piece = Piece(w, 0);
      const uint32_t p = next[s->Key(piece)]++;
      s->hashes[p] = w;
      s->filters[0][p] = s->FilterOf(piece);
    }
  }
  std::vector<Words>().swap(items);
  for (int i = 1; i < kPieces; ++i) {
    auto over_hashes = [&](auto&& f) {
      for (uint32_t p = 0; p < n; ++p) f(Piece(s->hashes[p], i), p);
    };
    std::vector<uint32_t> next = count(i, over_hashes);
    s->filters[i].resize(n + kPadding);
    s->positions[i].resize(3 * n + kPadding);
    over_hashes([&](uint32_t piece, uint32_t p) {
      const uint32_t k = next[s->Key(piece)]++;
      s->filters[i][k] = s->FilterOf(piece);
      for (int byte = 0; byte < 3; ++byte) s->positions[i][3 * k + byte] = static_cast<uint8_t>(p >> (8 * byte));
    });
  }
  s->dead.assign((n + 63) / 64, 0);
  return s;
}

// Candidates found in one segment: (position, distance), unsorted, may repeat.
using Hits = std::vector<std::pair<uint32_t, int>>;

// The probing and scanning are written once and compiled for several
// targets, chosen at run time: any x86-64, with POPCNT (std::popcount is a
// long bit trick without it), and with AVX2 for the filters.
[[gnu::always_inline]] inline int Distance(const Words& a, const Words& b) {
  return std::popcount(a[0] ^ b[0]) + std::popcount(a[1] ^ b[1]) + std::popcount(a[2] ^ b[2]) +
         std::popcount(a[3] ^ b[3]);
}

[[gnu::always_inline]] inline void ScanImpl(const Words* hashes, size_t n, const Words& q, int d,
                                            const Segment* segment, Hits& hits) {
  for (size_t p = 0; p < n; ++p) {
    const int dist = Distance(hashes[p], q);
    if (dist <= d && (segment == nullptr || !segment->IsDead(p))) hits.emplace_back(static_cast<uint32_t>(p), dist);
  }
}

// A bucket's range of entries, and the bits their filters may differ by.
struct Visit {
  uint32_t begin, end;
  int allowed;
};

// Filtering one bucket of piece i: appends to out[n...] the entries whose
// filter differs from qf in at most `allowed` bits, and returns the new n.
// Filters sit apart from positions so that a bucket's filters (about 16
// bytes at 1M hashes) usually share one cache line, and positions are read
// only for the few entries that pass.
struct ScalarFilter {
  [[gnu::always_inline]] static size_t Bucket(const Segment& s, int i, const Visit& v, uint32_t qf, uint32_t* out,
                                              size_t n) {
    const uint8_t* filters = s.filters[i].data();
    for (uint32_t k = v.begin; k < v.end; ++k) {
      if (std::popcount(static_cast<uint32_t>(filters[k] ^ qf)) <= v.allowed) {
        out[n++] = k;
      }
    }
    return n;
  }
};

// 32 filters at a time. Reads up to 31 bytes past a bucket's end: the filter
// arrays carry kPadding spare bytes, and the lanes past the end are masked.
struct Avx2Filter {
  [[gnu::target("avx2,popcnt,bmi")]] static size_t Bucket(const Segment& s, int i, const Visit& v, uint32_t qf,
                                                          uint32_t* out, size_t n) {
    const __m256i bits_in_nibble = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,  //
                                                    0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    const __m256i query = _mm256_set1_epi8(static_cast<char>(qf));
    const __m256i limit = _mm256_set1_epi8(static_cast<char>(v.allowed + 1));
    const uint8_t* filters = s.filters[i].data();
    for (uint32_t k = v.begin; k < v.end; k += 32) {
      const __m256i x = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(filters + k)), query);
      const __m256i count =
          _mm256_add_epi8(_mm256_shuffle_epi8(bits_in_nibble, _mm256_and_si256(x, nibble)),
                          _mm256_shuffle_epi8(bits_in_nibble, _mm256_and_si256(_mm256_srli_epi16(x, 4), nibble)));
      auto mask = static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpgt_epi8(limit, count)));
      if (v.end - k < 32) mask &= (1u << (v.end - k)) - 1;
      for (; mask != 0; mask &= mask - 1) {
        out[n++] = k + static_cast<uint32_t>(std::countr_zero(mask));
      }
    }
    return n;
  }
};

// Probing is bound by memory latency: almost every bucket offset, filter,
// position and candidate hash is a cache miss. So the visits are software-
// pipelined: the offsets of bucket k + kOffsetsAhead and the filters of
// bucket k + kFiltersAhead are fetched while bucket k is filtered, keeping
// many misses in flight instead of one; then the positions of all the
// entries that passed are fetched, then their hashes, before any is used.
constexpr size_t kOffsetsAhead = 24, kFiltersAhead = 12, kRing = 32;

template <typename Filter>
[[gnu::always_inline]] inline void ProbeImpl(const Segment& s, const Words& q, int d, Hits& hits) {
  thread_local std::vector<uint32_t> candidates(1024);  // kept between queries: no allocation once grown
  const std::array<int, kPieces> t = Thresholds(d);
  for (int i = 0; i < kPieces; ++i) {
    if (t[i] < 0) continue;
    const uint32_t piece = Piece(q, i);
    const uint32_t key = s.Key(piece);
    const uint32_t qf = s.FilterOf(piece);
    const uint32_t* offsets = s.offsets[i];
    const uint8_t* filters = s.filters[i].data();
    const std::vector<Step>& steps = StepsFor(s.hi_bits, t[i]);
    const size_t m = steps.size();
    std::array<Visit, kRing> ring;
    size_t n = 0;
    for (size_t k = 0; k < m + kOffsetsAhead; ++k) {
      if (k < m) __builtin_prefetch(offsets + (key ^ steps[k].mask));
      if (k >= kOffsetsAhead - kFiltersAhead && k - (kOffsetsAhead - kFiltersAhead) < m) {
        const size_t j = k - (kOffsetsAhead - kFiltersAhead);
        const uint32_t b = key ^ steps[j].mask;
        const Visit v{offsets[b], offsets[b + 1], steps[j].allowed};
        __builtin_prefetch(filters + v.begin);
        ring[j % kRing] = v;
      }
      if (k >= kOffsetsAhead) {
        const Visit& v = ring[(k - kOffsetsAhead) % kRing];
        if (candidates.size() < n + (v.end - v.begin)) candidates.resize(2 * (n + (v.end - v.begin)));
        n = Filter::Bucket(s, i, v, qf, candidates.data(), n);
      }
    }
    // The entries that passed: their positions, then their hashes, each
    // fetched all at once before use.
    uint32_t* entries = candidates.data();
    if (i > 0) {
      for (size_t k = 0; k < n; ++k) __builtin_prefetch(s.positions[i].data() + 3 * entries[k]);
      for (size_t k = 0; k < n; ++k) entries[k] = s.PositionAt(i, entries[k]);
    }
    for (size_t k = 0; k < n; ++k) __builtin_prefetch(&s.hashes[entries[k]]);
    for (size_t k = 0; k < n; ++k) {
      const uint32_t p = entries[k];
      const int dist = Distance(s.hashes[p], q);
      if (dist <= d && !s.IsDead(p)) hits.emplace_back(p, dist);
    }
  }
}

// flatten: inlines the generic ProbeImpl and the AVX2 filter into one function.
[[gnu::target("avx2,popcnt"), gnu::flatten]] void ProbeAvx2(const Segment& s, const Words& q, int d, Hits& hits) {
  ProbeImpl<Avx2Filter>(s, q, d, hits);
}
[[gnu::target("popcnt")]] void ProbePopcnt(const Segment& s, const Words& q, int d, Hits& hits) {
  ProbeImpl<ScalarFilter>(s, q, d, hits);
}
void ProbeGeneric(const Segment& s, const Words& q, int d, Hits& hits) { ProbeImpl<ScalarFilter>(s, q, d, hits); }
[[gnu::target("popcnt")]] void ScanPopcnt(const Words* h, size_t n, const Words& q, int d, const Segment* s,
                                          Hits& hits) {
  ScanImpl(h, n, q, d, s, hits);
}
void ScanGeneric(const Words* h, size_t n, const Words& q, int d, const Segment* s, Hits& hits) {
  ScanImpl(h, n, q, d, s, hits);
}

bool HavePopcnt() {
  static const bool have = __builtin_cpu_supports("popcnt");
  return have;
}

bool HaveAvx2() {
  static const bool have = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
  return have;
}

void Probe(const Segment& s, const Words& q, int d, Hits& hits) {
  if (HaveAvx2()) return ProbeAvx2(s, q, d, hits);
  HavePopcnt() ? ProbePopcnt(s, q, d, hits) : ProbeGeneric(s, q, d, hits);
}
void Scan(const Words* h, size_t n, const Words& q, int d, const Segment* s, Hits& hits) {
  HavePopcnt() ? ScanPopcnt(h, n, q, d, s, hits) : ScanGeneric(h, n, q, d, s, hits);
}

// Whether probing `s` for distance d is expected to cost more than a scan.
bool ScanIsCheaper(const Segment& s, int d) {
  const std::array<int, kPieces> t = Thresholds(d);
  double visits = 0;
  for (int ti : t) {
    for (int e = 0; e <= std::min(ti, s.hi_bits); ++e) visits += static_cast<double>(Binomial(s.hi_bits, e));
  }
  const double per_bucket = static_cast<double>(s.size()) / static_cast<double>(size_t{1} << s.hi_bits);
  const double probe = visits * (kVisitCost + per_bucket * kEntryCost);
  return probe > static_cast<double>(s.size()) * kScanCost;
}

}  // namespace

Index::Index(IndexOptions options) : options_(options) {}
Index::~Index() = default;

void Index::Assign(std::span<const PdqHash> hashes) {
  std::lock_guard writer(writer_mu_);
  std::vector<Words> all;
  all.reserve(hashes.size());
  for (const PdqHash& h : hashes) all.push_back(ToWords(h));
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::vector<std::unique_ptr<Segment>> segments;
  for (size_t begin = 0; begin < all.size(); begin += kMaxSegmentSize) {
    const size_t end = std::min(all.size(), begin + kMaxSegmentSize);
    segments.push_back(BuildSegment(
        std::vector<Words>(all.begin() + static_cast<ptrdiff_t>(begin), all.begin() + static_cast<ptrdiff_t>(end))));
  }
  const size_t n = all.size();
  std::vector<Words>().swap(all);
  std::unique_lock lock(mu_);
  segments_.swap(segments);
  buffer_.clear();
  buffer_.shrink_to_fit();
  size_ = n;
  lock.unlock();  // the old segments are freed outside the lock
}

bool Index::FindLocked(const Words& words, size_t* segment, size_t* position) const {
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (int64_t p = segments_[i]->Find(words); p >= 0) {
      *segment = i;
      *position = static_cast<size_t>(p);
      return true;
    }
  }
  for (size_t i = 0; i < buffer_.size(); ++i) {
    if (buffer_[i] == words) {
      *segment = segments_.size();
      *position = i;
      return true;
    }
  }
  return false;
}

bool Index::Insert(const PdqHash& hash) {
  std::lock_guard writer(writer_mu_);
  const Words words = ToWords(hash);
  size_t segment, position;
  if (FindLocked(words, &segment, &position)) return false;  // no other writer: reading is safe
  {
    std::unique_lock lock(mu_);
    buffer_.push_back(words);
    ++size_;
  }
  MaybeCompact();
  return true;
}

bool Index::Erase(const PdqHash& hash) {
  std::lock_guard writer(writer_mu_);
  size_t segment, position;
  if (!FindLocked(ToWords(hash), &segment, &position)) return false;
  {
    std::unique_lock lock(mu_);
    if (segment == segments_.size()) {
      buffer_[position] = buffer_.back();
      buffer_.pop_back();
    } else {
      Segment& s = *segments_[segment];
      s.dead[position / 64] |= uint64_t{1} << (position % 64);
      ++s.dead_count;
    }
    --size_;
  }
  MaybeCompact();
  return true;
}

namespace {

// The live hashes of `s`, appended to `items`.
void AppendLive(const Segment& s, std::vector<Words>& items) {
  for (size_t p = 0; p < s.size(); ++p) {
    if (!s.IsDead(p)) items.push_back(s.hashes[p]);
  }
}

}  // namespace

void Index::MaybeCompact() {
  // Writer only: reading segments_ and buffer_ without mu_ is safe here.
  // Each change below is built first, then swapped in under mu_ at once, so
  // queries never see a hash twice or not at all.

  // A segment a quarter dead is rebuilt where it stands (or dropped, if empty).
  for (size_t i = 0; i < segments_.size();) {
    if (segments_[i]->dead_count * 4 <= segments_[i]->size()) {
      ++i;
      continue;
    }
    std::vector<Words> items;
    AppendLive(*segments_[i], items);
    std::unique_ptr<Segment> fresh = items.empty() ? nullptr : BuildSegment(std::move(items));
    std::unique_ptr<Segment> retired;
    std::unique_lock lock(mu_);
    retired = std::move(segments_[i]);
    if (fresh) {
      segments_[i++] = std::move(fresh);
    } else {
      segments_.erase(segments_.begin() + static_cast<ptrdiff_t>(i));
    }
    lock.unlock();  // `retired` is freed outside the lock
  }

  // A full buffer becomes a segment, together with the segments at the end
  // that are not more than twice the size of what comes after them (see
  // index.h: sizes then grow geometrically towards the front, and a hash is
  // rebuilt only when its segment grows by half or more).
  const size_t buffer_limit = std::max(kMinBufferLimit, size_ / 256);
  if (buffer_.size() < buffer_limit) return;
  size_t first = segments_.size();  // segments [first, end) join the buffer
  size_t total = buffer_.size();
  while (first > 0) {
    const size_t live = segments_[first - 1]->live();
    if (live > 2 * total || live + total > kMaxSegmentSize) break;
    total += live;
    --first;
  }
  std::vector<Words> items;
  items.reserve(total);
  items.assign(buffer_.begin(), buffer_.end());
  for (size_t i = first; i < segments_.size(); ++i) AppendLive(*segments_[i], items);
  std::unique_ptr<Segment> fresh = BuildSegment(std::move(items));

  std::vector<std::unique_ptr<Segment>> retired;
  std::unique_lock lock(mu_);
  for (size_t i = first; i < segments_.size(); ++i) retired.push_back(std::move(segments_[i]));
  segments_.resize(first);
  segments_.push_back(std::move(fresh));
  buffer_.clear();
  buffer_.shrink_to_fit();
  lock.unlock();  // `retired` is freed outside the lock
}

bool Index::Contains(const PdqHash& hash) const {
  std::shared_lock lock(mu_);
  size_t segment, position;
  return FindLocked(ToWords(hash), &segment, &position);
}

Result<std::vector<Match>> Index::Query(const PdqHash& query, int max_distance) const {
  if (max_distance < 0 || max_distance > kMaxDistance) {
    return Status::InvalidArgument("maximum distance must be between 0 and " + std::to_string(kMaxDistance));
  }
  const Words q = ToWords(query);
  std::vector<Match> out;
  Hits hits;
  std::shared_lock lock(mu_);
  for (const auto& segment : segments_) {
    hits.clear();
    if (options_.allow_scan && ScanIsCheaper(*segment, max_distance)) {
      Scan(segment->hashes.data(), segment->size(), q, max_distance, segment.get(), hits);
    } else {
      Probe(*segment, q, max_distance, hits);
      std::sort(hits.begin(), hits.end());
      hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
    }
    for (const auto& [p, dist] : hits) out.push_back({FromWords(segment->hashes[p]), dist});
  }
  hits.clear();
  Scan(buffer_.data(), buffer_.size(), q, max_distance, nullptr, hits);
  for (const auto& [p, dist] : hits) out.push_back({FromWords(buffer_[p]), dist});
  lock.unlock();
  std::sort(out.begin(), out.end(),
            [](const Match& a, const Match& b) { return std::tie(a.distance, a.hash) < std::tie(b.distance, b.hash); });
  return out;
}

size_t Index::size() const {
  std::shared_lock lock(mu_);
  return size_;
}

size_t Index::segment_count() const {
  std::shared_lock lock(mu_);
  return segments_.size();
}

size_t Index::MemoryBytes() const {
  std::shared_lock lock(mu_);
  size_t bytes =
      sizeof(*this) + buffer_.capacity() * sizeof(Words) + segments_.capacity() * sizeof(std::unique_ptr<Segment>);
  for (const auto& s : segments_) bytes += s->MemoryBytes();
  return bytes;
}

}  // namespace exchange::pdq
