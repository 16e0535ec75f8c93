// SPDX-License-Identifier: Apache-2.0
#include "report/render.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "log/encoding.h"
#include "report/views.h"

namespace exchange::report {
namespace {

// Figures indexed for rendering: (section, org, dimension) -> key -> figure.
using Table = std::map<std::string, const v1::ReportFigure*>;

class Index {
 public:
  explicit Index(const v1::AnnualReport& r) {
    for (const auto& f : r.figures()) {
      tables_[{f.section(), f.org(), f.dimension()}][f.key()] = &f;
      if (f.org() != "all") orgs_.insert(f.org());
    }
  }
  const Table& Get(const std::string& section, const std::string& org, const std::string& dimension) const {
    static const Table kEmpty;
    auto it = tables_.find({section, org, dimension});
    return it == tables_.end() ? kEmpty : it->second;
  }
  const std::set<std::string>& orgs() const { return orgs_; }

 private:
  std::map<std::tuple<std::string, std::string, std::string>, Table> tables_;
  std::set<std::string> orgs_;
};

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Number(double v) {
  char buffer[32];
  if (std::fabs(v - std::round(v)) < 1e-9) {
    std::snprintf(buffer, sizeof buffer, "%.0f", v);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.1f", v);
  }
  return buffer;
}

std::string Shown(const v1::ReportFigure* f, uint32_t k) {
  if (!f) return "0";
  if (f->suppressed()) return "&lt;" + std::to_string(k);
  return Number(f->value());
}

// RFC 4180, guarded against spreadsheet formula injection as exchangectl's
// exports are (docs/client.md): a cell starting with = + - @ TAB CR or ' gets a
// leading '.
std::string CsvField(const std::string& raw) {
  const bool formula = !raw.empty() && std::string_view("=+-@\t\r'").find(raw.front()) != std::string_view::npos;
  const std::string s = formula ? "'" + raw : raw;
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

const char* kPalette[] = {"#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6",
                          "#a50021", "#00806b", "#5b5b5b", "#8c6d31", "#d16ba5"};

// A vertical bar chart; `stacks` holds, per bar, (series, value) pairs.
std::string BarChart(const std::string& title, const std::vector<std::string>& labels,
                     const std::vector<std::vector<std::pair<std::string, double>>>& stacks) {
  const int width = 720, height = 260, left = 48, bottom = 40, top = 28;
  double max = 0;
  std::vector<std::string> series;
  for (const auto& stack : stacks) {
    double total = 0;
    for (const auto& [name, v] : stack) {
      total += v;
      if (std::find(series.begin(), series.end(), name) == series.end()) series.push_back(name);
    }
    max = std::max(max, total);
  }
  max = std::max(4.0, std::ceil(max / 4.0) * 4.0);  // four whole-number gridlines
  const double plot_h = height - bottom - top;
  const double slot = (width - left - 10.0) / static_cast<double>(std::max<std::size_t>(labels.size(), 1));
  std::ostringstream svg;
  svg << "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << width << " " << height
      << "\" role=\"img\" aria-label=\"" << Escape(title) << "\">";
  svg << "<text x=\"" << left << "\" y=\"16\" class=\"title\">" << Escape(title) << "</text>";
  for (int tick = 0; tick <= 4; ++tick) {
    double y = top + plot_h - plot_h * tick / 4.0;
    svg << "<line x1=\"" << left << "\" x2=\"" << width - 10 << "\" y1=\"" << y << "\" y2=\"" << y
        << "\" class=\"grid\"/><text x=\"" << left - 6 << "\" y=\"" << y + 4 << "\" class=\"tick\">"
        << Number(std::round(max * tick / 4.0)) << "</text>";
  }
  for (std::size_t i = 0; i < labels.size(); ++i) {
    double x = left + slot * static_cast<double>(i) + slot * 0.15;
    double y = top + plot_h;
    for (const auto& [name, v] : stacks[i]) {
      double h = plot_h * v / max;
      y -= h;
      auto color =
          kPalette[static_cast<std::size_t>(std::find(series.begin(), series.end(), name) - series.begin()) % 11];
      svg << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << slot * 0.7 << "\" height=\"" << h << "\" fill=\""
          << color << "\"><title>" << Escape(labels[i]) << " " << Escape(name) << ": " << Number(v)
          << "</title></rect>";
    }
    svg << "<text x=\"" << x + slot * 0.35 << "\" y=\"" << height - bottom + 16 << "\" class=\"label\">"
        << Escape(labels[i]) << "</text>";
  }
  svg << "</svg>";
  if (series.size() > 1 || (series.size() == 1 && !series[0].empty())) {
    svg << "<figcaption>";
    for (std::size_t s = 0; s < series.size(); ++s) {
      svg << "<span class=\"key\" style=\"background:" << kPalette[s % 11] << "\"></span>" << Escape(series[s]) << " ";
    }
    svg << "</figcaption>";
  }
  svg << "</figure>";
  return svg.str();
}

// A table with one row per organisation (then the coalition) and one column per key.
std::string OrgTable(const Index& index, const v1::AnnualReport& report, const std::string& section,
                     const std::string& dimension, const std::vector<std::string>& keys,
                     const std::vector<std::string>& headings) {
  std::ostringstream out;
  out << "<table><thead><tr><th>organisation</th>";
  for (const auto& h : headings) out << "<th class=\"n\">" << Escape(h) << "</th>";
  out << "</tr></thead><tbody>";
  std::vector<std::string> orgs(index.orgs().begin(), index.orgs().end());
  orgs.push_back("all");
  for (const auto& org : orgs) {
    const Table& t = index.Get(section, org, dimension);
    out << "<tr" << (org == "all" ? " class=\"total\"" : "") << "><td>" << (org == "all" ? "coalition" : Escape(org))
        << "</td>";
    for (const auto& key : keys) {
      auto it = t.find(key);
      out << "<td class=\"n\">" << Shown(it == t.end() ? nullptr : it->second, report.k()) << "</td>";
    }
    out << "</tr>";
  }
  out << "</tbody></table>";
  return out.str();
}

std::vector<std::string> KeysOf(const v1::AnnualReport& report, const std::string& section,
                                const std::string& dimension) {
  std::set<std::string> keys;
  for (const auto& f : report.figures()) {
    if (f.section() == section && f.dimension() == dimension) keys.insert(f.key());
  }
  return {keys.begin(), keys.end()};
}

}  // namespace

std::string RenderCsv(const v1::AnnualReport& report) {
  std::ostringstream out;
  out << "# Coalition Hash Exchange annual report," << CsvField(report.exchange()) << "," << report.year() << ",as of "
      << report.as_of() << "," << report.scope() << "\n";
  for (const auto& p : report.logs()) {
    out << "# log," << CsvField(p.log()) << "," << p.size() << "," << log::Base64Encode(p.root()) << "\n";
  }
  out << "section,org,dimension,key,value,samples\n";
  for (const auto& f : report.figures()) {
    out << CsvField(f.section()) << "," << CsvField(f.org()) << "," << CsvField(f.dimension()) << ","
        << CsvField(f.key()) << "," << (f.suppressed() ? "<" + std::to_string(report.k()) : Number(f.value())) << ","
        << f.samples() << "\n";
  }
  return out.str();
}

std::string RenderHtml(const v1::AnnualReport& report, std::string_view key_fingerprint) {
  const Index index(report);
  std::ostringstream html;
  const std::string title = "Annual progress report " + std::to_string(report.year());
  html
      << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << Escape(title) << " — "
      << Escape(report.exchange()) << "</title><style>"
      << "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1b1b;max-width:960px;"
         "margin:2em auto;padding:0 1em}"
      << "h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #1f4e79;padding-bottom:.2em;margin-top:2em}"
      << "table{border-collapse:collapse;width:100%;margin:.6em 0}th,td{border-bottom:1px solid #ddd;padding:.3em .5em;"
         "text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}tr.total td{font-weight:600}"
      << "figure{margin:1em 0}svg{width:100%;height:auto}svg .title{font-weight:600;font-size:14px}"
         "svg .tick{font-size:10px;text-anchor:end;fill:#555}svg .label{font-size:10px;text-anchor:middle}"
         "svg .grid{stroke:#e3e3e3}"
      << ".key{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 .8em;vertical-align:-.1em}"
      << ".meta{color:#555}code{font-size:.85em;word-break:break-all}"
      << "@media print{body{margin:0;max-width:none}h2{break-after:avoid}figure,table{break-inside:avoid}}"
      << "</style></head><body>\n";
  html << "<h1>" << Escape(title) << "</h1><p class=\"meta\">" << Escape(report.exchange()) << " · "
       << (report.closed() ? "closed year, " : "year to date, ") << "as of " << Escape(report.as_of())
       << " · scope: " << Escape(report.scope());
  if (report.k() > 0) html << " (figures below " << report.k() << " withheld)";
  html << "</p>\n";

  // Voluntary Principles overview.
  html << "<h2>By Voluntary Principle</h2><table><thead><tr><th class=\"n\">#</th><th>principle</th>"
          "<th class=\"n\">signals contributed</th><th class=\"n\">sightings acted on</th></tr></thead><tbody>";
  const Table& contributed = index.Get("contributions", "all", "principle");
  const Table& sighted = index.Get("sightings", "all", "principle");
  for (int p = 1; p <= 11; ++p) {
    auto c = contributed.find(std::to_string(p));
    auto s = sighted.find(std::to_string(p));
    html << "<tr><td class=\"n\">" << p << "</td><td>" << Escape(PrincipleName(p)) << "</td><td class=\"n\">"
         << Shown(c == contributed.end() ? nullptr : c->second, report.k()) << "</td><td class=\"n\">"
         << Shown(s == sighted.end() ? nullptr : s->second, report.k()) << "</td></tr>";
  }
  html << "</tbody></table>\n";
  {
    // Sightings acted on count removed, reported_to_authority and
    // account_actioned only; the rest are shown as what they are.
    const Table& totals = index.Get("sightings", "all", "total");
    const Table& actions = index.Get("sightings", "all", "action");
    auto shown = [&](const Table& t, const std::string& key) {
      auto it = t.find(key);
      return Shown(it == t.end() ? nullptr : it->second, report.k());
    };
    html << "<p>Sightings acted on (removed, reported to an authority, account actioned): <b>"
         << shown(totals, "acted_on") << "</b>; no action taken: <b>" << shown(actions, "no_action")
         << "</b>; false positives: <b>" << shown(actions, "false_positive") << "</b>.</p>\n";
  }

  // Chart: signals contributed by month and kind.
  std::vector<std::string> months;
  for (int m = 1; m <= 12; ++m) {
    char label[16];
    std::snprintf(label, sizeof label, "%04u-%02d", report.year(), m);
    months.push_back(label);
  }
  std::vector<std::vector<std::pair<std::string, double>>> by_month(12);
  for (const auto& [key, f] : index.Get("contributions", "all", "month")) {
    auto slash = key.find('/');
    auto m = std::find(months.begin(), months.end(), key.substr(0, slash));
    if (m != months.end())
      by_month[static_cast<std::size_t>(m - months.begin())].push_back({key.substr(slash + 1), f->value()});
  }
  std::vector<std::string> month_labels;
  for (const auto& m : months) month_labels.push_back(m.substr(5));
  html << "<h2>Sharing (principle 10)</h2>";
  html << BarChart("Signals contributed by month and kind", month_labels, by_month);
  auto kinds = KeysOf(report, "contributions", "kind");
  html << "<h3>Signals contributed by kind</h3>" << OrgTable(index, report, "contributions", "kind", kinds, kinds);
  auto categories = KeysOf(report, "contributions", "category");
  html << "<h3>By category</h3>" << OrgTable(index, report, "contributions", "category", categories, categories);
  html << "<h3>Distinct signals and retractions</h3>"
       << OrgTable(index, report, "contributions", "total", {"distinct_signals", "retracted"},
                   {"distinct signals", "contributions retracted"});
  html << "<h3>Opinions</h3>"
       << OrgTable(index, report, "opinions", "given", {"confirm", "dispute"},
                   {"confirmations given", "disputes given"})
       << OrgTable(index, report, "opinions", "received", {"confirm", "dispute"},
                   {"confirmations received", "disputes received"});
  const Table& disputes = index.Get("disputes", "all", "total");
  const Table& resolve = index.Get("disputes", "all", "median_seconds");
  auto find = [](const Table& t, const std::string& k) -> const v1::ReportFigure* {
    auto it = t.find(k);
    return it == t.end() ? nullptr : it->second;
  };
  html << "<p>Disputes opened: <b>" << Shown(find(disputes, "opened"), report.k()) << "</b>; resolved: <b>"
       << Shown(find(disputes, "resolved"), report.k()) << "</b>; median time to resolve: <b>"
       << (find(resolve, "to_resolve") ? Shown(find(resolve, "to_resolve"), report.k()) + " s" : "n/a") << "</b>.</p>";

  // Actions taken on matches.
  html << "<h2>Action on matches (principles 1–8)</h2>";
  std::vector<std::string> principle_labels;
  std::vector<std::vector<std::pair<std::string, double>>> by_principle;
  for (int p = 1; p <= 11; ++p) {
    principle_labels.push_back("P" + std::to_string(p));
    auto it = sighted.find(std::to_string(p));
    by_principle.push_back({{"", it == sighted.end() || it->second->suppressed() ? 0 : it->second->value()}});
  }
  html << BarChart("Sightings acted on, by Voluntary Principle", principle_labels, by_principle);
  std::vector<std::string> bucket_labels;
  std::vector<std::vector<std::pair<std::string, double>>> buckets;
  for (const auto& [key, f] : index.Get("sightings", "all", "time_to_action")) {
    bucket_labels.push_back(key.substr(2));
    buckets.push_back({{"", f->suppressed() ? 0 : f->value()}});
  }
  html << BarChart("Time from detection to action", bucket_labels, buckets);
  auto actions = KeysOf(report, "sightings", "action");
  html << OrgTable(index, report, "sightings", "action", actions, actions);
  html << OrgTable(index, report, "sightings", "median_seconds", {"to_action"}, {"median seconds to action"});

  html << "<h2>Feed freshness</h2><p>How far behind members' syncs were when they fetched entries.</p>"
       << OrgTable(index, report, "freshness", "lag_seconds", {"median", "max"}, {"median lag (s)", "maximum lag (s)"})
       << OrgTable(index, report, "freshness", "entries_behind", {"median"}, {"median entries behind"});

  const Table& vetting = index.Get("vetting", "all", "total");
  const Table& decision = index.Get("vetting", "all", "median_hours");
  html << "<h2>Vetting</h2><table><thead><tr><th>step</th><th class=\"n\">count</th></tr></thead><tbody>";
  for (const auto& [key, label] :
       std::vector<std::pair<std::string, std::string>>{{"applications", "applications received"},
                                                        {"approved", "approved"},
                                                        {"rejected", "rejected"},
                                                        {"suspensions", "suspensions"},
                                                        {"reinstatements", "reinstatements"},
                                                        {"revocations", "revocations"}}) {
    html << "<tr><td>" << label << "</td><td class=\"n\">" << Shown(find(vetting, key), report.k()) << "</td></tr>";
  }
  html << "<tr><td>median hours to decision</td><td class=\"n\">"
       << (find(decision, "to_decision") ? Shown(find(decision, "to_decision"), report.k()) : "n/a")
       << "</td></tr></tbody></table>";

  html << "<h2>Transparency (principle 11): what this report was computed from</h2><table><thead><tr><th>log</th>"
          "<th class=\"n\">size</th><th>root</th></tr></thead><tbody>";
  for (const auto& p : report.logs()) {
    html << "<tr><td>" << Escape(p.log()) << "</td><td class=\"n\">" << p.size() << "</td><td><code>"
         << log::Base64Encode(p.root()) << "</code></td></tr>";
  }
  html << "</tbody></table><p class=\"meta\">Each log's checkpoints and consistency proofs let anyone check these "
          "trees; the report's Ed25519 signature (the <code>X-Exchange-Signature</code> header, or the "
          "<code>.sig</code> file beside it) covers these exact bytes.</p>\n";
  if (!key_fingerprint.empty()) {
    html << "<p class=\"meta\" id=\"report-key\">Signed with the report key whose SHA-256 fingerprint (of its "
            "public key's DER encoding) is <code>"
         << Escape(std::string(key_fingerprint)) << "</code>; compare it with the one the coalition published.</p>\n";
  }
  html << "</body></html>\n";
  return html.str();
}

}  // namespace exchange::report
