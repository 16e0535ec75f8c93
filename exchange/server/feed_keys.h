// SPDX-License-Identifier: Apache-2.0
// Loading and generating the exchange's signing keys (key files hold a C2SP
// signer key string, "PRIVATE+KEY+name+hash+base64", mode 0600).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "services/checkpoints.h"

namespace exchange::server {

// `feed_key_files` is a comma-separated list (several during a rotation).
Result<services::FeedKeys> LoadFeedKeys(const std::string& exchange_name, const std::string& feed_key_files,
                                        const std::string& freshness_key_file);

// exchanged keys generate --name NAME --out FILE [--freshness]
int RunKeysGenerate(const std::vector<std::string>& args);

}  // namespace exchange::server
