// SPDX-License-Identifier: Apache-2.0
// pdq_bench: figures for PDQ matching and hashing, printed as Markdown
// (bench/pdq/run.sh assembles bench/pdq/RESULTS.md from them).
//
//   pdq_bench index --sizes 1000000,10000000 [--distance 31] [--data-dir DIR]
//     For random and for clustered stored hashes: pdq::Index queries/s and
//     recall on one thread, beside a brute-force popcount scan in the same
//     run, memory per stored hash, build time, and insert/erase rates. With
//     --data-dir, writes each data set and its queries for faiss_bench.py.
//     With --threads 1,2, the same queries again on that many threads sharing
//     the index. Also: build time and peak RSS, and the work of a query
//     (buckets, filters, candidates, cache lines) counted by a model. Above
//     10M, the random set only.
//
//   pdq_bench queries [--size 1000000] [--queries 1000] [--distance 31]
//     Only Assign and the queries (random stored hashes), for a profiler:
//     bench/pdq/run.sh runs it under callgrind.
//
//   pdq_bench hash --vectors DIR [--generated N] [--rounds R]
//     Images/s end to end (decode + hash) on one thread, and the share of
//     the time spent decoding, on the vector images and on N large JPEGs
//     generated here from one of them, for several JPEG decode scales.
#include <sys/mman.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

// clang-format off: jpeglib.h needs stdio.h and stddef.h first.
#include <jpeglib.h>
#include <cstddef>
// clang-format on

#include "jpeg_encoder.h"
#include "pdq/hasher.h"
#include "pdq/image.h"
#include "pdq/index.h"
#include "signals/match.h"

namespace {

namespace fs = std::filesystem;
using exchange::pdq::PdqHash;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

// CPU time of the calling thread: unlike wall time, it does not count the
// time other processes on a shared machine held the CPU.
double ThreadSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// --- matching ---------------------------------------------------------------

PdqHash RandomHash(std::mt19937_64& rng) {
  PdqHash h;
  for (size_t i = 0; i < h.size(); i += 8) {
    const uint64_t v = rng();
    std::memcpy(h.data() + i, &v, 8);
  }
  return h;
}

// `h` with `bits` distinct bits flipped.
PdqHash Flip(PdqHash h, int bits, std::mt19937_64& rng) {
  std::array<bool, 256> used{};
  std::uniform_int_distribution<int> bit(0, 255);
  for (int flipped = 0; flipped < bits;) {
    const int b = bit(rng);
    if (used[static_cast<size_t>(b)]) continue;
    used[static_cast<size_t>(b)] = true;
    h[static_cast<size_t>(b / 8)] ^= static_cast<uint8_t>(1u << (b % 8));
    ++flipped;
  }
  return h;
}

struct DataSet {
  std::string name;
  std::vector<PdqHash> stored;
  std::vector<PdqHash> queries;
};

// Queries: half are stored hashes with 0-40 bits flipped (so most have a
// match at d = 31), half are unrelated.
std::vector<PdqHash> MakeQueries(const std::vector<PdqHash>& stored, size_t count, std::mt19937_64& rng) {
  std::vector<PdqHash> queries;
  std::uniform_int_distribution<size_t> pick(0, stored.size() - 1);
  std::uniform_int_distribution<int> bits(0, 40);
  for (size_t i = 0; i < count; ++i) {
    queries.push_back(i % 2 == 0 ? Flip(stored[pick(rng)], bits(rng), rng) : RandomHash(rng));
  }
  return queries;
}

DataSet RandomData(size_t n, size_t queries, uint64_t seed) {
  std::mt19937_64 rng(seed);
  DataSet d{"random", {}, {}};
  d.stored.reserve(n);
  for (size_t i = 0; i < n; ++i) d.stored.push_back(RandomHash(rng));
  d.queries = MakeQueries(d.stored, queries, rng);
  return d;
}

// Near-duplicate families, as real hash lists hold: n / 100 centres, each
// with 99 copies 1-30 bits away.
DataSet ClusteredData(size_t n, size_t queries, uint64_t seed) {
  std::mt19937_64 rng(seed);
  DataSet d{"clustered", {}, {}};
  d.stored.reserve(n);
  std::uniform_int_distribution<int> bits(1, 30);
  while (d.stored.size() < n) {
    const PdqHash centre = RandomHash(rng);
    d.stored.push_back(centre);
    for (int i = 0; i < 99 && d.stored.size() < n; ++i) d.stored.push_back(Flip(centre, bits(rng), rng));
  }
  d.queries = MakeQueries(d.stored, queries, rng);
  return d;
}

// The reference point: a plain scan with the POPCNT instruction, straight
// over the generated hashes (no copy: at 100M they are 3.2 GB).
[[gnu::target("popcnt")]] void BruteForce(const std::vector<PdqHash>& stored, const PdqHash& query, int d,
                                          std::vector<uint32_t>& out) {
  std::array<uint64_t, 4> q;
  std::memcpy(q.data(), query.data(), 32);
  out.clear();
  for (size_t i = 0, n = stored.size(); i < n; ++i) {
    std::array<uint64_t, 4> w;
    std::memcpy(w.data(), stored[i].data(), 32);
    const int dist = __builtin_popcountll(w[0] ^ q[0]) + __builtin_popcountll(w[1] ^ q[1]) +
                     __builtin_popcountll(w[2] ^ q[2]) + __builtin_popcountll(w[3] ^ q[3]);
    if (dist <= d) out.push_back(static_cast<uint32_t>(i));
  }
}

// Peak resident memory of this process since the last ResetPeakRss(), in
// bytes: /proc/self/status's VmHWM, which writing 5 to clear_refs resets
// (Linux 4.0+); getrusage's lifetime peak where that is missing.
void ResetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

size_t PeakRssBytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("VmHWM:")) return std::stoull(line.substr(6)) * 1024;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<size_t>(usage.ru_maxrss) * 1024;
}

// Where a query's time goes. There are no hardware counters in this VM
// (`perf stat -e instructions` says "not supported"), so this counts the work
// pdq::Index's probing does, from the layout index.h documents: segments of
// up to 2^24 hashes in sorted order; in each, 8 pieces of 32 bits, whose top h
// bits (h = bit width of the segment size - 4, clamped to 4-19) pick a bucket
// and whose other bits fold by XOR into an 8-bit filter; thresholds t_i with
// sum(t_i + 1) = d + 1; every bucket whose key is within e <= t_i bits is
// visited and its entries' filters compared (within t_i - e bits); each entry
// that passes is verified by reading its 3-byte position (pieces 1-7) and its
// 32-byte hash. Every such read lands in an array far larger than the caches,
// at a random place: the counts of cache lines below are the misses a query
// pays, bar the few that hit by chance. A model, not the index: it checks
// itself by finding exactly the brute-force matches.
struct Work {
  double buckets = 0;       // bucket visits (each reads one offset pair)
  double entries = 0;       // filters compared
  double candidates = 0;    // entries that passed their filter and were verified
  double lines = 0;         // random cache lines read: offsets, filters, positions, hashes
  double bucket_lines = 0;  // of which the bucket visits' (offsets and filters)
  size_t matches = 0;       // distinct hashes within d (must equal brute force's)
  size_t segments = 0;
};

uint32_t PieceOf(const PdqHash& h, int i) {
  const size_t b = static_cast<size_t>(4 * i);
  return (uint32_t{h[b]} << 24) | (uint32_t{h[b + 1]} << 16) | (uint32_t{h[b + 2]} << 8) | h[b + 3];
}

// Adds the work of `queries` against one segment (`stored[begin, end)`) to `work`.
void CountSegmentWork(const std::vector<PdqHash>& stored, size_t begin, size_t end, const std::vector<PdqHash>& queries,
                      int d, Work& work, std::vector<std::set<PdqHash>>& found) {
  const size_t n = end - begin;
  const int h = std::clamp(static_cast<int>(std::bit_width(n)) - 4, 4, 19);
  const size_t buckets = size_t{1} << h;
  std::vector<std::vector<std::pair<uint32_t, int>>> masks(8);  // (mask, bits) for each threshold
  for (uint32_t m = 0; m < buckets; ++m) {
    const int bits = std::popcount(m);
    if (bits < 8) masks[static_cast<size_t>(bits)].push_back({m, bits});
  }
  ++work.segments;
  for (int i = 0; i < 8; ++i) {
    const int s = d + 1;
    const int t = s / 8 + (i < s % 8 ? 1 : 0) - 1;
    if (t < 0) continue;
    // Piece i's buckets: counting sort of (filter, hash index) by key.
    auto key = [&](uint32_t piece) { return piece >> (32 - h); };
    auto filter = [&](uint32_t piece) {
      uint32_t low = piece & ((uint32_t{1} << (32 - h)) - 1);
      low ^= low >> 16;
      low ^= low >> 8;
      return static_cast<uint8_t>(low);
    };
    std::vector<uint32_t> offsets(buckets + 1, 0);
    for (size_t p = begin; p < end; ++p) ++offsets[key(PieceOf(stored[p], i)) + 1];
    std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
    std::vector<uint32_t> next(offsets.begin(), offsets.end() - 1), which(n);
    std::vector<uint8_t> filters(n);
    for (size_t p = begin; p < end; ++p) {
      const uint32_t piece = PieceOf(stored[p], i);
      const uint32_t k = next[key(piece)]++;
      filters[k] = filter(piece);
      which[k] = static_cast<uint32_t>(p);
    }
    for (size_t q = 0; q < queries.size(); ++q) {
      const uint32_t piece = PieceOf(queries[q], i);
      const uint32_t qk = key(piece);
      const uint8_t qf = filter(piece);
      for (int e = 0; e <= std::min(t, h); ++e) {
        for (const auto& [mask, bits] : masks[static_cast<size_t>(e)]) {
          const uint32_t b = qk ^ mask;
          const uint32_t lo = offsets[b], hi = offsets[b + 1];
          work.buckets += 1;
          const double visit = 1 + (hi > lo ? static_cast<double>((hi - 1) / 64 - lo / 64 + 1) : 0);
          work.lines += visit;  // the offset pair and the filters
          work.bucket_lines += visit;
          work.entries += hi - lo;
          for (uint32_t k = lo; k < hi; ++k) {
            if (std::popcount(static_cast<uint32_t>(filters[k] ^ qf)) > t - bits) continue;
            work.candidates += 1;
            work.lines += i == 0 ? 1 : 2;  // position (pieces 1-7) and hash
            if (exchange::signals::HammingDistance256(stored[which[k]], queries[q]) <= d) {
              found[q].insert(stored[which[k]]);
            }
          }
        }
      }
    }
  }
}

// Counts the work of `queries` on an index Assign'd from `stored`, which it
// reorders: the segments are consecutive runs of 2^24 of the sorted hashes.
Work CountWork(std::vector<PdqHash>& stored, const std::vector<PdqHash>& queries, int d) {
  constexpr size_t kSegment = size_t{1} << 24;
  Work work;
  std::vector<std::set<PdqHash>> found(queries.size());
  // Segment k holds the sorted hashes [k 2^24, (k + 1) 2^24): partitioning
  // is enough (random 256-bit hashes have no duplicates to remove).
  for (size_t cut = kSegment; cut < stored.size(); cut += kSegment) {
    std::nth_element(stored.begin() + static_cast<ptrdiff_t>(cut - kSegment),
                     stored.begin() + static_cast<ptrdiff_t>(cut), stored.end());
  }
  for (size_t begin = 0; begin < stored.size(); begin += kSegment) {
    CountSegmentWork(stored, begin, std::min(stored.size(), begin + kSegment), queries, d, work, found);
  }
  for (const auto& f : found) work.matches += f.size();
  return work;
}

// Nanoseconds per dependent load (a pointer chase: each load's address comes
// from the one before, so only one miss is ever in flight) over `bytes` of
// memory on transparent huge pages, as the index's arrays are: the latency a
// random cache line costs at that working-set size.
double ChaseNs(size_t bytes) {
  const size_t lines = std::max<size_t>(bytes / 64, 2);
  const size_t length = lines * 64;
  void* mapped = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) return 0;
  madvise(mapped, length, MADV_HUGEPAGE);
  auto* next = static_cast<uint64_t*>(mapped);  // line i's first word: the line to visit after it
  std::vector<uint32_t> order(lines);
  std::iota(order.begin(), order.end(), 0u);
  std::mt19937_64 rng(7);
  for (size_t i = lines - 1; i > 0; --i) {  // Sattolo: one cycle through every line
    std::swap(order[i], order[std::uniform_int_distribution<size_t>(0, i - 1)(rng)]);
  }
  for (size_t i = 0; i < lines; ++i) next[8 * size_t{order[i]}] = 8 * size_t{order[(i + 1) % lines]};
  std::vector<uint32_t>().swap(order);
  const size_t steps = 4'000'000;
  uint64_t at = 0;
  for (size_t i = 0; i < steps / 4; ++i) at = next[at];  // warm-up
  const double cpu = ThreadSeconds();
  for (size_t i = 0; i < steps; ++i) at = next[at];
  const double ns = 1e9 * (ThreadSeconds() - cpu) / static_cast<double>(steps);
  if (at == UINT64_MAX) std::abort();  // keeps the chase
  munmap(mapped, length);
  return ns;
}

// Queries/s of `threads` threads sharing `index`, each answering every query
// once (starting at a different one); and the mean queries/CPU-s of a thread.
std::pair<double, double> QueryOnThreads(const exchange::pdq::Index& index, const std::vector<PdqHash>& queries, int d,
                                         int threads) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<double> cpu(static_cast<size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      ++ready;
      while (!go) std::this_thread::yield();
      const double started = ThreadSeconds();
      const size_t n = queries.size(), first = n * static_cast<size_t>(t) / static_cast<size_t>(threads);
      size_t total = 0;
      for (size_t k = 0; k < n; ++k) total += index.Query(queries[(first + k) % n], d)->size();
      cpu[static_cast<size_t>(t)] = ThreadSeconds() - started;
      if (total == SIZE_MAX) std::abort();  // keeps the answers used
    });
  }
  while (ready < threads) std::this_thread::yield();
  const auto start = Clock::now();
  go = true;
  for (std::thread& w : workers) w.join();
  const double wall = Seconds(start);
  double cpu_total = 0;
  for (double c : cpu) cpu_total += c;
  const double n = static_cast<double>(queries.size());
  return {n * threads / wall, n * threads / cpu_total};
}

void WriteHashes(const fs::path& path, const std::vector<PdqHash>& hashes) {
  std::ofstream out(path, std::ios::binary);
  for (const PdqHash& h : hashes) out.write(reinterpret_cast<const char*>(h.data()), 32);
}

std::string Rate(double per_second) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, per_second >= 100 ? "%.0f" : "%.1f", per_second);
  std::string digits = buffer, out;
  const size_t dot = digits.find('.');
  const size_t int_len = dot == std::string::npos ? digits.size() : dot;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && i < int_len && (int_len - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string Count(size_t n) {
  if (n % 1'000'000 == 0) return std::to_string(n / 1'000'000) + "M";
  if (n % 1000 == 0) return std::to_string(n / 1000) + "k";
  return std::to_string(n);
}

int RunIndex(const std::vector<size_t>& sizes, int d, const std::string& data_dir, const std::vector<int>& threads) {
  std::printf(
      "| stored | data | method | queries/s | queries/CPU-s | recall | false matches | matches/query | bytes/hash | "
      "build s |\n");
  std::printf("|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
  std::vector<std::string> updates, threaded, memory, work_rows;
  for (const size_t n : sizes) {
    // Query counts keep each measurement to seconds at this size. Above 10M
    // only the random set: a second 100M set would double the longest step.
    const size_t index_queries = n <= 1'000'000 ? 20000 : n <= 10'000'000 ? 5000 : 2000;
    const size_t brute_queries = n <= 1'000'000 ? 300 : n <= 10'000'000 ? 40 : 100;
    const size_t work_queries = std::min<size_t>(brute_queries, 100);
    for (int kind = 0; kind < (n <= 10'000'000 ? 2 : 1); ++kind) {
      ResetPeakRss();
      DataSet data = kind == 0 ? RandomData(n, index_queries, 1000 + n) : ClusteredData(n, index_queries, 2000 + n);
      const std::string label = Count(n);
      std::fprintf(stderr, "pdq_bench: %s %s: building\n", label.c_str(), data.name.c_str());

      auto index = std::make_unique<exchange::pdq::Index>();
      auto start = Clock::now();
      index->Assign(data.stored);
      const double build = Seconds(start);
      const size_t build_peak = PeakRssBytes();
      const size_t index_bytes = index->MemoryBytes();
      const double bytes_per_hash = static_cast<double>(index_bytes) / static_cast<double>(index->size());

      std::fprintf(stderr, "pdq_bench: %s %s: querying\n", label.c_str(), data.name.c_str());
      std::vector<std::vector<PdqHash>> found(brute_queries);
      start = Clock::now();
      double cpu = ThreadSeconds();
      for (size_t i = 0; i < data.queries.size(); ++i) {
        auto matches = index->Query(data.queries[i], d);
        if (i < brute_queries) {
          for (const auto& m : *matches) found[i].push_back(m.hash);
        }
      }
      const double index_rate = static_cast<double>(data.queries.size()) / Seconds(start);
      const double index_cpu_seconds = ThreadSeconds() - cpu;
      const double index_cpu_rate = static_cast<double>(data.queries.size()) / index_cpu_seconds;

      // The same queries on 1, 2, ... threads sharing the index, one after another.
      double one_thread = 0;
      for (const int t : threads) {
        std::fprintf(stderr, "pdq_bench: %s %s: querying on %d threads\n", label.c_str(), data.name.c_str(), t);
        const auto [rate, cpu_rate] = QueryOnThreads(*index, data.queries, d, t);
        if (t == 1) one_thread = rate;
        char ratio[32] = "", line[256];
        if (one_thread > 0) std::snprintf(ratio, sizeof ratio, "%.2f×", rate / one_thread);
        std::snprintf(line, sizeof line, "| %s | %s | %d | %s | %s | %s | %.2f |", label.c_str(), data.name.c_str(), t,
                      Rate(rate).c_str(), ratio, Rate(cpu_rate).c_str(), rate / cpu_rate);
        threaded.push_back(line);
      }

      std::fprintf(stderr, "pdq_bench: %s %s: brute force\n", label.c_str(), data.name.c_str());
      std::vector<uint32_t> hits;
      size_t expected = 0, recalled = 0, false_matches = 0;
      start = Clock::now();
      cpu = ThreadSeconds();
      std::vector<std::vector<uint32_t>> truth(brute_queries);
      for (size_t i = 0; i < brute_queries; ++i) {
        BruteForce(data.stored, data.queries[i], d, hits);
        truth[i] = hits;
      }
      const double brute_rate = static_cast<double>(brute_queries) / Seconds(start);
      const double brute_cpu_rate = static_cast<double>(brute_queries) / (ThreadSeconds() - cpu);
      size_t work_expected = 0;
      for (size_t i = 0; i < brute_queries; ++i) {
        std::set<PdqHash> want;
        for (uint32_t p : truth[i]) want.insert(data.stored[p]);
        expected += want.size();
        if (i < work_queries) work_expected += want.size();
        for (const PdqHash& h : found[i]) (want.count(h) ? recalled : false_matches) += 1;
      }
      const double recall = expected == 0 ? 1.0 : static_cast<double>(recalled) / static_cast<double>(expected);
      const double per_query = static_cast<double>(expected) / static_cast<double>(brute_queries);
      std::printf("| %s | %s | pdq::Index (8 × 32-bit pieces) | %s | %s | %.2f%% | %zu | %.1f | %.1f | %.1f |\n",
                  label.c_str(), data.name.c_str(), Rate(index_rate).c_str(), Rate(index_cpu_rate).c_str(),
                  100 * recall, false_matches, per_query, bytes_per_hash, build);
      std::printf("| %s | %s | brute force (popcnt scan) | %s | %s | 100%% | 0 | %.1f | 32.0 | |\n", label.c_str(),
                  data.name.c_str(), Rate(brute_rate).c_str(), Rate(brute_cpu_rate).c_str(), per_query);
      std::fflush(stdout);

      // For faiss_bench.py: the stored set and the brute-forced queries (not
      // at 100M: 3.2 GB of files, and FAISS's multi-index would need ~25 GB).
      if (!data_dir.empty() && n <= 10'000'000) {
        const fs::path base = fs::path(data_dir) / (label + "-" + data.name);
        WriteHashes(base.string() + ".stored", data.stored);
        WriteHashes(
            base.string() + ".queries",
            std::vector<PdqHash>(data.queries.begin(), data.queries.begin() + static_cast<ptrdiff_t>(brute_queries)));
      }

      // Updates on the built index: new hashes (through buffer folds) and deletions.
      if (kind == 0) {
        std::mt19937_64 rng(n);
        const size_t inserts = 100'000;
        start = Clock::now();
        for (size_t i = 0; i < inserts; ++i) index->Insert(RandomHash(rng));
        const double insert_rate = static_cast<double>(inserts) / Seconds(start);
        start = Clock::now();
        for (size_t i = 0; i < inserts; ++i) index->Erase(data.stored[i * 7 % n]);
        const double erase_rate = static_cast<double>(inserts) / Seconds(start);
        char line[256];
        std::snprintf(line, sizeof line, "| %s | %s | %s |", label.c_str(), Rate(insert_rate).c_str(),
                      Rate(erase_rate).c_str());
        updates.push_back(line);
      }
      const size_t peak = PeakRssBytes();
      index.reset();

      {
        char line[256];
        constexpr double kGiB = 1024.0 * 1024 * 1024;
        std::snprintf(line, sizeof line, "| %s | %s | %.1f | %.1f | %.2f | %.2f | %.2f |", label.c_str(),
                      data.name.c_str(), build, bytes_per_hash, 32.0 * static_cast<double>(n) / kGiB,
                      static_cast<double>(build_peak) / kGiB, static_cast<double>(peak) / kGiB);
        memory.push_back(line);
      }

      // The work behind the timed queries, counted on the first of them.
      std::fprintf(stderr, "pdq_bench: %s %s: counting the work\n", label.c_str(), data.name.c_str());
      const std::vector<PdqHash> sample(data.queries.begin(),
                                        data.queries.begin() + static_cast<ptrdiff_t>(work_queries));
      const Work work = CountWork(data.stored, sample, d);
      const double latency = ChaseNs(std::min(index_bytes, size_t{2} << 30));
      if (work.matches != work_expected) {
        std::fprintf(stderr, "pdq_bench: the work model found %zu matches, brute force %zu\n", work.matches,
                     work_expected);
        return 1;
      }
      const double q = static_cast<double>(work_queries);
      const double us_per_query = 1e6 * index_cpu_seconds / static_cast<double>(data.queries.size());
      char line[320];
      const double ns_per_line = 1000 * us_per_query / (work.lines / q);
      std::snprintf(line, sizeof line, "| %s | %s | %zu | %s | %s | %s | %s | %.0f%% | %.0f | %.1f | %.0f | %.1f |",
                    label.c_str(), data.name.c_str(), work.segments, Rate(work.buckets / q).c_str(),
                    Rate(work.entries / q).c_str(), Rate(work.candidates / q).c_str(), Rate(work.lines / q).c_str(),
                    100 * work.bucket_lines / work.lines, us_per_query, ns_per_line, latency, latency / ns_per_line);
      work_rows.push_back(line);
    }
  }
  std::printf("\nUpdates on the random index (one thread; inserts include the buffer folds they trigger):\n\n");
  std::printf("| stored | inserts/s | erases/s |\n|---|---:|---:|\n");
  for (const std::string& line : updates) std::printf("%s\n", line.c_str());
  if (!threaded.empty()) {
    std::printf(
        "\nThreads sharing one index (each answers every query once, one thread count after the other; "
        "*× 1 thread* is wall-clock queries/s over the 1-thread row's; *cores the threads got* is their CPU time over "
        "the wall-clock time, below the thread count when other work held a core):\n\n");
    std::printf(
        "| stored | data | threads | queries/s | × 1 thread | queries/CPU-s per thread | cores the threads got |\n"
        "|---|---|---:|---:|---:|---:|---:|\n");
    for (const std::string& line : threaded) std::printf("%s\n", line.c_str());
  }
  std::printf(
      "\nBuild and memory (`Assign`, one thread; peak RSS is the process's, VmHWM, reset before each set was "
      "generated, so it includes the generated hashes, 32 B each, and `Assign`'s working copies):\n\n");
  std::printf(
      "| stored | data | build s | bytes/hash (MemoryBytes) | generated hashes GiB | peak RSS after build GiB | peak "
      "RSS "
      "GiB |\n|---|---|---:|---:|---:|---:|---:|\n");
  for (const std::string& line : memory) std::printf("%s\n", line.c_str());
  std::printf(
      "\nThe work of a query at d = %d (counted on the first queries by a model of the index's probing that "
      "finds exactly the brute-force matches; *random cache lines* are the offset, filter, position and hash reads, "
      "each at a random place in an array far larger than the L2 cache; *µs/query* is the timed run's CPU time; "
      "*ns per dependent miss* is a pointer chase over as much memory as the index holds, up to 2 GiB, on huge "
      "pages; *lines in flight* is the one over the other, the misses a query keeps outstanding on average):\n\n",
      d);
  std::printf(
      "| stored | data | segments | buckets visited/query | filters compared/query | candidates verified/query | "
      "random cache lines/query | of them bucket visits | µs/query | ns per cache line | ns per dependent miss | "
      "lines in flight |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const std::string& line : work_rows) std::printf("%s\n", line.c_str());
  return 0;
}

// For callgrind (bench/pdq/run.sh): only this function's instructions and
// simulated cache misses are collected (--toggle-collect).
[[gnu::noinline]] size_t RunQueries(const exchange::pdq::Index& index, const std::vector<PdqHash>& queries, int d) {
  size_t matches = 0;
  for (const PdqHash& q : queries) matches += index.Query(q, d)->size();
  return matches;
}

int RunQueriesOnly(size_t n, size_t queries, int d) {
  const DataSet data = RandomData(n, queries, 1000 + n);
  exchange::pdq::Index index;
  index.Assign(data.stored);
  std::printf("%zu queries, %zu matches\n", queries, RunQueries(index, data.queries, d));
  return 0;
}

// --- hashing ----------------------------------------------------------------

std::vector<uint8_t> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Rgb {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;
};

Rgb DecodeRgb(const std::vector<uint8_t>& file) {
  jpeg_decompress_struct cinfo;
  jpeg_error_mgr error;
  cinfo.err = jpeg_std_error(&error);
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, file.data(), static_cast<unsigned long>(file.size()));
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  Rgb image{static_cast<int>(cinfo.output_width), static_cast<int>(cinfo.output_height), {}};
  image.pixels.resize(static_cast<size_t>(image.width) * static_cast<size_t>(image.height) * 3);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = image.pixels.data() + static_cast<size_t>(cinfo.output_scanline) * image.width * 3;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return image;
}

// Bilinear resize plus a little sensor-like noise, so large images are not
// unnaturally smooth.
Rgb Resize(const Rgb& in, int width, int height, std::mt19937& rng) {
  Rgb out{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * static_cast<size_t>(height) * 3)};
  std::normal_distribution<float> noise(0, 1.5f);
  for (int y = 0; y < height; ++y) {
    const float sy = std::max(0.0f, (y + 0.5f) * static_cast<float>(in.height) / static_cast<float>(height) - 0.5f);
    const int y0 = std::min(static_cast<int>(sy), in.height - 1), y1 = std::min(y0 + 1, in.height - 1);
    const float fy = sy - static_cast<float>(y0);
    for (int x = 0; x < width; ++x) {
      const float sx = std::max(0.0f, (x + 0.5f) * static_cast<float>(in.width) / static_cast<float>(width) - 0.5f);
      const int x0 = std::min(static_cast<int>(sx), in.width - 1), x1 = std::min(x0 + 1, in.width - 1);
      const float fx = sx - static_cast<float>(x0);
      for (int c = 0; c < 3; ++c) {
        auto at = [&](int xx, int yy) {
          return static_cast<float>(in.pixels[(static_cast<size_t>(yy) * in.width + xx) * 3 + c]);
        };
        const float v =
            (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x1, y0)) + fy * ((1 - fx) * at(x0, y1) + fx * at(x1, y1));
        out.pixels[(static_cast<size_t>(y) * width + x) * 3 + c] =
            static_cast<uint8_t>(std::clamp(v + noise(rng), 0.0f, 255.0f));
      }
    }
  }
  return out;
}

struct ImageSet {
  std::string name;
  std::vector<std::vector<uint8_t>> files;
  std::vector<PdqHash> expected;  // empty: compare with the full-size decode instead
};

struct Timing {
  double decode = 0, hash = 0;
  size_t images = 0;
  int worst_distance = 0;
};

Timing TimeSet(const ImageSet& set, const exchange::pdq::DecodeOptions& options, int rounds,
               const std::vector<PdqHash>& compare_to) {
  Timing t;
  for (int round = 0; round < rounds; ++round) {
    for (size_t i = 0; i < set.files.size(); ++i) {
      const auto start = Clock::now();
      auto luma = exchange::pdq::DecodeLuma(set.files[i], options);
      const auto decoded = Clock::now();
      auto result = exchange::pdq::HashLuma(luma->view());
      t.decode += std::chrono::duration<double>(decoded - start).count();
      t.hash += Seconds(decoded);
      ++t.images;
      if (round == 0 && !compare_to.empty()) {
        t.worst_distance =
            std::max(t.worst_distance, exchange::signals::HammingDistance256(result->hash, compare_to[i]));
      }
    }
  }
  return t;
}

int RunHash(const fs::path& vectors, int generated, int rounds) {
  ImageSet vector_set{"vector images (17 JPEGs, 8 of them 1600×1004 progressive)", {}, {}};
  std::map<std::string, PdqHash> expected;
  {
    std::ifstream csv(vectors / "expected.csv");
    std::string line;
    std::getline(csv, line);
    while (std::getline(csv, line)) {
      std::stringstream fields(line);
      std::string file, hex;
      std::getline(fields, file, ',');
      std::getline(fields, hex, ',');
      if (auto h = exchange::signals::ParsePdq(hex); h.ok()) expected[file] = *h;
    }
  }
  for (const auto& [file, hash] : expected) {
    vector_set.files.push_back(ReadFile(vectors / "images" / file));
    vector_set.expected.push_back(hash);
  }
  vector_set.name =
      "vector images (" + std::to_string(vector_set.files.size()) + " JPEGs: 8 of 1600×1004, 9 of 34-399 px)";

  // Large photographs: the bridge, enlarged to camera and screen sizes.
  std::fprintf(stderr, "pdq_bench: generating JPEGs\n");
  const Rgb bridge = DecodeRgb(ReadFile(vectors / "images" / "bridge-1-original.jpg"));
  std::mt19937 rng(1);
  auto generate = [&](int count, int width, int height, bool progressive, const std::string& what) {
    ImageSet set{
        std::to_string(count) + " generated " + std::to_string(width) + "×" + std::to_string(height) + " " + what,
        {},
        {}};
    for (int i = 0; i < count; ++i) {
      const Rgb image = Resize(bridge, width + 8 * i, height, rng);
      set.files.push_back(
          exchange::testing::EncodeJpeg(image.width, image.height, 3, JCS_RGB, image.pixels, 90, progressive));
    }
    return set;
  };
  ImageSet camera = generate(generated, 4032, 3024, false, "baseline JPEGs (12 MP camera photos, quality 90)");
  ImageSet screen = generate(generated, 1920, 1080, false, "baseline JPEGs (quality 90)");
  ImageSet progressive = generate(generated / 2, 3000, 2000, true, "progressive JPEGs (quality 90)");

  std::printf(
      "| images | JPEG decode scale | images/s | decode share | decode ms/image | hash ms/image | max distance |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|\n");
  for (ImageSet* set : {&vector_set, &camera, &screen, &progressive}) {
    // The reference for "max distance": expected.csv for the vector images,
    // and our own full-size decode for the generated ones.
    std::vector<PdqHash> compare_to = set->expected;
    if (compare_to.empty()) {
      exchange::pdq::DecodeOptions full;
      full.jpeg_min_side = 0;
      for (const auto& file : set->files) compare_to.push_back(exchange::pdq::HashImage(file, full)->hash);
    }
    for (int min_side : {0, 1024, 512}) {
      exchange::pdq::DecodeOptions options;
      options.jpeg_min_side = min_side;
      std::fprintf(stderr, "pdq_bench: hashing %s at min side %d\n", set->name.c_str(), min_side);
      const Timing t = TimeSet(*set, options, set == &vector_set ? rounds : std::max(1, rounds / 2), compare_to);
      const double total = t.decode + t.hash;
      const std::string scale = min_side == 0 ? "full size" : "≥ " + std::to_string(min_side) + " px a side";
      std::printf("| %s | %s | %s | %.0f%% | %.2f | %.2f | %d |\n", set->name.c_str(), scale.c_str(),
                  Rate(static_cast<double>(t.images) / total).c_str(), 100 * t.decode / total,
                  1000 * t.decode / static_cast<double>(t.images), 1000 * t.hash / static_cast<double>(t.images),
                  t.worst_distance);
      std::fflush(stdout);
    }
  }
  return 0;
}

std::string FlagValue(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 2; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "index") {
    std::vector<size_t> sizes;
    std::stringstream list(FlagValue(argc, argv, "sizes", "1000000"));
    for (std::string item; std::getline(list, item, ',');) sizes.push_back(std::stoull(item));
    std::vector<int> threads;
    std::stringstream thread_list(FlagValue(argc, argv, "threads", ""));
    for (std::string item; std::getline(thread_list, item, ',');) threads.push_back(std::stoi(item));
    return RunIndex(sizes, std::stoi(FlagValue(argc, argv, "distance", "31")), FlagValue(argc, argv, "data-dir", ""),
                    threads);
  }
  if (mode == "queries") {
    return RunQueriesOnly(std::stoull(FlagValue(argc, argv, "size", "1000000")),
                          std::stoull(FlagValue(argc, argv, "queries", "1000")),
                          std::stoi(FlagValue(argc, argv, "distance", "31")));
  }
  if (mode == "hash") {
    return RunHash(FlagValue(argc, argv, "vectors", ""), std::stoi(FlagValue(argc, argv, "generated", "16")),
                   std::stoi(FlagValue(argc, argv, "rounds", "5")));
  }
  std::fputs(
      "usage: pdq_bench index --sizes N[,N...] [--distance D] [--data-dir DIR] [--threads N[,N...]]\n"
      "       pdq_bench queries [--size N] [--queries Q] [--distance D]\n"
      "       pdq_bench hash --vectors DIR [--generated N] [--rounds R]\n",
      stderr);
  return 2;
}
