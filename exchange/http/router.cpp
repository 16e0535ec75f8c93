// SPDX-License-Identifier: Apache-2.0
#include "http/router.h"

#include <string_view>

namespace exchange::http {
namespace {

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// "{name...}": the rest of the path.
bool IsRestParameter(std::string_view segment) {
  return segment.size() > 5 && segment.front() == '{' && segment.substr(segment.size() - 4) == "...}";
}

bool MatchPattern(std::string_view pattern, std::string_view path, std::map<std::string, std::string>* params) {
  auto want = Segments(pattern);
  auto got = Segments(path);
  const bool rest = !want.empty() && IsRestParameter(want.back());
  if (rest ? got.size() < want.size() : want.size() != got.size()) return false;
  std::map<std::string, std::string> found;
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (rest && i + 1 == want.size()) {
      std::string joined;
      for (std::size_t j = i; j < got.size(); ++j) {
        auto value = PercentDecode(got[j], false);
        if (!value || value->empty() || value->find('/') != std::string::npos) return false;
        if (j > i) joined += '/';
        joined += *value;
      }
      found[std::string(want[i].substr(1, want[i].size() - 5))] = std::move(joined);
    } else if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      auto value = PercentDecode(got[i], false);
      if (!value || value->empty()) return false;
      found[std::string(want[i].substr(1, want[i].size() - 2))] = std::move(*value);
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  if (params) *params = std::move(found);
  return true;
}

}  // namespace

void Router::Add(Route route) { routes_.push_back(std::move(route)); }

RouteMatch Router::Match(Request& request) const {
  RouteMatch match;
  for (const auto& route : routes_) {
    if (!MatchPattern(route.pattern, request.path, nullptr)) continue;
    if (route.method != request.method) {
      match.path_known = true;
      continue;
    }
    MatchPattern(route.pattern, request.path, &request.params);
    match.route = &route;
    return match;
  }
  return match;
}

std::size_t Router::BodyLimit(const std::string& method, const std::string& path) const {
  std::size_t limit = 0;
  for (const auto& route : routes_) {
    if (route.method == method && MatchPattern(route.pattern, path, nullptr))
      limit = std::max(limit, route.max_body_bytes);
  }
  return limit;
}

}  // namespace exchange::http
