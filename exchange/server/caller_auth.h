// SPDX-License-Identifier: Apache-2.0
// Turning a client certificate fingerprint into a Caller (http/call_context.h).
//
// LoadCaller() reads the credential and its organisation and refuses, with a
// reason the caller can act on, anything not allowed to call: an unknown
// certificate, a revoked credential, a suspended or revoked organisation, an
// expired certificate. The ApiDispatcher keeps its answers in a CallerCache
// (http/caller_cache.h).
//
// Thread-safety: uses only `conn`, which the calling worker owns.
#pragma once

#include <string>

#include "common/status.h"
#include "http/call_context.h"
#include "store/connection.h"

namespace exchange::server {

Result<http::Caller> LoadCaller(store::Connection& conn, const std::string& fingerprint);

}  // namespace exchange::server
