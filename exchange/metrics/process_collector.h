// SPDX-License-Identifier: Apache-2.0
// ProcessCollector: the standard process_* families Prometheus expects of any
// exporter (CPU seconds, resident and virtual memory, open and maximum file
// descriptors, start time), read from /proc/self when /metrics is scraped.
//
// Read at scrape rather than on a timer so the figures are as fresh as the
// scrape and cost nothing between scrapes. On a system without /proc (not
// Linux) the families that need it are left out of the scrape.
//
// Thread-safety: Collect() keeps no state besides constants; any thread.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

namespace exchange::metrics {

class ProcessCollector final : public prometheus::Collectable {
 public:
  ProcessCollector();
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  double ticks_per_second_;
  double page_bytes_;
};

}  // namespace exchange::metrics
