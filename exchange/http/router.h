// SPDX-License-Identifier: Apache-2.0
// Router: maps (method, path) to a Route by path templates like
// "/v1/collections/{c}/entries". A "{name}" segment matches one non-empty
// path segment and is returned as a parameter. A final "{name...}" segment
// matches the rest of the path, one or more non-empty segments, returned
// percent-decoded and joined with '/' (a segment that decodes to a '/' does
// not match): the C2SP tlog-tiles paths, whose depth varies.
//
// Routes are added at start-up, then the Router is only read: Match() is
// safe from any thread once serving begins.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
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
  std::size_t BodyLimit(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace exchange::http
