// SPDX-License-Identifier: Apache-2.0
#include "metrics/process_collector.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

namespace exchange::metrics {
namespace {

prometheus::MetricFamily Family(const char* name, const char* help, prometheus::MetricType type, double value) {
  prometheus::MetricFamily family{name, help, type, {}};
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  family.metric.push_back(metric);
  return family;
}

// The fields of /proc/self/stat after the command name (which may hold
// spaces and parentheses, so it is skipped up to the last ')'). Field 3 of
// proc(5), the state, is element 0.
std::vector<std::string> StatFields() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (!std::getline(in, line)) return {};
  const auto close = line.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(line.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

// Seconds since the epoch at which the machine booted (/proc/stat btime), 0 if unknown.
double BootTime() {
  std::ifstream in("/proc/stat");
  for (std::string key; in >> key;) {
    if (key == "btime") {
      double seconds = 0;
      in >> seconds;
      return seconds;
    }
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

}  // namespace

ProcessCollector::ProcessCollector()
    : ticks_per_second_(static_cast<double>(sysconf(_SC_CLK_TCK))),
      page_bytes_(static_cast<double>(sysconf(_SC_PAGESIZE))) {}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  // proc(5) numbering: utime 14, stime 15, starttime 22, vsize 23, rss 24.
  const auto stat = StatFields();
  // strtod, not stod: a field that is not a number reads 0 rather than throwing out of a scrape.
  auto field = [&stat](std::size_t number) { return std::strtod(stat.at(number - 3).c_str(), nullptr); };
  if (stat.size() >= 22 && ticks_per_second_ > 0) {
    out.push_back(Family("process_cpu_seconds_total", "User and system CPU time spent, in seconds.",
                         MetricType::Counter, (field(14) + field(15)) / ticks_per_second_));
    if (const double boot = BootTime(); boot > 0) {
      out.push_back(Family("process_start_time_seconds", "Start time of the process since the Unix epoch, in seconds.",
                           MetricType::Gauge, boot + field(22) / ticks_per_second_));
    }
    out.push_back(
        Family("process_virtual_memory_bytes", "Virtual memory size, in bytes.", MetricType::Gauge, field(23)));
    out.push_back(Family("process_resident_memory_bytes", "Resident memory size, in bytes.", MetricType::Gauge,
                         field(24) * page_bytes_));
  }
  std::error_code ec;
  std::filesystem::directory_iterator fds("/proc/self/fd", ec);
  if (!ec) {
    double open = 0;
    for (auto it = fds; it != std::filesystem::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      ++open;
    }
    // The iterator's own descriptor is among those listed; it is not the process's.
    out.push_back(Family("process_open_fds", "Open file descriptors.", MetricType::Gauge, open > 0 ? open - 1 : 0));
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    out.push_back(Family("process_max_fds", "Maximum number of open file descriptors (the soft RLIMIT_NOFILE).",
                         MetricType::Gauge, static_cast<double>(limit.rlim_cur)));
  }
  return out;
}

}  // namespace exchange::metrics
