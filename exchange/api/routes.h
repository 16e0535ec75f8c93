// The API's routes: one handler file per resource, all registered here.
#pragma once

#include "http/router.h"

namespace exchange::api {

// Default body limit for routes that take no body or a small one.
inline constexpr std::size_t kSmallBodyLimit = 64 * 1024;

class CheckpointPublisher;

void AddIdentityRoutes(http::Router& router);
void AddCollectionRoutes(http::Router& router);
void AddSignalRoutes(http::Router& router);
// `publisher` must outlive the router.
void AddFeedRoutes(http::Router& router, const CheckpointPublisher& publisher);

// Every route of the API.
inline void AddAllRoutes(http::Router& router, const CheckpointPublisher& publisher) {
  AddIdentityRoutes(router);
  AddCollectionRoutes(router);
  AddSignalRoutes(router);
  AddFeedRoutes(router, publisher);
}

}  // namespace exchange::api
