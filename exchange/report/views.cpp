// SPDX-License-Identifier: Apache-2.0
#include "report/views.h"

#include <algorithm>
#include <array>

namespace exchange::report {

void RestrictToOrganisation(v1::AnnualReport& report, const std::string& org) {
  auto* figures = report.mutable_figures();
  figures->erase(std::remove_if(figures->begin(), figures->end(),
                                [&](const v1::ReportFigure& f) { return f.org() != org && f.org() != "all"; }),
                 figures->end());
  report.set_scope("org:" + org);
}

void KeepLogs(v1::AnnualReport& report, const std::set<std::string>& logs) {
  auto* positions = report.mutable_logs();
  positions->erase(std::remove_if(positions->begin(), positions->end(),
                                  [&](const v1::LogPosition& p) { return !logs.count(p.log()); }),
                   positions->end());
}

void SuppressBelow(v1::AnnualReport& report, uint32_t k) {
  for (auto& f : *report.mutable_figures()) {
    const double basis = f.samples() > 0 ? static_cast<double>(f.samples()) : f.value();
    if (basis > 0 && basis < k) {
      f.set_value(0);
      f.set_suppressed(true);
    }
  }
  // The scope still says whose figures these are: "public" for the
  // coalition's, "org:<slug>/public" for a member's view.
  report.set_scope(report.scope() == "coalition" ? "public" : report.scope() + "/public");
  report.set_k(k);
}

std::string PrincipleName(int principle) {
  static const std::array<const char*, 11> kNames = {
      "Prevent known child sexual abuse material",
      "Target new child sexual abuse material",
      "Target online grooming and preparatory behaviour",
      "Target advertising, recruiting, soliciting or procuring",
      "Target livestreaming of abuse",
      "Prevent search results from surfacing abuse",
      "Adopt enhanced safety measures for children",
      "Act on material connected to exploitation in context",
      "Take an informed global approach",
      "Share expertise, practices, data and tools",
      "Publish meaningful data and insights (transparency)",
  };
  return principle >= 1 && principle <= 11 ? kNames[static_cast<std::size_t>(principle - 1)] : "";
}

}  // namespace exchange::report
