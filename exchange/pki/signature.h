// SPDX-License-Identifier: Apache-2.0
// Detached Ed25519 signatures over exact bytes (signed reports), made with a
// PEM key so that `openssl pkeyutl -verify -rawin` checks them too.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "pki/key.h"

namespace exchange::pki {

// InvalidArgument when the key is not Ed25519.
Result<std::string> SignEd25519(const PrivateKey& key, std::string_view data);
// Unauthenticated when the signature does not verify.
Status VerifyEd25519(const PublicKey& key, std::string_view data, std::string_view signature);

}  // namespace exchange::pki
