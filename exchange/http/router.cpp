// SPDX-License-Identifier: Apache-2.0
#include "http/router.h"

#include <algorithm>

namespace exchange::http {
namespace {

using Kind = Router::PatternSegment::Kind;

// Hands out the segments of a path ("/a/b" → "a", "b"; "/" → ""; "/a/" →
// "a", ""), one at a time, without copying.
class SegmentReader {
 public:
  explicit SegmentReader(std::string_view path) : path_(path) {}

  bool Next(std::string_view& segment) {
    if (start_ > path_.size()) return false;
    std::size_t slash = path_.find('/', start_);
    if (slash == std::string_view::npos) slash = path_.size();
    segment = path_.substr(start_, slash - start_);
    start_ = slash + 1;
    return true;
  }
  bool Done() const { return start_ > path_.size(); }

 private:
  std::string_view path_;
  std::size_t start_ = 1;  // paths start with '/'
};

std::vector<Router::PatternSegment> SplitPattern(std::string_view pattern) {
  std::vector<Router::PatternSegment> out;
  SegmentReader reader(pattern);
  std::string_view segment;
  while (reader.Next(segment)) {
    if (reader.Done() && segment.size() > 5 && segment.front() == '{' && segment.substr(segment.size() - 4) == "...}") {
      out.push_back({Kind::kRest, std::string(segment.substr(1, segment.size() - 5))});
    } else if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}') {
      out.push_back({Kind::kParameter, std::string(segment.substr(1, segment.size() - 2))});
    } else {
      out.push_back({Kind::kLiteral, std::string(segment)});
    }
  }
  return out;
}

// How many segments SegmentReader finds in `path`.
std::size_t CountSegments(std::string_view path) { return static_cast<std::size_t>(std::ranges::count(path, '/')); }

// True when `path`, of `path_segments` segments, matches the template; then,
// if `params` is not null, it holds the decoded parameters (and nothing else).
bool MatchPattern(const std::vector<Router::PatternSegment>& want, std::string_view path, std::size_t path_segments,
                  std::map<std::string, std::string>* params) {
  // Most templates are ruled out by their length alone.
  const bool rest = !want.empty() && want.back().kind == Kind::kRest;
  if (rest ? path_segments < want.size() : path_segments != want.size()) return false;
  SegmentReader got(path);
  std::map<std::string, std::string> found;
  std::string_view segment;
  for (const auto& w : want) {
    if (w.kind == Kind::kRest) {
      // One or more non-empty segments, none decoding to a '/'.
      std::string joined;
      bool any = false;
      while (got.Next(segment)) {
        auto value = PercentDecode(segment, false);
        if (!value || value->empty() || value->find('/') != std::string::npos) return false;
        if (any) joined += '/';
        joined += *value;
        any = true;
      }
      if (!any) return false;
      if (params) found[w.text] = std::move(joined);
      break;  // a rest parameter is the last segment
    }
    if (!got.Next(segment)) return false;
    if (w.kind == Kind::kLiteral) {
      if (segment != w.text) return false;
    } else {
      auto value = PercentDecode(segment, false);
      if (!value || value->empty()) return false;
      if (params) found[w.text] = std::move(*value);
    }
  }
  if (!got.Done()) return false;
  if (params) *params = std::move(found);
  return true;
}

}  // namespace

void Router::Add(Route route) {
  patterns_.push_back(SplitPattern(route.pattern));
  routes_.push_back(std::move(route));
}

RouteMatch Router::Match(Request& request) const {
  RouteMatch match;
  const std::size_t segments = CountSegments(request.path);
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const Route& route = routes_[i];
    if (route.method != request.method) {
      if (!match.path_known && MatchPattern(patterns_[i], request.path, segments, nullptr)) match.path_known = true;
      continue;
    }
    if (!MatchPattern(patterns_[i], request.path, segments, &request.params)) continue;
    match.route = &route;
    return match;
  }
  return match;
}

std::size_t Router::BodyLimit(std::string_view method, std::string_view path) const {
  std::size_t limit = 0;
  const std::size_t segments = CountSegments(path);
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (routes_[i].method == method && MatchPattern(patterns_[i], path, segments, nullptr))
      limit = std::max(limit, routes_[i].max_body_bytes);
  }
  return limit;
}

}  // namespace exchange::http
