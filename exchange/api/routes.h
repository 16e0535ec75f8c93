// The API's routes: one handler file per resource, all registered here.
#pragma once

#include "http/router.h"

namespace exchange::api {

// Default body limit for routes that take no body or a small one.
inline constexpr std::size_t kSmallBodyLimit = 64 * 1024;

void AddIdentityRoutes(http::Router& router);

// Every route of the API.
inline void AddAllRoutes(http::Router& router) { AddIdentityRoutes(router); }

}  // namespace exchange::api
