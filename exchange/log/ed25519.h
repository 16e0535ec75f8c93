// SPDX-License-Identifier: Apache-2.0
// Raw Ed25519 (RFC 8032) over OpenSSL 3 EVP: the primitive under signed notes
// and cosignatures. Keys are plain 32-byte arrays; the caller owns them.
//
// Pure functions; thread-safe. OpenSSL failures (not bad input) are Internal.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/status.h"

namespace exchange::log {

using Ed25519Seed = std::array<uint8_t, 32>;  // the RFC 8032 private key
using Ed25519PublicKey = std::array<uint8_t, 32>;
using Ed25519Signature = std::array<uint8_t, 64>;

// A fresh private key from the OpenSSL CSPRNG (RAND_bytes).
Result<Ed25519Seed> GenerateEd25519Seed();

Result<Ed25519PublicKey> Ed25519PublicKeyFromSeed(const Ed25519Seed& seed);

Result<Ed25519Signature> Ed25519Sign(const Ed25519Seed& seed, std::string_view message);

// False for a wrong signature, a signature that is not 64 bytes, or a public
// key OpenSSL refuses.
bool Ed25519Verify(const Ed25519PublicKey& public_key, std::string_view message, std::span<const uint8_t> signature);

}  // namespace exchange::log
