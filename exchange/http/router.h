// SPDX-License-Identifier: Apache-2.0
// Router: maps (method, path) to a Route by path templates like
// "/v1/collections/{c}/entries". A "{name}" segment matches one non-empty
// path segment and is returned as a parameter. A final "{name...}" segment
// matches the rest of the path, one or more non-empty segments, returned
// percent-decoded and joined with '/' (a segment that decodes to a '/' does
// not match): the C2SP tlog-tiles paths, whose depth varies.
//
// Routes are added at start-up, then the Router is only read: Match() is
// safe from any thread once serving begins. Each template is split into its
// segments once, at Add(); matching walks the path in place and allocates only
// to decode parameters (every request is routed, so this is on the
// hot path).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/call_context.h"
#include "http/message.h"

namespace exchange::http {

using Handler = std::function<Response(const Request&, CallContext&)>;

enum class Access {
  kPublic,         // served without a caller (e.g. enrollment)
  kAuthenticated,  // needs an active credential
};

struct Route {
  std::string method;
  std::string pattern;  // also the "route" label in metrics
  Access access = Access::kAuthenticated;
  // False for handlers that never touch the database; with a cached caller
  // they run on the I/O thread. Such handlers must not block.
  bool uses_database = true;
  std::size_t max_body_bytes = 0;
  Handler handler;
};

struct RouteMatch {
  const Route* route = nullptr;  // null: no route
  bool path_known = false;       // the path matched some route with another method (405)
};

class Router {
 public:
  void Add(Route route);
  // Fills request.params on a match.
  RouteMatch Match(Request& request) const;
  // Largest body any route with this method and path accepts; 0 when none.
  std::size_t BodyLimit(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

  // One segment of a template: literal text, "{name}" or a final "{name...}".
  struct PatternSegment {
    enum class Kind { kLiteral, kParameter, kRest } kind = Kind::kLiteral;
    std::string text;  // the literal, or the parameter's name
  };

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<PatternSegment>> patterns_;  // patterns_[i]: routes_[i].pattern, split
};

}  // namespace exchange::http
