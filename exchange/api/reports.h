// SPDX-License-Identifier: Apache-2.0
// The key that signs annual reports (Ed25519, PEM on disk), and its public half.
#pragma once

#include <string>

#include "pki/key.h"

namespace exchange::api {

struct ReportKey {
  std::string exchange_name;
  pki::PrivateKey key;
  std::string public_key_pem;
};

}  // namespace exchange::api
